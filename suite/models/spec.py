"""What the suite knows about one model: architecture, scale, checkpoint provenance.

A zoo model is described by :class:`ModelSpec` and :class:`CheckpointSpec`; a researcher's own
model (family ``"user"``, see :mod:`suite.models.user`) by the same :class:`ModelSpec` plus its
:class:`UserSource`. Small builders let each zoo module state only its facts:
:func:`github_checkpoint` and :class:`GitHubFolder` for weight files committed to GitHub, and
:class:`Family` for what all models of a family share. :func:`check_scale` is the one rule for
what counts as a usable scale.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any

from suite.data.fetch import github_raw_url
from suite.errors import ScaleError

USER_FAMILY = "user"  # the family of every model that is not in the zoo
MAX_SCALE = 32  # beyond the ×30 of the arbitrary-scale papers; larger is a typo


def check_scale(value: object, flag: str = "--scale", fix: str = "") -> int | float:
    """``value`` as a scale (an int when it is integral) if it is a finite number in
    (1, MAX_SCALE]; a ScaleError naming ``flag`` (and ending with ``fix``) otherwise: NaN,
    infinity, 0, negative, not a number."""
    try:
        scale = float(value)  # type: ignore[arg-type]
        shown = f"{scale:g}"
    except (TypeError, ValueError):
        scale, shown = math.nan, repr(value)
    if not (math.isfinite(scale) and 1 < scale <= MAX_SCALE):
        raise ScaleError(
            f"{flag} {shown} is not a usable scale: give a finite number greater than 1 and at "
            f"most {MAX_SCALE} (e.g. {flag} 4){fix}"
        )
    return int(scale) if scale == int(scale) else scale


@dataclass(frozen=True)
class CheckpointSpec:
    """A published weight file and where it officially lives.

    ``published`` is False for files the authors announced but never uploaded; they stay registered
    (with the URL they would have had) so the suite can say so instead of failing obscurely.
    """

    filename: str
    url: str
    sha256: str | None = None
    size: int | None = None
    subdir: str = ""  # folder under a checkpoint dir, e.g. "eimn" (files are also found flat)
    repo: str | None = None
    commit: str | None = None
    repo_path: str | None = None
    state_dict_key: tuple[str, ...] = ("params_ema", "params", "state_dict", "model")
    strip_prefixes: tuple[str, ...] = ("module.",)
    published: bool = True
    direct: bool = True  # False: the URL is a share/folder page (Drive, Baidu), not the file
    note: str = ""


@dataclass(frozen=True)
class UserSource:
    """Where a researcher's own model comes from: what every one of its results records.

    ``reference`` rebuilds the network (``package.module:Class``, or ``/abs/file.py:Class`` for
    a class loaded from a file) with the spec's ``arch_kwargs``; ``source_sha256`` is the hash
    of the file defining the class, so an edited network is never answered with an old number.
    ``weights`` is the weight file (None for an ``nn.Module`` handed over in Python, which is
    ``module``).
    """

    reference: str
    class_name: str  # the class's qualified name, e.g. "MyNet"
    source_file: str | None  # None when Python cannot tell (a class typed into a REPL)
    source_sha256: str | None
    weights: str | None
    module: Any = field(default=None, compare=False, repr=False)  # an nn.Module, or None


@dataclass(frozen=True)
class ModelSpec:
    """One evaluable model: an architecture instance with its checkpoint and conventions.

    ``input_range`` is the pixel range the network expects (1.0 for [0, 1], 255.0 for [0, 255]);
    the runner always hands models RGB in [0, 1] and scales around the call. ``user`` is set
    for a researcher's own model (family ``"user"``, ``arch`` its class reference).
    """

    id: str
    family: str
    arch: str
    scale: float
    arch_kwargs: dict[str, Any] = field(default_factory=dict)
    checkpoint: CheckpointSpec | None = None
    paper: str = ""
    venue: str = ""
    input_range: float = 1.0
    default_profile: str = "basicsr"
    training_data: str = ""
    note: str = ""
    arbitrary_scale: bool = False  # implicit models (LIIF, LTE, LMF): any scale via a coord grid
    user: UserSource | None = None

    @property
    def integer_scale(self) -> int:
        """The scale as an int (raises for arbitrary-scale queries that are not integral)."""
        if float(self.scale) != int(self.scale):
            raise ValueError(f"{self.id}: scale {self.scale} is not an integer")
        return int(self.scale)


def github_checkpoint(repo: str, branch: str, path: str, **fields: Any) -> CheckpointSpec:
    """A weight file committed to the public GitHub ``repo`` at ``path``, fetched from ``branch``.

    Derives ``filename``, ``url`` (the raw-file URL on the branch) and ``repo_path`` from where
    the file sits, so zoo modules never spell them out; ``fields`` are the other
    :class:`CheckpointSpec` fields (``commit``, the revision the file was checked at, ``sha256``,
    ``size``, ``subdir``, ...).
    """
    return CheckpointSpec(
        filename=PurePosixPath(path).name,
        url=github_raw_url(repo, branch, path),
        repo=repo,
        repo_path=path,
        **fields,
    )


@dataclass(frozen=True)
class GitHubFolder:
    """A folder of weight files committed to a public GitHub repository, checked at one commit.

    Families that publish several files side by side state repository, branch, folder, commit and
    the local ``subdir`` once; :meth:`file` makes each file's :class:`CheckpointSpec`.
    """

    repo: str
    branch: str
    folder: str
    commit: str | None
    subdir: str

    def file(
        self, name: str, sha256: str | None = None, size: int | None = None, **fields: Any
    ) -> CheckpointSpec:
        """The checkpoint of file ``name`` here; ``fields`` add others or override (``commit``)."""
        shared = {"commit": self.commit, "subdir": self.subdir, "sha256": sha256, "size": size}
        path = f"{self.folder}/{name}"
        return github_checkpoint(self.repo, self.branch, path, **{**shared, **fields})


@dataclass(frozen=True)
class Family:
    """What the models of one family share: family name, architecture, paper, venue, conventions.

    A zoo module states these once (or once per challenge entry); :meth:`model` adds each model's
    own facts. The fields are named as in :class:`ModelSpec`, which is how :meth:`model` passes
    them on.
    """

    family: str
    arch: str
    paper: str
    venue: str
    input_range: float
    default_profile: str
    training_data: str = ""

    def model(
        self,
        model_id: str,
        scale: float,
        arch_kwargs: dict[str, Any],
        checkpoint: CheckpointSpec | None,
        **fields: Any,
    ) -> ModelSpec:
        """One model's :class:`ModelSpec`; ``fields`` add (``note``) or override shared facts."""
        return ModelSpec(
            id=model_id,
            scale=scale,
            arch_kwargs=arch_kwargs,
            checkpoint=checkpoint,
            **{**asdict(self), **fields},
        )
