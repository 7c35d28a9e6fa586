"""Where the cells of a run execute: in this process (the default) or as tasks on a Ray cluster.

A :class:`Task` is one cell of work — a callable, its arguments and the resources it needs (CPUs,
GPUs, a GPU kind) — named by the cell it computes (``"EIMN_A_x4 Set5 basicsr"``). An executor
runs a list of tasks and yields one :class:`Outcome` per task as each finishes, so the caller (the
driver) writes every result the moment it arrives and nothing finished is lost when the run is
interrupted.

- :class:`LocalExecutor` calls each task in turn in this process. A :class:`SuiteError` (bad
  input) is that cell's failure and the run goes on; any other exception is a bug and propagates.
- :class:`RayExecutor` submits each task as one Ray task with its resources (``num_cpus``,
  ``num_gpus``, ``accelerator_type``); torch in the worker uses exactly the task's CPUs as
  threads, so a cell asking for the threads a local run uses computes the same numbers (float
  sums depend on the thread count). A task asking for more CPUs than the largest node has gets
  that node's count (said once). A worker process that dies (killed, out of memory, node
  lost) and an unexpected exception are retried ``retries`` times; a :class:`SuiteError` is not
  retried (the same input fails the same way). A cell that still fails comes back as a failed
  outcome carrying the worker's message. Tasks never write result files: they return values, and
  the driver is the only writer.

Ray is an optional extra (``pip install 'sr-suite[ray]'``); without it ``--executor ray`` is a
one-line error naming the install command.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from suite.errors import SuiteError, warn

EXECUTORS = ("local", "ray")
RETRIES = 2  # further attempts of a Ray task whose worker died or raised unexpectedly
INSTALL_RAY = "pip install 'sr-suite[ray]'"
RAY_CLUSTER_DOCS = "https://docs.ray.io/en/latest/cluster/getting-started.html"


@dataclass(frozen=True)
class Resources:
    """What one task needs from the machine it runs on (used by Ray; ignored locally)."""

    num_cpus: float = 1.0
    num_gpus: float = 0.0
    accelerator_type: str | None = None  # a GPU kind as Ray names it, e.g. "H100", "A100"

    def ray_options(self) -> dict[str, Any]:
        """The matching ``ray.remote(...).options`` keywords."""
        options: dict[str, Any] = {"num_cpus": self.num_cpus, "num_gpus": self.num_gpus}
        if self.accelerator_type:
            options["accelerator_type"] = self.accelerator_type
        return options


@dataclass(frozen=True)
class Task:
    """One cell of work: ``fn(*args, **kwargs)`` with the resources it needs. ``fn`` and its
    arguments must pickle (a module-level function, plain data) to run on Ray."""

    key: str  # the cell, as messages name it: "EIMN_A_x4 Set5 basicsr"
    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    resources: Resources = Resources()


@dataclass
class Outcome:
    """What became of one task: its value, or the message of its last failure."""

    task: Task
    value: Any = None
    error: str | None = None  # None: done
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None


class Executor(Protocol):
    """Runs tasks; yields one outcome per task, in the order they finish."""

    name: str
    in_process: bool  # tasks run here and may write the results folder themselves

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]: ...


class LocalExecutor:
    """Each task in turn, in this process."""

    name = "local"
    in_process = True

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        for task in tasks:
            try:
                value = task.fn(*task.args, **task.kwargs)
            except SuiteError as exc:  # bad input for this cell: the others still run
                yield Outcome(task, error=str(exc))
                continue
            yield Outcome(task, value)


@dataclass(frozen=True)
class _Refused:
    """A worker's SuiteError, returned rather than raised so that Ray does not retry it."""

    message: str


def _call(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any], threads: int
) -> Any:
    """What a Ray worker runs for one task: torch on the task's CPUs, then the task."""
    import torch

    torch.set_num_threads(threads)
    try:
        return fn(*args, **kwargs)
    except SuiteError as exc:
        return _Refused(str(exc))


def _ray() -> Any:
    """The ``ray`` module, or a SuiteError naming the extra to install."""
    try:
        import ray
    except ImportError:
        raise SuiteError(
            f"--executor ray needs Ray, which is not installed here: {INSTALL_RAY} (or leave "
            "--executor out to run in this process)"
        ) from None
    return ray


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else "no message"


class RayExecutor:
    """Tasks on a Ray cluster: the one at ``address`` (``auto``: the cluster this machine
    belongs to), the one already initialised in this process, or a new local one."""

    name = "ray"
    in_process = False

    def __init__(self, address: str | None = None, retries: int = RETRIES) -> None:
        self.address = address
        self.retries = retries

    def connect(self) -> Any:
        """Join (or start) the cluster once; a SuiteError names the address and the fix."""
        ray = _ray()
        if ray.is_initialized():
            return ray
        try:
            ray.init(address=self.address, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f"at {self.address}" if self.address else "on this machine"
            raise SuiteError(
                f"cannot reach a Ray cluster {where} ({_first_line(str(exc))}); start one "
                f"(`ray start --head`, or see {RAY_CLUSTER_DOCS}) and pass its address with "
                "--address, or leave --address out to start a local one"
            ) from None
        return ray

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        ray = self.connect()
        remote = ray.remote(_call)
        largest = max((n["Resources"].get("CPU", 0) for n in ray.nodes() if n["Alive"]), default=1)
        pending: dict[Any, Task] = {}
        capped = []
        for task in tasks:
            options = task.resources.ray_options()
            if options["num_cpus"] > largest:
                capped.append(task.key)
                options["num_cpus"] = largest
            threads = max(1, int(options["num_cpus"]))
            ref = remote.options(
                **options,
                name=task.key,
                max_retries=self.retries,
                retry_exceptions=True,
            ).remote(task.fn, tuple(task.args), dict(task.kwargs), threads)
            pending[ref] = task
        if capped:
            warn(
                f"{len(capped)} cells ask for more CPUs than the largest node of the Ray cluster "
                f"has ({largest:g}): they run with {largest:g} threads (e.g. {capped[0]})"
            )
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                yield self._outcome(ray, ref, pending.pop(ref))

    def _outcome(self, ray: Any, ref: Any, task: Task) -> Outcome:
        """The finished task's value, or its failure with the worker's message."""
        tries = self.retries + 1
        try:
            value = ray.get(ref)
        except ray.exceptions.RayTaskError as exc:  # raised in the worker, on every attempt
            cause = exc.cause if getattr(exc, "cause", None) is not None else exc
            why = f"{type(cause).__name__}: {_first_line(str(cause))}"
            error = f"failed {tries} times in a Ray worker ({why})"
            return Outcome(task, error=error, attempts=tries)
        except ray.exceptions.RayError as exc:  # the worker died (killed, out of memory, node)
            why = f"{type(exc).__name__}: {_first_line(str(exc))}"
            return Outcome(task, error=f"Ray worker lost {tries} times ({why})", attempts=tries)
        if isinstance(value, _Refused):
            return Outcome(task, error=value.message)
        return Outcome(task, value)


def device_resources(
    device: str, accelerator_type: str | None = None, threads: int = 1
) -> Resources:
    """What a cell running on ``device`` with ``threads`` CPU threads needs: those CPUs, and one
    GPU (of ``accelerator_type`` when given) for ``cuda``; a SuiteError when a GPU kind is asked
    for a CPU cell."""
    gpu = device.startswith("cuda")
    if accelerator_type and not gpu:
        raise SuiteError(
            f"--accelerator-type {accelerator_type} picks a GPU kind, but the device is "
            f"{device}: give --device cuda too, or leave --accelerator-type out"
        )
    return Resources(float(threads), 1.0 if gpu else 0.0, accelerator_type)


def make_executor(name: str | None = None, address: str | None = None) -> Executor:
    """The executor a command's ``--executor`` and ``--address`` flags name (default local)."""
    name = name or "local"
    if name == "local":
        if address:
            raise SuiteError("--address names a Ray cluster: give --executor ray too")
        return LocalExecutor()
    if name == "ray":
        _ray()  # fail before any work when Ray is not installed
        return RayExecutor(address)
    raise SuiteError(f"unknown executor {name!r}; choose one of {', '.join(EXECUTORS)}")


def for_workers(options: Any) -> Any:
    """A copy of a dataclass of options fit to send to other machines: locations given
    explicitly become absolute (a worker's working folder is not the driver's); locations left
    unset stay unset, so each worker resolves them from its own environment."""
    changes = {}
    for f in dataclasses.fields(options):
        value = getattr(options, f.name)
        if f.name.endswith(("_root", "_dir")) and value is not None:
            changes[f.name] = os.path.abspath(os.path.expanduser(os.fspath(value)))
    return dataclasses.replace(options, **changes)
