"""sr-suite: reproducible benchmarking of efficient single-image super-resolution models."""

__version__ = "0.1.0"
