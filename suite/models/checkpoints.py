"""Find, download, verify and load published checkpoints.

A checkpoint is looked for in the user's checkpoint folder, then in the suite cache, and only then
downloaded from its official URL into the cache. Every file is checked against the sha256 recorded
in the zoo so that a result can never silently come from the wrong or a damaged weight file.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn
from tqdm import tqdm

from suite import paths
from suite.errors import CheckpointError, CheckpointMismatchError
from suite.models.archs import build_arch
from suite.models.spec import CheckpointSpec, ModelSpec

__all__ = [
    "checkpoint_status",
    "load_model",
    "read_state_dict",
    "resolve_checkpoint",
    "sha256_file",
]

_CHUNK = 1 << 20
_TIMEOUT_S = 60.0
_USER_AGENT = "sr-suite (checkpoint download)"
_MAX_LISTED = 10

# sha256 per (resolved path, mtime_ns, size): repeated resolution of an unchanged file is free.
_SHA_CACHE: dict[tuple[str, int, int], str] = {}


# --------------------------------------------------------------------------- hashing


def _hash_file(path: Path) -> str:
    """sha256 of a file, read in chunks so large files never sit in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sha_key(path: Path) -> tuple[str, int, int]:
    """Cache key that changes whenever the file is replaced or rewritten."""
    st = path.stat()
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def sha256_file(path: Path) -> str:
    """sha256 hex digest of ``path``, memoised in-process per (path, mtime, size)."""
    path = Path(path)
    key = _sha_key(path)
    if key not in _SHA_CACHE:
        _SHA_CACHE[key] = _hash_file(path)
    return _SHA_CACHE[key]


def _remember_sha(path: Path, sha: str) -> None:
    """Record a digest computed elsewhere (while downloading) so it is not recomputed."""
    _SHA_CACHE[_sha_key(path)] = sha


# --------------------------------------------------------------------------- locations


def _require_checkpoint(spec: ModelSpec) -> CheckpointSpec:
    """The spec's checkpoint, or an error for models registered without one."""
    if spec.checkpoint is None:
        raise CheckpointError(f"model {spec.id!r} has no registered checkpoint in the zoo.")
    return spec.checkpoint


def _local_candidates(ckpt: CheckpointSpec, checkpoint_dir: Path | None) -> list[Path]:
    """Paths searched in the user's checkpoint folder: ``<dir>/<subdir>/<file>`` then flat."""
    root = paths.checkpoint_dir(checkpoint_dir)
    if root is None:
        return []
    found = [root / ckpt.subdir / ckpt.filename] if ckpt.subdir else []
    return [*found, root / ckpt.filename]


def _cache_path(ckpt: CheckpointSpec, cache_dir: Path | None) -> Path:
    """Where a downloaded checkpoint lives: ``<cache>/checkpoints/<subdir>/<file>``."""
    return paths.cache_dir(cache_dir) / "checkpoints" / ckpt.subdir / ckpt.filename


def _first_existing(candidates: Iterable[Path]) -> Path | None:
    """The first candidate that is a regular file, if any."""
    return next((p for p in candidates if p.is_file()), None)


def checkpoint_status(
    spec: ModelSpec, checkpoint_dir: Path | None = None, cache_dir: Path | None = None
) -> str:
    """One of "local", "cached", "downloadable", "manual", "unpublished"; never downloads."""
    ckpt = spec.checkpoint
    if ckpt is None or not ckpt.published:
        return "unpublished"
    if _first_existing(_local_candidates(ckpt, checkpoint_dir)):
        return "local"
    if _cache_path(ckpt, cache_dir).is_file():
        return "cached"
    return "downloadable" if ckpt.direct else "manual"


# --------------------------------------------------------------------------- verification


def _verify_local(spec: ModelSpec, path: Path) -> Path:
    """Return ``path`` if its sha256 matches the zoo's; otherwise explain how to fix it."""
    expected = spec.checkpoint.sha256 if spec.checkpoint else None
    if expected is None:
        return path
    actual = sha256_file(path)
    if actual != expected.lower():
        raise CheckpointError(
            f"checkpoint file {path} for model {spec.id!r} has the wrong sha256:\n"
            f"  expected {expected}\n  actual   {actual}\n"
            "It is corrupt (e.g. an interrupted copy) or a different checkpoint. Fix: delete it "
            f"and re-download the official file from {spec.checkpoint.url} "
            "(the suite downloads it again when it is absent and downloads are enabled)."
        )
    return path


# --------------------------------------------------------------------------- errors


def _unpublished_error(spec: ModelSpec, ckpt: CheckpointSpec) -> CheckpointError:
    """The authors announced this checkpoint but never uploaded it."""
    note = f" Note: {ckpt.note.rstrip('.')}." if ckpt.note else ""
    return CheckpointError(
        f"the authors never published the checkpoint for model {spec.id!r} "
        f"(it would be {ckpt.filename} at {ckpt.url}).{note} "
        "This model cannot be evaluated until the authors release those weights."
    )


def _missing_error(
    spec: ModelSpec, ckpt: CheckpointSpec, searched: list[Path], why: str
) -> CheckpointError:
    """Not found locally and downloads are disabled: say where to put the file."""
    where = "\n".join(f"  - {p}" for p in searched)
    subdir = f" (with or without the '{ckpt.subdir}/' subfolder)" if ckpt.subdir else ""
    return CheckpointError(
        f"checkpoint for model {spec.id!r} not found and cannot be downloaded ({why}). "
        f"Searched:\n{where}\n"
        f"Fix: download {ckpt.url} and save it as one of the paths above, or in the folder given "
        f"by --checkpoint-dir / SUITE_CHECKPOINT_DIR{subdir}; or allow downloads."
    )


def _download_error(spec: ModelSpec, url: str, dest: Path, reason: str) -> CheckpointError:
    """A failed download; nothing was saved."""
    return CheckpointError(
        f"could not download the checkpoint for model {spec.id!r} from {url}: {reason}. "
        f"Nothing was saved. Fix: retry (check the network or proxy), or download the file "
        f"yourself and save it as {dest} or in your --checkpoint-dir / SUITE_CHECKPOINT_DIR."
    )


# --------------------------------------------------------------------------- download


def _content_length(response: Any) -> int | None:
    """The declared body size, or None when the server does not say."""
    value = response.headers.get("Content-Length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _stream(
    response: Any, out: Any, total: int | None, label: str, progress: bool
) -> tuple[int, str]:
    """Copy the body to ``out`` with a progress bar; return (bytes written, sha256 hex)."""
    digest = hashlib.sha256()
    written = 0
    disable = None if progress else True  # None: tqdm shows the bar only on a terminal
    with tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=label,
        file=sys.stderr,
        disable=disable,
        leave=False,
    ) as bar:
        for chunk in iter(lambda: response.read(_CHUNK), b""):
            out.write(chunk)
            digest.update(chunk)
            written += len(chunk)
            bar.update(len(chunk))
    return written, digest.hexdigest()


def _check_download(ckpt: CheckpointSpec, declared: int | None, written: int, sha: str) -> None:
    """Raise ValueError describing the first way the downloaded bytes are wrong."""
    if declared is not None and written != declared:
        raise ValueError(f"connection cut off after {written} of {declared} bytes")
    if ckpt.size is not None and written != ckpt.size:
        raise ValueError(f"got {written} bytes, the zoo records {ckpt.size}")
    if ckpt.sha256 is not None and sha != ckpt.sha256.lower():
        raise ValueError(f"sha256 mismatch: expected {ckpt.sha256}, got {sha}")


def _fetch_to(ckpt: CheckpointSpec, part: Path, progress: bool) -> str:
    """Download ``ckpt.url`` into ``part`` and verify it; return its sha256."""
    request = urllib.request.Request(ckpt.url, headers={"User-Agent": _USER_AGENT})
    with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:
        declared = _content_length(response)
        if declared is not None and ckpt.size is not None and declared != ckpt.size:
            raise ValueError(f"server announces {declared} bytes, the zoo records {ckpt.size}")
        with part.open("wb") as out:
            written, sha = _stream(response, out, declared, ckpt.filename, progress)
    _check_download(ckpt, declared, written, sha)
    return sha


def _download(spec: ModelSpec, ckpt: CheckpointSpec, dest: Path, progress: bool) -> Path:
    """Download into the cache via a ``.part`` file, verify, then rename atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    part = Path(tmp)
    try:
        sha = _fetch_to(ckpt, part, progress)
        part.chmod(0o644)  # mkstemp creates 0600; a cached checkpoint is an ordinary file
        os.replace(part, dest)
    except urllib.error.HTTPError as exc:
        raise _download_error(spec, ckpt.url, dest, f"HTTP {exc.code} {exc.reason}") from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise _download_error(spec, ckpt.url, dest, str(exc) or type(exc).__name__) from exc
    finally:
        part.unlink(missing_ok=True)
    _remember_sha(dest, sha)
    return dest


# --------------------------------------------------------------------------- resolve


def resolve_checkpoint(
    spec: ModelSpec,
    checkpoint_dir: Path | None = None,
    cache_dir: Path | None = None,
    download: bool = True,
    progress: bool = True,
) -> Path:
    """Path of a verified checkpoint file for ``spec``: checkpoint dir, cache, then download."""
    ckpt = _require_checkpoint(spec)
    if not ckpt.published:
        raise _unpublished_error(spec, ckpt)
    local = _local_candidates(ckpt, checkpoint_dir)
    cached = _cache_path(ckpt, cache_dir)
    found = _first_existing([*local, cached])
    if found is not None:
        return _verify_local(spec, found)
    if not ckpt.direct:
        why = "its official location is a share page, not a file the suite can fetch"
        raise _missing_error(spec, ckpt, [*local, cached], why)
    if not download or paths.offline():
        why = "download=False" if not download else f"{paths.ENV_OFFLINE} is set"
        raise _missing_error(spec, ckpt, [*local, cached], why)
    return _download(spec, ckpt, cached, progress)


# --------------------------------------------------------------------------- state dicts


def _is_state_dict(obj: object) -> bool:
    """True for a non-empty mapping from string keys to tensors."""
    return (
        isinstance(obj, Mapping)
        and len(obj) > 0
        and all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in obj.items())
    )


def _load_failure_detail(exc: Exception) -> str:
    """The informative part of a ``torch.load`` error, without torch's generic advice."""
    text = str(exc)
    if "WeightsUnpickler error:" in text:
        text = text.split("WeightsUnpickler error:", 1)[1]
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    sentence = first.split(". ", 1)[0].rstrip(".")
    return f"{type(exc).__name__}: {sentence[:200]}" if sentence else type(exc).__name__


def _torch_load(path: Path) -> object:
    """``torch.load`` restricted to plain tensors, with a clear error for bad files."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for unreadable files
        detail = _load_failure_detail(exc)
        if "Unsupported global" in detail:
            hint = "it holds Python objects besides tensors; save a plain state dict instead"
        else:
            hint = "delete it and download the official file again"
        raise CheckpointError(
            f"cannot read {path}: corrupt or not a PyTorch checkpoint ({detail}). Fix: {hint}."
        ) from exc


def _dig(obj: object, dotted: str) -> object:
    """``obj["a"]["b"]`` for ``"a.b"`` (None where a level is missing)."""
    for part in dotted.split("."):
        if not isinstance(obj, Mapping) or part not in obj:
            return None
        obj = obj[part]
    return obj


def _unwrap(obj: object, keys: tuple[str, ...], path: Path) -> Mapping[str, torch.Tensor]:
    """The state dict inside ``obj``: the first of ``keys`` holding one (a dotted key such as
    ``"model.sd"`` reaches nested levels), else ``obj`` itself."""
    if isinstance(obj, Mapping):
        for key in keys:
            inner = _dig(obj, key)
            if _is_state_dict(inner):
                return inner  # type: ignore[return-value]
    if _is_state_dict(obj):
        return obj  # type: ignore[return-value]
    top = list(obj)[:_MAX_LISTED] if isinstance(obj, Mapping) else type(obj).__name__
    raise CheckpointError(
        f"{path} holds no state dict of tensors (top level: {top}; looked under {list(keys)}). "
        "Fix: check that this is the model's weight file, not a training state or another format."
    )


def _strip_key(key: str, prefixes: tuple[str, ...]) -> str:
    """``key`` without any of ``prefixes`` (applied repeatedly, e.g. "module.module.")."""
    stripped = True
    while stripped:
        stripped = False
        for prefix in prefixes:
            if prefix and key.startswith(prefix):
                key, stripped = key[len(prefix) :], True
    return key


def _strip_prefixes(
    state: Mapping[str, torch.Tensor], prefixes: tuple[str, ...], path: Path
) -> dict[str, torch.Tensor]:
    """Copy of ``state`` with wrapper prefixes removed; refuses keys that would collide."""
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        new = _strip_key(key, prefixes)
        if new in out:
            raise CheckpointError(f"{path}: keys collide on {new!r} after stripping {prefixes}.")
        out[new] = value
    return out


def read_state_dict(path: Path, ckpt: CheckpointSpec) -> dict[str, torch.Tensor]:
    """Load ``path`` as plain tensors, unwrap ``ckpt.state_dict_key`` and strip key prefixes."""
    path = Path(path)
    state = _unwrap(_torch_load(path), ckpt.state_dict_key, path)
    return _strip_prefixes(state, ckpt.strip_prefixes, path)


# --------------------------------------------------------------------------- load model


def _shape(t: torch.Tensor) -> tuple[int, ...]:
    return tuple(t.shape)


def _diff_state(
    model_state: Mapping[str, torch.Tensor], ckpt_state: Mapping[str, torch.Tensor]
) -> tuple[list[str], list[str], list[str]]:
    """Missing keys, unexpected keys and shape mismatches ("key: ckpt vs model")."""
    missing = [k for k in model_state if k not in ckpt_state]
    unexpected = [k for k in ckpt_state if k not in model_state]
    shapes = [
        f"{k}: checkpoint {_shape(ckpt_state[k])} vs model {_shape(v)}"
        for k, v in model_state.items()
        if k in ckpt_state and _shape(ckpt_state[k]) != _shape(v)
    ]
    return missing, unexpected, shapes


def _listing(title: str, items: list[str]) -> str:
    """One message section: a count and at most ``_MAX_LISTED`` entries."""
    if not items:
        return ""
    lines = "".join(f"\n    {item}" for item in items[:_MAX_LISTED])
    more = f"\n    ... and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else ""
    return f"\n  {title} ({len(items)}):{lines}{more}"


def _mismatch_error(
    spec: ModelSpec, path: Path, missing: list[str], unexpected: list[str], shapes: list[str]
) -> CheckpointMismatchError:
    """Explain why the checkpoint does not fit the architecture, and the likely cause."""
    body = (
        _listing("missing keys", missing)
        + _listing("unexpected keys", unexpected)
        + _listing("shape mismatches", shapes)
    )
    return CheckpointMismatchError(
        f"checkpoint {path} does not fit model {spec.id!r} "
        f"(architecture {spec.arch!r}, {spec.arch_kwargs}, scale x{spec.scale:g}):{body}\n"
        "Likely cause: the file is the checkpoint of another scale or variant than this model id "
        "(or of another architecture). Fix: use the file the zoo names for this model "
        f"({spec.checkpoint.filename if spec.checkpoint else '?'})."
    )


def _freeze(model: nn.Module) -> nn.Module:
    """Inference mode: eval() and no gradients."""
    for param in model.parameters():
        param.requires_grad_(False)
    return model.eval()


def load_model(
    spec: ModelSpec,
    checkpoint_dir: Path | None = None,
    cache_dir: Path | None = None,
    device: str | torch.device = "cpu",
    download: bool = True,
) -> nn.Module:
    """Build ``spec``'s architecture and strictly load its verified checkpoint, ready for eval."""
    model = build_arch(spec.arch, **spec.arch_kwargs)
    path = resolve_checkpoint(spec, checkpoint_dir, cache_dir, download=download)
    state = read_state_dict(path, _require_checkpoint(spec))
    missing, unexpected, shapes = _diff_state(model.state_dict(), state)
    if missing or unexpected or shapes:
        raise _mismatch_error(spec, path, missing, unexpected, shapes)
    model.load_state_dict(state, strict=True)
    return _freeze(model.to(device))
