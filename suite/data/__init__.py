"""Benchmark sets on disk: where they are, whether they are the published ones, reading images.

The bottom layer of the pipeline: it knows files, not conventions.
"""
