"""Helpers shared by the test folders (importable as ``support.*``: pytest puts ``tests/`` on
``sys.path`` through ``pythonpath`` in pyproject.toml).

- :mod:`support.images`: synthetic test images, reading images, a torch PSNR.
- :mod:`support.zoo`: building zoo models, state-dict shapes, published values of the
  reference tables at their printed precision.
- :mod:`support.weights`: a tiny registered network and checkpoint files/specs made from it.
- :mod:`support.http`: a local HTTP server that serves checkpoint bytes (never the network).
- :mod:`support.tiny`: a tiny end-to-end evaluation setup (fake Set5, checkpoint, spec).
- :mod:`support.results`: synthetic results folders and reference tables for reporting.
"""
