"""Benchmarking: #params, Multi-Adds from several counters, latency, peak memory, and the
environment every measured number depends on."""
