"""Extra ``suite`` sub-commands, one module each; every module defines ``register(subparsers)``.

Keeping them apart from :mod:`suite.cli` lets each command import its heavy dependencies
(plotting, FLOP counters) only when it runs.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil


def register_all(sub: argparse._SubParsersAction) -> None:
    """Call ``register`` of every module in this package, in name order."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
