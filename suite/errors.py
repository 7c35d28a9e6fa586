"""Errors the suite raises on bad input. Each message names the file involved and the fix."""

from __future__ import annotations


class SuiteError(Exception):
    """Base class: a user-facing problem with a clear message (the CLI prints it, no traceback)."""


class CheckpointError(SuiteError):
    """A checkpoint cannot be found, downloaded, verified or loaded."""


class CheckpointMismatchError(CheckpointError):
    """A checkpoint's state dict does not fit the architecture (missing/unexpected keys, shapes)."""


class DatasetError(SuiteError):
    """A benchmark set is missing, altered or unreadable."""


class ScaleError(SuiteError):
    """A scale that the model, dataset layout or operation does not support."""
