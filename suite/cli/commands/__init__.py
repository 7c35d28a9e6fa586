"""One module per ``suite`` command.

Each defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int`` (and
optionally ``ALIASES``, ``DESCRIPTION``); :mod:`suite.cli.main` lists them. Heavy dependencies
(torch models, matplotlib, FLOP counters) are imported inside ``run``, so ``suite --help`` and
light commands start fast.
"""
