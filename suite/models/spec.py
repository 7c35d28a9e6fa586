"""What the zoo knows about one published model: architecture, scale, checkpoint provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
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
