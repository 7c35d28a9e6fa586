"""Command-line interface: ``suite <command>`` (also ``python -m suite``)."""

from suite.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
