"""What the zoo knows about one published model: architecture, scale, checkpoint provenance.

Besides the two records, small builders let each zoo module state only its facts:
:func:`github_checkpoint` and :class:`GitHubFolder` for weight files committed to GitHub, and
:class:`Family` for what all models of a family share.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any


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
class ModelSpec:
    """One evaluable model: an architecture instance with its checkpoint and conventions.

    ``input_range`` is the pixel range the network expects (1.0 for [0, 1], 255.0 for [0, 255]);
    the runner always hands models RGB in [0, 1] and scales around the call.
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
        url=f"https://github.com/{repo}/raw/{branch}/{path}",
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
