"""A local Ray cluster for tests: ``ray.init(num_cpus=2)`` on the loopback address only.

``ray.init`` replaces the process's SIGTERM handler and ``ray.shutdown`` leaves it replaced; a
later test in the same process (the download clean-up test sends itself SIGTERM) would then be
ended by Ray's handler. The handlers are restored on the way out.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def local_ray() -> Iterator[object]:
    """Start a 2-CPU local cluster (no dashboard, no usage stats: no network), yield ``ray``."""
    ray = pytest.importorskip("ray")
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    stats = os.environ.get("RAY_USAGE_STATS_ENABLED")
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    try:
        yield ray
    finally:
        ray.shutdown()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        if stats is None:
            os.environ.pop("RAY_USAGE_STATS_ENABLED", None)
        else:
            os.environ["RAY_USAGE_STATS_ENABLED"] = stats
