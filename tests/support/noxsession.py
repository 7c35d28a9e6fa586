"""Running the noxfile's sessions without nox: a fresh copy of ``noxfile.py`` (its
module-level settings read the environment at import) and a fake ``session`` that records every
command instead of creating virtualenvs and running them."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent


def load_noxfile() -> Any:
    """A fresh import of the checkout's ``noxfile.py``."""
    spec = importlib.util.spec_from_file_location("noxfile_under_test", ROOT / "noxfile.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SessionError(Exception):
    """What ``session.error`` raises here (nox stops the session with a failure)."""


class FakeSession:
    """Records ``session.run`` commands (as strings, with their ``env``) and log lines."""

    def __init__(self, *posargs: str) -> None:
        self.posargs = list(posargs)
        self.commands: list[list[str]] = []
        self.envs: list[dict[str, str]] = []
        self.logs: list[str] = []

    def install(self, *args: str, **kwargs: Any) -> None:
        pass

    def run(self, *args: Any, env: dict[str, str] | None = None, **kwargs: Any) -> None:
        self.commands.append([str(a) for a in args])
        self.envs.append(dict(env or {}))

    def log(self, message: str) -> None:
        self.logs.append(message)

    def error(self, message: str) -> None:
        raise SessionError(message)

    def suite(self, command: str) -> list[list[str]]:
        """The ``suite COMMAND …`` calls, in order."""
        return [c for c in self.commands if c[:2] == ["suite", command]]
