"""Errors the suite raises on bad input, and warnings. Each message names the file involved and
the fix."""

from __future__ import annotations

import sys


def warn(message: str) -> None:
    """One line on stderr that something was skipped or is only partly trusted, and why."""
    print(f"warning: {message}", file=sys.stderr)


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


class UnknownNameError(SuiteError, KeyError):
    """A model, profile or architecture name the suite does not know (the message lists what
    it does know). A ``KeyError`` too, for code that looks names up like dict keys."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ReferenceTableError(SuiteError, ValueError):
    """A reference table violates the schema (the message names the file and line)."""


class ResultFileError(SuiteError):
    """A result, baseline or log file that exists but cannot be used (truncated, not JSON, wrong
    schema); the message names the file."""
