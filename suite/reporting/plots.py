"""Complexity-vs-PSNR and latency-vs-PSNR figures: measured points among the paper's.

One figure per dataset × scale: Multi-Adds (G) on x, PSNR on y, marker area ∝ #params, every
point labelled. Measured points (this suite) are filled; methods known only from the reference
tables are hollow grey; a black × (dotted line to the measurement when apart) marks the published
value of a measured model, so a gap between paper and measurement shows at a glance. Your own
models (no reference table lists them) are filled points among every published method of the
tables for their set and scale, and, when asked, among the zoo's measured runs. Figures are
drawn on matplotlib's Agg canvas directly (no pyplot, no global backend state).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
    ReportData,
    bench_hardware,
    collect,
    paper_complexity,
    paper_only,
    same_scale,
)
from suite.reporting.format import fmt_printed, scale_txt

FORMATS = ("png", "svg")
DPI = 160
AREA_PER_K = 0.25  # marker area (pt²) per thousand parameters: 1000 K -> 250 pt²
PAPER_GREY = "0.55"
SIZE_KEY_K = (300, 1000)  # legend markers showing the area scale
PROFILE_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


@dataclass
class Point:
    """One marker: a method at (x, PSNR), sized by #params."""

    label: str
    x: float
    psnr: float
    params_k: float | None
    kind: str  # "measured" | "paper" (reference table only) | "published" (of a measured model)
    profile: str = ""
    anchors: list[tuple[float, float]] = field(default_factory=list)  # measured, for "published"


@dataclass
class PlotOut:
    """A drawn figure, its file stem, and what it shows (for tests and logs)."""

    name: str
    figure: Figure
    summary: dict[str, Any] = field(default_factory=dict)


def _area(params_k: float | None) -> float:
    return max(20.0, AREA_PER_K * params_k) if params_k else 40.0


def complexity_points(data: ReportData, dataset: str, scale: float) -> dict[str, Any]:
    """Measured, paper-only and published points of one dataset × scale, and what was left out.

    Measured x: the ``suite bench`` default counter, else the reference tables' Multi-Adds.
    Paper-only: reference rows without a measured result (one per method, Multi-Adds preferred).
    """
    refs = data.refs_at(dataset, scale)
    results = [r for r in data.results if r["dataset"] == dataset and same_scale(r["scale"], scale)]
    measured_ids = {r["model"] for r in results}
    multi_profile = len({r["profile"] for r in results}) > 1
    out: dict[str, Any] = {"measured": [], "paper": [], "published": [], "unplaced": []}
    x_sources: set[str] = set()
    published: dict[str, Point] = {}
    for res in results:
        model, psnr = res["model"], res["psnr"]
        pub = next((r for r in refs if r.model_id == model), None)
        x, counter = data.measured_macs(model)
        if x is not None:
            x_sources.add(f"suite bench ({counter})")
        else:
            x = pub.multi_adds_g if pub and pub.multi_adds_g is not None else None
            x = x if x is not None else paper_complexity(data.all_refs(), model)[1]
            x_sources.add("the reference table")
        params = data.measured_params(model)
        params_k = params / 1000.0 if params else paper_complexity(data.all_refs(), model)[0]
        label = f"{model} [{res['profile']}]" if multi_profile else model
        if res.get("partial"):  # its mean misses images: comparable with nothing
            out["unplaced"].append(f"{label} (partial result)")
            continue
        if x is None or psnr is None:
            out["unplaced"].append(label)
            continue
        out["measured"].append(Point(label, x, psnr, params_k, "measured", res["profile"]))
        if pub is not None:
            if model not in published:
                px = pub.multi_adds_g if pub.multi_adds_g is not None else x
                published[model] = Point(model, px, pub.psnr, pub.params_k, "published")
            published[model].anchors.append((x, psnr))
    sources: set[str] = set()
    for r in paper_only(refs, measured_ids):
        if r.multi_adds_g is None:
            out["unplaced"].append(r.method)
        else:
            label = r.model_id if r.model_id in data.models else r.method  # a sibling: its id
            out["paper"].append(Point(label, r.multi_adds_g, r.psnr, r.params_k, "paper"))
            sources.add(f"{r.paper} {r.table}")
    out["published"] = list(published.values())
    out["x_sources"] = sorted(x_sources)
    out["sources"] = sorted(sources)
    return out


def latency_points(data: ReportData, dataset: str, scale: float) -> dict[str, list[Point]]:
    """Measured points with a median latency, per device (and settings variant) benchmarked."""
    out: dict[str, list[Point]] = {}
    results = [r for r in data.results if r["dataset"] == dataset and same_scale(r["scale"], scale)]
    multi_profile = len({r["profile"] for r in results}) > 1
    for res in results:
        for bench in data.benchmarks:
            lat = bench.get("latency_ms")
            if bench["model"] != res["model"] or not isinstance(lat, dict):
                continue
            median = lat.get("median")
            if not isinstance(median, int | float) or res["psnr"] is None:
                continue
            params = data.measured_params(res["model"])
            label = f"{res['model']} [{res['profile']}]" if multi_profile else res["model"]
            out.setdefault(bench["key"], []).append(
                Point(
                    label,
                    float(median),
                    res["psnr"],
                    params / 1000.0 if params else None,
                    "measured",
                    res["profile"],
                )
            )
    return out


# --------------------------------------------------------------------------- drawing


def _profile_note(data: ReportData, names: Sequence[str]) -> str:
    """The convention profiles of a figure's points, with their defining fields."""
    specs = {r["profile"]: r.get("profile_spec") or {} for r in data.results}
    parts = []
    for name in sorted(names):
        s = specs[name]
        border = "scale" if s.get("border") is None else s.get("border")
        parts.append(
            f"{name} (GT {s.get('gt_crop', '?')}, LR {s.get('lr_mode', '?')}, "
            f"{s.get('channel', '?')}, border {border})"
        )
    return "Profile: " + "; ".join(parts)


def _place_labels(fig: Figure, ax: Any, points: Sequence[Point]) -> None:
    """Label every point, trying offsets around its marker until the label hits nothing."""
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72.0
    obstacles = []
    for p in points:
        cx, cy = ax.transData.transform((p.x, p.psnr))
        r = math.sqrt(_area(p.params_k)) / 2 * px_per_pt
        obstacles.append((cx - r, cy - r, cx + r, cy + r))
    frame = ax.bbox
    for p in sorted(points, key=lambda q: -q.psnr):
        r = math.sqrt(_area(p.params_k)) / 2 + 2
        candidates = [
            (r, r, "left", "bottom"),
            (r, -r, "left", "top"),
            (-r, r, "right", "bottom"),
            (-r, -r, "right", "top"),
            (0, r + 3, "center", "bottom"),
            (0, -r - 3, "center", "top"),
            (r + 3, 0, "left", "center"),
            (-r - 3, 0, "right", "center"),
            (2 * r, 2.5 * r, "left", "bottom"),
            (-2 * r, -2.5 * r, "right", "top"),
        ]
        best = None
        for dx, dy, ha, va in candidates:
            text = ax.annotate(
                p.label,
                (p.x, p.psnr),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=7,
                color="black" if p.kind == "measured" else "0.35",
            )
            bb = text.get_window_extent(renderer)
            box = (bb.x0, bb.y0, bb.x1, bb.y1)
            cost = sum(_overlap(box, o) for o in obstacles)
            cost += 1e6 * (bb.x0 < frame.x0 or bb.x1 > frame.x1 or bb.y0 < frame.y0)
            cost += 1e6 * (bb.y1 > frame.y1)
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, text, box)
            else:
                text.remove()
            if cost == 0:
                break
        assert best is not None
        obstacles.append(best[2])


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0.0) * max(h, 0.0)


def _new_axes() -> tuple[Figure, Any]:
    """An empty figure on its own Agg canvas, room left below the axes for legend and note."""
    fig = Figure(figsize=(7.5, 5.4), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.1, right=0.97, top=0.93, bottom=0.24)
    return fig, ax


def _draw_paper(ax: Any, paper: Sequence[Point]) -> list[Line2D]:
    """Methods known only from the reference tables: hollow grey markers."""
    if not paper:
        return []
    ax.scatter(
        [p.x for p in paper],
        [p.psnr for p in paper],
        s=[_area(p.params_k) for p in paper],
        facecolors="none",
        edgecolors=PAPER_GREY,
        linewidths=1.2,
        zorder=2,
    )
    return [Line2D([], [], ls="", marker="o", mfc="none", mec=PAPER_GREY, ms=8, label="paper only")]


def _draw_published(ax: Any, published: Sequence[Point]) -> list[Line2D]:
    """The published values of measured models: a grey × dotted to each measurement."""
    for p in published:
        for ax_, ay in p.anchors:
            ax.plot([p.x, ax_], [p.psnr, ay], ls=":", lw=0.9, c="0.45")
    if not published:
        return []
    ax.scatter([p.x for p in published], [p.psnr for p in published], marker="x", s=28, c="0.3")
    return [Line2D([], [], ls="", marker="x", c="black", ms=6, label="published (measured model)")]


def _draw_measured(ax: Any, measured: Sequence[Point], profiles: Sequence[str]) -> list[Line2D]:
    """This suite's points, filled, one colour per convention profile."""
    handles = []
    for i, profile in enumerate(profiles):
        mine = [p for p in measured if p.profile == profile]
        if not mine:
            continue
        color = PROFILE_COLORS[i % len(PROFILE_COLORS)]
        ax.scatter(
            [p.x for p in mine],
            [p.psnr for p in mine],
            s=[_area(p.params_k) for p in mine],
            c=color,
            alpha=0.85,
            edgecolors="black",
            linewidths=0.6,
            zorder=3,
        )
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                mfc=color,
                mec="black",
                ms=8,
                label=f"measured ({profile})",
            )
        )
    return handles


def _set_axes(ax: Any, points: Sequence[Point], title: str, xlabel: str) -> None:
    """A log x axis when the points span more than 8×, margins, title, labels and grid."""
    xs = [p.x for p in points]
    if xs and min(xs) > 0 and max(xs) / min(xs) > 8:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_printed(v)))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.margins(x=0.12, y=0.15)
    ax.autoscale_view()
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("PSNR (dB)")
    ax.grid(True, which="both", alpha=0.3)


def _size_key() -> list[Line2D]:
    """Legend markers showing how marker area maps to #params."""
    return [
        Line2D([], [], ls="", marker="o", mfc="none", mec="0.2", mew=0.6,
               ms=math.sqrt(_area(k)), label=f"{fmt_printed(k)} K params")
        for k in SIZE_KEY_K
    ]  # fmt: skip


def _add_legend(fig: Figure, handles: Sequence[Line2D]) -> None:
    """One legend below the axes, in one row up to five entries, else two."""
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.075),
        ncol=len(handles) if len(handles) <= 5 else math.ceil(len(handles) / 2),
        fontsize=7,
        frameon=False,
    )


def _add_note(fig: Figure, note: str) -> None:
    """The small print at the bottom: profiles, sources, what was left out."""
    fig.text(0.01, 0.015, note, fontsize=6.5, color="0.3", wrap=True, va="bottom")


def draw(
    points: dict[str, list[Point]],
    title: str,
    xlabel: str,
    note: str,
    profiles: Sequence[str],
) -> Figure:
    """A scatter of measured / paper-only / published points with labels, legend and note."""
    fig, ax = _new_axes()
    paper, published = points.get("paper", []), points.get("published", [])
    measured = points.get("measured", [])
    handles = _draw_paper(ax, paper)
    handles += _draw_published(ax, published)
    handles += _draw_measured(ax, measured, profiles)
    everything = paper + published + measured
    _set_axes(ax, everything, title, xlabel)
    _add_legend(fig, handles + _size_key())
    _place_labels(fig, ax, [p for p in everything if p.kind != "published"])
    _add_note(fig, note)
    return fig


def _hardware(data: ReportData, key: str) -> str:
    """``cuda, fp16, NVIDIA H100`` when a benchmark result names the hardware, else the key."""
    shown = key.replace("__", ", ")
    for b in data.benchmarks:
        name = bench_hardware(b)
        if b["key"] == key and name:
            return f"{shown}, {name}"
    return shown


def make_figures(data: ReportData) -> list[PlotOut]:
    """Every complexity figure (and latency figure where latency exists)."""
    combos = sorted(
        {(r["dataset"], float(r["scale"])) for r in data.results},
        key=lambda k: (k[1], k[0]),
    )
    out: list[PlotOut] = []
    for dataset, scale in combos:
        names = {
            r["profile"]
            for r in data.results
            if r["dataset"] == dataset and same_scale(r["scale"], scale)
        }
        profile_note = _profile_note(data, names)
        pts = complexity_points(data, dataset, scale)
        tag = f"{dataset}_x{scale:g}"
        note = [profile_note, f"Measured Multi-Adds from {', '.join(pts['x_sources'])}"]
        if pts["sources"]:
            note.append(f"Paper-only points: {'; '.join(pts['sources'])}")
        note.append("Marker area ∝ #params")
        if pts["unplaced"]:
            note.append(f"Not placed (no Multi-Adds unless noted): {', '.join(pts['unplaced'])}")
        fig = draw(
            pts,
            f"{dataset} {scale_txt(scale)}: PSNR vs Multi-Adds",
            "Multi-Adds (G, 1280×720 output)",
            ". ".join(note) + ".",
            data.profile_names,
        )
        summary = {k: len(pts[k]) for k in ("measured", "paper", "published")}
        summary.update(dataset=dataset, scale=scale, unplaced=pts["unplaced"])
        out.append(PlotOut(f"complexity_{tag}", fig, summary))
        for key, lat in latency_points(data, dataset, scale).items():
            shown = key.replace("__", ", ")  # "cuda__fp16" -> "cuda, fp16"
            fig = draw(
                {"measured": lat},
                f"{dataset} {scale_txt(scale)}: PSNR vs latency ({_hardware(data, key)})",
                f"Latency (ms, median, {shown})",
                f"{profile_note}. Marker area ∝ #params.",
                data.profile_names,
            )
            summary = {"measured": len(lat), "paper": 0, "published": 0, "device": key}
            out.append(PlotOut(f"latency_{tag}_{key}", fig, summary))
    return out


def save_figures(
    figures: Sequence[PlotOut], out_dir: Path, formats: Sequence[str] = FORMATS
) -> list[Path]:
    """Write each figure in each format; returns the files written."""
    written = []
    for f in figures:
        for ext in formats:
            # no timestamps and fixed SVG ids: regenerating unchanged results changes no file
            meta = {"Date": None} if ext == "svg" else {"Software": None}

            def save(out: IO[bytes], fig: Figure = f.figure, ext: str = ext, meta=meta) -> None:
                with matplotlib.rc_context({"svg.hashsalt": "sr-suite"}):
                    fig.savefig(out, dpi=DPI, format=ext, metadata=meta)

            written.append(atomic_write(Path(out_dir) / f"{f.name}.{ext}", save))
    return written


def plot_results(
    results_dir: Path,
    out_dir: Path | None = None,
    formats: Sequence[str] = FORMATS,
    **inputs: Any,
) -> list[Path]:
    """Collect a results folder and write its figures (default ``<results_dir>/plots``);
    ``inputs`` are :func:`~suite.reporting.collect.collect`'s keywords (``reference_dir``,
    ``tables``, ``tol``, ``bench_dirs``, ``with_zoo``)."""
    data = collect(results_dir, **inputs)
    out = Path(out_dir) if out_dir else Path(results_dir) / "plots"
    return save_figures(make_figures(data), out, formats)
