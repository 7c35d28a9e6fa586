"""Rendering of results: markdown reports, figures and console text."""
