"""Leaderboard figures: PSNR against Multi-Adds and against #params, latency and peak memory.

One chart per set × scale × profile (the profile is in the title): every run measured under that
profile (filled, coloured; your own models in their own colour) among the published methods of
every reference table at that set and scale (hollow grey, as printed, each under its own paper's
conventions), a black × for the published value of a measured model, the Pareto front (no
method is better at lower cost) as a dashed staircase, and the leaderboard as a compact table
beside the axes. Cost axes — Multi-Adds, #params, latency, memory — are logarithmic everywhere.
Latency and memory charts are drawn only where at least three models were measured on the same
device (and settings).

Every label is placed so that it is nearer its own marker than any other (a leader line joins
a label set apart to its marker); markers closer than a few pixels share one label. Each figure
is written with ``<figure>.csv`` beside it: the table of its points (``model, source, profile,
x, y, params`` in K, ``pareto``), what a user pastes into their own plotting. Figures are drawn
on matplotlib's Agg canvas directly (no pyplot, no global backend state).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from suite.files import atomic_write
from suite.reporting.collect import (
    Entry,
    ReportData,
    bench_hardware,
    collect,
    leaderboard,
    pareto,
    peak_memory,
)
from suite.reporting.format import fmt, fmt_printed, scale_txt, table
from suite.results.store import write_csv

FORMATS = ("png", "svg")
DPI = 160
AREA_PER_K = 0.12  # marker area (pt²) per thousand parameters: 1000 K -> 120 pt²
PAPER_GREY = "0.55"
MEASURED_COLOR = "tab:blue"
USER_COLOR = "tab:red"
SIZE_KEY_K = (300, 1000)  # legend markers showing the area scale
MIN_MODELS = 3  # latency / memory charts need this many models on one device
SHARED_LABEL_PX = 4.0  # markers closer than this (pixels) share one label
CSV_FIELDS = ["model", "source", "profile", "x", "y", "params", "pareto"]


@dataclass
class Point:
    """One marker: a method at (x, PSNR), sized by #params."""

    label: str
    x: float
    psnr: float
    params_k: float | None
    kind: str  # "measured" | "yours" | "paper" (reference table only) | "published" (×)
    profile: str | None = None
    pareto: bool = False


@dataclass
class PlotOut:
    """A drawn figure, its file stem, its points, and what it shows (for tests and logs)."""

    name: str
    figure: Figure
    summary: dict[str, Any] = field(default_factory=dict)
    points: list[Point] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """``<figure>.csv``: one row per marker."""
        return [
            {
                "model": p.label,
                "source": "measured" if p.kind in ("measured", "yours") else "paper",
                "profile": p.profile or "",
                "x": p.x,
                "y": p.psnr,
                "params": p.params_k if p.params_k is not None else "",
                "pareto": int(p.pareto),
            }
            for p in self.points
        ]


def _area(params_k: float | None) -> float:
    return max(14.0, AREA_PER_K * params_k) if params_k else 24.0


def _radius_px(p: Point, fig: Figure) -> float:
    size = 6.0 if p.kind == "published" else math.sqrt(_area(p.params_k))
    return size / 2 * fig.dpi / 72.0


# --------------------------------------------------------------------------- points


def leaderboard_points(
    entries: Sequence[Entry], x_of: Callable[[Entry], float | None]
) -> tuple[list[Point], list[str]]:
    """Markers of a leaderboard on one cost axis (``x_of``: Multi-Adds, #params …), with the
    Pareto front marked, and the methods with no value on that axis (listed, not placed)."""
    points: list[Point] = []
    unplaced: list[str] = []
    for e in entries:
        x = x_of(e)
        if x is None or x <= 0:
            unplaced.append(e.model)
            continue
        kind = "paper" if e.source == "paper" else "yours" if e.user else "measured"
        points.append(Point(e.model, float(x), e.psnr, e.params_k, kind, e.profile))
    for p, on in zip(points, pareto([(p.x, p.psnr) for p in points]), strict=True):
        p.pareto = on
    return points, unplaced


def published_points(
    entries: Sequence[Entry], x_of: Callable[[Entry], float | None]
) -> list[Point]:
    """The × of each measured zoo model's own published value, at the cost the paper prints
    (else the measured one)."""
    out = []
    for e in entries:
        ref = e.published
        if ref is None or ref.psnr is None:
            continue
        paper = Entry(e.model, "paper", None, ref.psnr, ref.ssim, ref.params_k, ref.multi_adds_g,
                      "paper")  # fmt: skip
        x = x_of(paper) or x_of(e)
        if x:
            out.append(Point(e.model, float(x), float(ref.psnr), ref.params_k, "published"))
    return out


# --------------------------------------------------------------------------- labels


@dataclass
class _Group:
    """Markers that share one label."""

    label: str
    members: list[int]  # marker indices
    priority: tuple[int, float]


def _label_groups(points: Sequence[Point], centers: Sequence[tuple[float, float]]) -> list[_Group]:
    """One group per name (a measured model and its published ×), merged with any other whose
    markers lie within :data:`SHARED_LABEL_PX`: those share a label."""
    names: dict[str, list[int]] = {}
    for i, p in enumerate(points):
        names.setdefault(p.label, []).append(i)
    groups = [list(m) for m in names.values()]
    merged = True
    while merged:
        merged = False
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                if any(
                    math.dist(centers[i], centers[j]) < SHARED_LABEL_PX
                    for i in groups[a]
                    for j in groups[b]
                ):
                    groups[a] += groups.pop(b)
                    merged = True
                    break
            if merged:
                break
    out = []
    for members in groups:
        labels = list(dict.fromkeys(points[i].label for i in members))
        shown = [i for i in members if points[i].kind != "published"] or members
        best = max(points[i].psnr for i in shown)
        first = 0 if any(points[i].kind in ("measured", "yours") for i in shown) else 1
        out.append(_Group(", ".join(labels), members, (first, -best)))
    return sorted(out, key=lambda g: g.priority)


def _box_at(anchor: tuple[float, float], angle: float, dist: float, w: float, h: float):
    """The label box (x0, y0, x1, y1) whose nearest point to ``anchor`` lies ``dist`` away in
    direction ``angle``: the box extends away from the marker."""
    c, s = math.cos(angle), math.sin(angle)
    px, py = anchor[0] + dist * c, anchor[1] + dist * s
    x0 = px if c > 0.35 else px - w if c < -0.35 else px - w / 2
    y0 = py if s > 0.35 else py - h if s < -0.35 else py - h / 2
    return (x0, y0, x0 + w, y0 + h)


def _box_distance(box: tuple[float, ...], point: tuple[float, float]) -> float:
    dx = max(box[0] - point[0], 0.0, point[0] - box[2])
    dy = max(box[1] - point[1], 0.0, point[1] - box[3])
    return math.hypot(dx, dy)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0.0) * max(h, 0.0)


# directions (preferred first) and distances (pixels beyond the marker's edge) a label may take
ANGLES = [math.radians(a) for a in (30, -30, 150, -150, 0, 180, 90, -90, *range(15, 360, 15))]
STEPS = (2, 5, 9, 14, 20, 28, 38, 50, 65, 85, 110, 140, 180, 230, 290)


def _place(
    group: _Group,
    size: tuple[float, float],
    centers: Sequence[tuple[float, float]],
    radii: Sequence[float],
    placed: Sequence[tuple[float, ...]],
    frame: tuple[float, float, float, float],
) -> tuple[tuple[float, ...], int] | None:
    """The best box for a group's label that lies inside the axes, overlaps no other label,
    and is nearer one of its own markers than any other marker; and the member it is anchored
    to. None when there is no such box."""
    w, h = size
    own = set(group.members)
    others = [c for i, c in enumerate(centers) if i not in own]
    best = None
    for member in group.members:
        for step in STEPS:
            for angle in ANGLES:
                box = _box_at(centers[member], angle, radii[member] + step, w, h)
                if box[0] < frame[0] or box[2] > frame[2] or box[1] < frame[1]:
                    continue
                if box[3] > frame[3] or any(_overlap(box, b) > 0 for b in placed):
                    continue
                mine = min(_box_distance(box, centers[i]) for i in own)
                if any(_box_distance(box, c) <= mine + 1.0 for c in others):
                    continue
                covered = sum(
                    _overlap(box, (c[0] - r, c[1] - r, c[0] + r, c[1] + r))
                    for i, (c, r) in enumerate(zip(centers, radii, strict=True))
                    if i not in own
                )
                cost = step + covered + (0 if member == group.members[0] else 5)
                if best is None or cost < best[0]:
                    best = (cost, box, member)
        if best is not None and best[0] < 50:
            break
    return None if best is None else (best[1], best[2])


def place_labels(fig: Figure, ax: Any, points: Sequence[Point], fontsize: float = 6.5) -> None:
    """Label every marker (published × share their model's label): each label is nearer its
    own marker than any other, overlaps no other label, and is joined to its marker by a leader
    line when set apart. A label that fits nowhere is merged with its nearest neighbour's."""
    renderer = fig.canvas.get_renderer()
    centers = [tuple(ax.transData.transform((p.x, p.psnr))) for p in points]
    radii = [_radius_px(p, fig) for p in points]
    bb = ax.bbox
    frame = (bb.x0 + 2, bb.y0 + 2, bb.x1 - 2, bb.y1 - 2)
    queue = _label_groups(points, centers)
    placed: list[tuple[float, ...]] = []
    done: list[tuple[_Group, tuple[float, ...], int]] = []
    while queue:
        group = queue.pop(0)
        probe = ax.text(0, 0, group.label, fontsize=fontsize)
        extent = probe.get_window_extent(renderer)
        probe.remove()
        spot = _place(group, (extent.width + 2, extent.height + 2), centers, radii, placed, frame)
        if spot is None:  # merge with the nearest group, placed or not, and try again
            rest = [g for g in queue] + [g for g, _, _ in done]
            nearest = min(
                rest,
                key=lambda g: min(
                    math.dist(centers[i], centers[j]) for i in g.members for j in group.members
                ),
            )
            if nearest in queue:
                queue.remove(nearest)
            else:
                k = next(k for k, (g, _, _) in enumerate(done) if g is nearest)
                done.pop(k)
                placed.pop(k)
            merged = _Group(
                f"{group.label}, {nearest.label}",
                group.members + nearest.members,
                min(group.priority, nearest.priority),
            )
            queue.insert(0, merged)
            continue
        box, member = spot
        placed.append(box)
        done.append((group, box, member))
    for group, box, member in done:
        _draw_label(ax, group.label, box, points[member], centers[member], radii[member], fontsize)


def _draw_label(
    ax: Any,
    text: str,
    box: tuple[float, ...],
    anchor: Point,
    center: tuple[float, float],
    radius: float,
    fontsize: float,
) -> None:
    """The label at its box (display pixels), with a leader line to its marker when apart."""
    apart = _box_distance(box, center) > radius + 7
    nearest = (min(max(center[0], box[0]), box[2]), min(max(center[1], box[1]), box[3]))
    ax.annotate(
        text,
        xy=(anchor.x, anchor.psnr),
        xytext=((box[0] + box[2]) / 2 - center[0], (box[1] + box[3]) / 2 - center[1]),
        textcoords="offset pixels",
        ha="center",
        va="center",
        fontsize=fontsize,
        color="black" if anchor.kind != "paper" else "0.3",
        annotation_clip=False,
        arrowprops=_leader(radius, _relpos(box, nearest)) if apart else None,
    )


def _leader(radius: float, relpos: tuple[float, float]) -> dict[str, Any]:
    """A thin grey line from the label to the edge of its marker."""
    style = {"arrowstyle": "-", "lw": 0.5, "color": "0.45", "shrinkA": 0, "shrinkB": radius}
    return {**style, "relpos": relpos}


def _relpos(box: tuple[float, ...], point: tuple[float, float]) -> tuple[float, float]:
    """Where on the label box (fractions of its width and height) the leader line starts."""
    return (
        (point[0] - box[0]) / max(box[2] - box[0], 1e-9),
        (point[1] - box[1]) / max(box[3] - box[1], 1e-9),
    )


# --------------------------------------------------------------------------- drawing


def _new_figure() -> tuple[Figure, Any]:
    """A figure on its own Agg canvas: the axes on the left, room on the right for the
    compact table and below for the legend and the note."""
    fig = Figure(figsize=(11.0, 5.8), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.07, 0.25, 0.58, 0.67))
    return fig, ax


def _set_axes(ax: Any, points: Sequence[Point], title: str, xlabel: str) -> None:
    """A log x axis always, limits with margins fixed before labels are placed."""
    xs = [p.x for p in points]
    ys = [p.psnr for p in points]
    ax.set_xscale("log")
    lo, hi = min(xs), max(xs)
    span = max(math.log10(hi / lo), 0.3)
    ax.set_xlim(lo / 10 ** (0.12 * span), hi * 10 ** (0.12 * span))
    ylo, yhi = min(ys), max(ys)
    pad = max(yhi - ylo, 0.1) * 0.12
    ax.set_ylim(ylo - pad, yhi + pad)
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_printed(v)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("PSNR (dB)")
    ax.grid(True, which="both", alpha=0.25)


def _scatter(ax: Any, points: Sequence[Point]) -> list[Line2D]:
    """The markers by kind, and their legend entries."""
    handles = []
    styles = {
        "paper": ({"facecolors": "none", "edgecolors": PAPER_GREY, "linewidths": 1.0}, "paper"),
        "measured": (
            {"c": MEASURED_COLOR, "edgecolors": "black", "linewidths": 0.5, "alpha": 0.85},
            "measured",
        ),
        "yours": (
            {"c": USER_COLOR, "edgecolors": "black", "linewidths": 0.5, "alpha": 0.9},
            "yours, measured",
        ),
    }
    for kind, (style, label) in styles.items():
        mine = [p for p in points if p.kind == kind]
        if not mine:
            continue
        ax.scatter([p.x for p in mine], [p.psnr for p in mine],
                   s=[_area(p.params_k) for p in mine], zorder=3, **style)  # fmt: skip
        face = style.get("c", "none")
        edge = style.get("edgecolors", "black")
        handles.append(Line2D([], [], ls="", marker="o", mfc=face, mec=edge, ms=7, label=label))
    published = [p for p in points if p.kind == "published"]
    if published:
        ax.scatter([p.x for p in published], [p.psnr for p in published], marker="x", s=24,
                   c="black", linewidths=0.9, zorder=4)  # fmt: skip
        handles.append(Line2D([], [], ls="", marker="x", c="black", ms=5,
                              label="published (measured model)"))  # fmt: skip
    return handles


def _draw_pareto(ax: Any, points: Sequence[Point]) -> list[Line2D]:
    """The Pareto front as a dashed staircase through its points."""
    front = sorted((p for p in points if p.pareto), key=lambda p: p.x)
    if len(front) < 2:
        return []
    ax.plot([p.x for p in front], [p.psnr for p in front], ls="--", lw=0.9, c="0.35",
            drawstyle="steps-post", zorder=2)  # fmt: skip
    return [Line2D([], [], ls="--", lw=0.9, c="0.35", label="Pareto front")]


def _size_key() -> list[Line2D]:
    """Legend markers showing how marker area maps to #params."""
    return [
        Line2D([], [], ls="", marker="o", mfc="none", mec="0.2", mew=0.6,
               ms=math.sqrt(_area(k)), label=f"{fmt_printed(k)} K params")
        for k in SIZE_KEY_K
    ]  # fmt: skip


def _compact_table(fig: Figure, points: Sequence[Point], value: str) -> None:
    """The leaderboard beside the axes: rank, model, PSNR and the x value (★ on the front)."""
    ranked = sorted((p for p in points if p.kind != "published"), key=lambda p: -p.psnr)
    rows = [
        [str(i), f"{p.label[:24]}{' ★' if p.pareto else ''}", fmt(p.psnr, 2), f"{p.x:.3g}"]
        for i, p in enumerate(ranked[:44], 1)
    ]
    text = table(["#", "model", "PSNR", value], rows, "plain")
    more = f"\n… {len(ranked) - 44} more in the CSV" if len(ranked) > 44 else ""
    fig.text(0.665, 0.92, text + more, family="monospace", fontsize=5.6, va="top", ha="left")


def draw(
    points: Sequence[Point],
    title: str,
    xlabel: str,
    value: str,
    note: str,
) -> Figure:
    """A leaderboard chart: markers, Pareto front, labels, legend, compact table and note."""
    fig, ax = _new_figure()
    handles = _scatter(ax, points)
    handles += _draw_pareto(ax, points)
    _set_axes(ax, points, title, xlabel)
    fig.legend(handles=[*handles, *_size_key()], loc="lower center", bbox_to_anchor=(0.36, 0.075),
               ncol=4, fontsize=6.5, frameon=False)  # fmt: skip
    place_labels(fig, ax, points)
    _compact_table(fig, points, value)
    fig.text(0.01, 0.012, note, fontsize=6, color="0.3", wrap=True, va="bottom")
    return fig


# --------------------------------------------------------------------------- figures

# (file prefix, axis title, compact-table column, the entry's value on that axis)
COST_AXES: tuple[tuple[str, str, str, Callable[[Entry], float | None]], ...] = (
    ("complexity", "Multi-Adds (G, 1280×720 output, log scale)", "G", lambda e: e.macs_g),
    ("params", "#Params (K, log scale)", "K", lambda e: e.params_k),
)


def _profile_note(data: ReportData, profile: str) -> str:
    """The convention profile of a chart's measured points, with its defining fields."""
    spec = next((r.get("profile_spec") or {} for r in data.results if r["profile"] == profile), {})
    border = "scale" if spec.get("border") is None else spec.get("border")
    return (
        f"Measured: this suite under profile {profile} (GT {spec.get('gt_crop', '?')}, LR "
        f"{spec.get('lr_mode', '?')}, {spec.get('channel', '?')}, border {border}); paper: as "
        "printed, each under its own paper's conventions"
    )


def _sources(entries: Sequence[Entry]) -> str:
    where = sorted({e.where for e in entries if e.source == "paper"})
    return f"Paper points: {'; '.join(where)}" if where else ""


def leaderboard_figures(
    data: ReportData, dataset: str, scale: float, profile: str
) -> list[PlotOut]:
    """The PSNR-vs-Multi-Adds and PSNR-vs-#params charts of one set × scale × profile."""
    entries, left_out = leaderboard(data, dataset, scale, profile)
    tag = f"{dataset}_x{scale:g}_{profile}"
    out = []
    for prefix, xlabel, value, x_of in COST_AXES:
        points, unplaced = leaderboard_points(entries, x_of)
        if not points:
            continue
        points += published_points([e for e in entries if e.source == "measured"], x_of)
        macs_from = sorted({e.macs_from for e in entries if e.source == "measured"})
        note = [_profile_note(data, profile), _sources(entries)]
        if prefix == "complexity" and macs_from:
            note.append(f"Measured Multi-Adds from {', '.join(macs_from)}")
        note.append("Marker area ∝ #params; ★ / dashed: Pareto front")
        if unplaced or left_out:
            note.append(f"Not placed: {', '.join([*unplaced, *left_out])}")
        title = f"{dataset} {scale_txt(scale)}: PSNR vs {xlabel.split(' (')[0]} — profile {profile}"
        fig = draw(points, title, xlabel, value, ". ".join(n for n in note if n) + ".")
        summary = {
            "dataset": dataset,
            "scale": scale,
            "profile": profile,
            "measured": sum(p.kind in ("measured", "yours") for p in points),
            "paper": sum(p.kind == "paper" for p in points),
            "published": sum(p.kind == "published" for p in points),
            "unplaced": [*unplaced, *left_out],
        }
        out.append(PlotOut(f"{prefix}_{tag}", fig, summary, points))
    return out


def _bench_value(bench: dict[str, Any], what: str) -> float | None:
    if what == "latency":
        lat = bench.get("latency_ms")
        value = lat.get("median") if isinstance(lat, dict) else None
        return float(value) if isinstance(value, int | float) else None
    return peak_memory(bench)


def _hardware(data: ReportData, key: str) -> str:
    """``cuda, fp16, NVIDIA H100`` when a benchmark result names the hardware, else the key."""
    shown = key.replace("__", ", ")
    name = next((bench_hardware(b) for b in data.benchmarks if b["key"] == key), None)
    return f"{shown}, {name}" if name else shown


def device_figures(data: ReportData, dataset: str, scale: float, profile: str) -> list[PlotOut]:
    """PSNR against median latency and against peak memory, one chart per device (and
    settings) on which at least :data:`MIN_MODELS` models of this leaderboard were measured."""
    entries, _ = leaderboard(data, dataset, scale, profile)
    measured = {e.model: e for e in entries if e.source == "measured"}
    out = []
    kinds = (("latency", "Latency (ms, median, log scale)", "ms"),
             ("memory", "Peak memory (MB, log scale)", "MB"))  # fmt: skip
    for what, xlabel, value in kinds:
        by_key: dict[str, list[Point]] = {}
        for b in data.benchmarks:
            e = measured.get(b["model"])
            x = _bench_value(b, what)
            if e is not None and x is not None and x > 0:
                kind = "yours" if e.user else "measured"
                by_key.setdefault(b["key"], []).append(
                    Point(e.model, x, e.psnr, e.params_k, kind, profile)
                )
        for key, points in sorted(by_key.items()):
            if len({p.label for p in points}) < MIN_MODELS:
                continue
            for p, on in zip(points, pareto([(p.x, p.psnr) for p in points]), strict=True):
                p.pareto = on
            title = (
                f"{dataset} {scale_txt(scale)}: PSNR vs {what} ({_hardware(data, key)}) — "
                f"profile {profile}"
            )
            note = f"{_profile_note(data, profile)}. Marker area ∝ #params."
            fig = draw(points, title, xlabel, value, note)
            summary = {"dataset": dataset, "scale": scale, "profile": profile, "device": key,
                       "measured": len(points), "paper": 0, "published": 0}  # fmt: skip
            out.append(
                PlotOut(f"{what}_{dataset}_x{scale:g}_{profile}_{key}", fig, summary, points)
            )
    return out


def make_figures(data: ReportData) -> list[PlotOut]:
    """Every chart: per set × scale × profile, the cost charts and the device charts."""
    out: list[PlotOut] = []
    for dataset, scale, profile in data.combos():
        out += leaderboard_figures(data, dataset, scale, profile)
        out += device_figures(data, dataset, scale, profile)
    return out


def save_figures(
    figures: Sequence[PlotOut], out_dir: Path, formats: Sequence[str] = FORMATS
) -> list[Path]:
    """Write each figure in each format, and its points as ``<figure>.csv``; returns the
    files written."""
    written = []
    for f in figures:
        for ext in formats:
            # no timestamps and fixed SVG ids: regenerating unchanged results changes no file
            meta = {"Date": None} if ext == "svg" else {"Software": None}

            def save(out: IO[bytes], fig: Figure = f.figure, ext: str = ext, meta=meta) -> None:
                with matplotlib.rc_context({"svg.hashsalt": "sr-suite"}):
                    fig.savefig(out, dpi=DPI, format=ext, metadata=meta)

            written.append(atomic_write(Path(out_dir) / f"{f.name}.{ext}", save))
        csv_path = Path(out_dir) / f"{f.name}.csv"
        write_csv(csv_path, f.rows(), CSV_FIELDS)
        written.append(csv_path)
    return written


FIGURE_KINDS = ("complexity", "params", "latency", "memory")  # the prefixes of figure names
FIGURE_FILES = (*FORMATS, "pdf", "csv")


def stale_figures(out_dir: Path, written: Sequence[Path]) -> list[Path]:
    """The files in ``out_dir`` named like a figure or its CSV (``complexity_….png``) that are
    not among ``written``: left by an earlier run (another layout, or models since gone)."""
    keep = {Path(p).name for p in written}
    return [
        p
        for p in sorted(Path(out_dir).glob("*"))
        if p.is_file()
        and p.name not in keep
        and p.name.split("_", 1)[0] in FIGURE_KINDS
        and p.suffix.lstrip(".") in FIGURE_FILES
    ]


def plot_results(
    results_dirs: Path | Sequence[Path],
    out_dir: Path | None = None,
    formats: Sequence[str] = FORMATS,
    clean: bool = False,
    **inputs: Any,
) -> tuple[list[Path], list[Path]]:
    """Collect one results folder or several and write their figures (default
    ``<results_dir>/plots`` for one folder); with ``clean``, remove the :func:`stale_figures`
    there. Returns the files written and those removed. ``inputs`` are
    :func:`~suite.reporting.collect.collect`'s keywords (``reference_dir``, ``tables``,
    ``tol``, ``bench_dirs``, ``with_zoo``)."""
    data = collect(results_dirs, **inputs)
    out = Path(out_dir) if out_dir else data.results_dirs[0] / "plots"
    written = save_figures(make_figures(data), out, formats)
    removed = stale_figures(out, written) if clean else []
    for path in removed:
        path.unlink()
    return written, removed
