"""The markdown report of a results folder: measured vs published, in the paper's own layout.

One file a reviewer can read in a minute: summary, paper-layout tables, your own models ranked
among the published methods of their set and scale, complexity and latency, the convention
profile, provenance, diagnoses, and per-image scores in an appendix. The data comes from
``collect``; every number and table is formatted by ``format``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from suite.data.datasets import dataset_order
from suite.files import atomic_write_text
from suite.reporting.collect import (
    Group,
    ReportData,
    bench_hardware,
    collect,
    is_user,
    paper_complexity,
    paper_only,
    peak_memory,
    same_scale,
)
from suite.reporting.format import (
    MISSING,
    fmt,
    fmt_count,
    fmt_delta,
    fmt_printed,
    fmt_rel,
    plural,
    scale_txt,
    table,
)
from suite.results.compare import explain_rounding, is_finite_number, summarize
from suite.results.reference import ReferenceRow

STATUS_MARK = {"reproduced": "✓", "close": "≈", "deviates": "✗"}
STATUSES = ("reproduced", "close", "deviates", "not measured", "not published")


def _digits(rows: Sequence[ReferenceRow]) -> tuple[int, int]:
    """Digits to show for PSNR/SSIM: one more than printed, at most full precision's 4/5."""
    pd = max((r.psnr_decimals for r in rows if r.psnr is not None), default=2)
    sd = max((r.ssim_decimals for r in rows if r.ssim is not None), default=4)
    return max(3, min(pd, 4)), max(4, min(sd, 5))


# --------------------------------------------------------------------------- sections


def summary_section(data: ReportData) -> str:
    """One paragraph of counts and worst deltas, then the same per reference table."""
    cells = data.all_cells()
    s = summarize(cells)
    counts = s["counts"]
    n_models = len({r["model"] for r in data.results})
    n_sets = len({r["dataset"] for r in data.results})
    line = (
        f"**{plural(len(data.results), 'result')}** ({plural(n_models, 'model')} × "
        f"{plural(n_sets, 'dataset')}, profile {', '.join(data.profile_names)}) judged against "
        f"{plural(len(data.groups), 'reference table')}: "
        + ", ".join(f"**{counts.get(k, 0)} {k}**" for k in STATUSES[:4])
        + f", {counts.get('not published', 0)} not published (cells = model × dataset × metric)."
    )
    worst = []
    for metric, unit, digits in (("psnr", " dB", 4), ("ssim", "", 5)):
        compared = [c for c in cells if c.metric == metric and c.delta is not None]
        w = max(compared, key=lambda c: abs(c.delta or 0.0), default=None)
        if w:
            where = f", profile {w.profile}" if len(data.profile_names) > 1 else ""
            worst.append(
                f"worst {metric.upper()} Δ {fmt_delta(w.delta, digits)}{unit} "
                f"({w.model} on {w.dataset}, vs {w.source}{where})"
            )
    if worst:
        text = "; ".join(worst)
        line += f" {text[0].upper()}{text[1:]}."
    missing = data.unmeasured_models()
    if missing:
        line += " Not measured: " + "; ".join(f"{m} ({why})" for m, why in missing.items()) + "."
    if data.user_models:
        line += (
            f" Your models ({', '.join(data.user_models)}) are in no reference table: they are "
            "ranked among the published methods of their set and scale below."
        )
    if not data.cells:
        return "\n\n".join(["## Summary", line])
    rows = []
    for (group, profile), gcells in data.cells.items():
        gs = summarize(gcells)
        w = gs["worst"]["psnr"]
        rows.append(
            [
                f"{group[0]} — {group[1]}",
                profile,
                *(str(gs["counts"].get(k, 0)) for k in STATUSES),
                f"{fmt_delta(w['delta'], 4)} ({w['model']}, {w['dataset']})" if w else MISSING,
            ]
        )
    header = ["reference table", "profile", *STATUSES, "worst PSNR Δ (dB)"]
    tol = data.tol
    legend = (
        f"Reproduced = equal at the printed precision (or within {tol.psnr_floor} dB / "
        f"{tol.ssim_floor} SSIM for full-precision sources); close = within {tol.psnr_close} dB"
        f" / {tol.ssim_close}; deviates = anything larger."
    )
    return "\n\n".join(["## Summary", line, table(header, rows), legend])


def explained_section(data: ReportData) -> str | None:
    """Gaps that lie inside the paper's own numbers (printed table vs the authors' record)."""
    cells = data.all_cells()
    explain_rounding(cells)
    seen: set[str] = set()
    lines = []
    for c in cells:
        if c.note and c.note not in seen:
            seen.add(c.note)
            lines.append(f"- {c.model} on {c.dataset}, {c.metric.upper()}: {c.note}.")
    if not lines:
        return None
    intro = (
        "These cells miss a rounded table although the same run reproduces the authors' "
        "more precise source: the printed value is not the rounding of their own number."
    )
    return "\n\n".join(["## Explained gaps", intro, "\n".join(lines)])


def _model_order(rows: Sequence[ReferenceRow], models: set[str]) -> list[str]:
    """Models in the paper's order: by scale, then as the table lists them."""
    seen: dict[str, tuple[float, int]] = {}
    for i, r in enumerate(rows):
        if r.model_id in models and r.model_id not in seen:
            seen[r.model_id] = (r.scale, i)
    return sorted(seen, key=lambda m: seen[m])


def paper_table(data: ReportData, group: Group, profile: str) -> str:
    """Measured, paper and Δ lines per model × scale, datasets as the paper's columns."""
    rows = data.groups[group]
    results = {(r["model"], r["dataset"]): r for r in data.results_for(profile)}
    models = _model_order(rows, {m for m in data.models if any(r.model_id == m for r in rows)})
    by_key = {(r.model_id, r.dataset): r for r in rows if r.model_id}
    cells = {(c.model, c.dataset, c.metric): c for c in data.cells.get((group, profile), [])}
    datasets = sorted(
        {r.dataset for r in rows if r.model_id in models}
        | {d for (m, d) in results if m in models},
        key=dataset_order,
    )
    pd, sd = _digits(rows)
    out = []
    for model in models:
        scale = next(r.scale for r in rows if r.model_id == model)
        method = next(r.method for r in rows if r.model_id == model)
        name = model if method == model else f"{model} ({method})"
        params = data.measured_params(model)
        macs, _ = data.measured_macs(model)
        p_params, p_macs = paper_complexity(rows, model)
        k = None if params is None else params / 1000.0
        measured = [name, scale_txt(scale), "measured", fmt(k, 1), fmt(macs, 2)]
        paper = ["", "", "paper", fmt_printed(p_params), fmt_printed(p_macs)]
        delta = ["", "", "Δ", fmt_rel(k, p_params), fmt_rel(macs, p_macs)]
        for ds in datasets:
            res, ref = results.get((model, ds)), by_key.get((model, ds))
            measured.append(f"{fmt(res['psnr'], pd)} / {fmt(res['ssim'], sd)}" if res else MISSING)
            paper.append(
                f"{fmt(ref.psnr, min(ref.psnr_decimals, pd))} / "
                f"{fmt(ref.ssim, min(ref.ssim_decimals, sd))}"
                if ref and (ref.psnr is not None or ref.ssim is not None)
                else MISSING
            )
            parts = []
            for metric, digits in (("psnr", pd), ("ssim", sd)):
                c = cells.get((model, ds, metric))
                if c is None or c.delta is None:
                    parts.append(MISSING)
                else:
                    parts.append(f"{fmt_delta(c.delta, digits)} {STATUS_MARK[c.status]}")
            delta.append(" / ".join(parts) if any(p != MISSING for p in parts) else MISSING)
        out += [measured, paper, delta]
    header = ["Model", "Scale", "", "#Params (K)", "Multi-Adds (G)", *datasets]
    return table(header, out)


def paper_tables_section(data: ReportData) -> str:
    """One paper-layout table per judged reference table (and convention profile)."""
    parts = [
        "## Measured vs published (paper layout)",
        "Each model has three lines: *measured* (this suite), *paper* (as printed) and "
        "*Δ* = measured − paper, per dataset `PSNR (dB) / SSIM`, with ✓ reproduced, "
        "≈ close, ✗ deviates. Measured #Params are counted from the architecture, Multi-Adds "
        f"come from `suite bench` results (1280×720 output) when present; {MISSING} = no value.",
    ]
    for group in data.groups:
        for profile in data.profile_names:
            title = f"### {group[0]} — {group[1]}"
            if len(data.profile_names) > 1:
                title += f" (profile `{profile}`)"
            parts += [title, paper_table(data, group, profile)]
    if not data.groups:
        mine = " (your models are ranked among the published methods below)"
        parts.append(f"No reference table lists a measured model{mine * bool(data.user_models)}.")
    return "\n\n".join(parts)


def _placed(data: ReportData, dataset: str, scale: float) -> tuple[list[list[str]], list[str]]:
    """Rows of one set and scale, best PSNR first: measured results (yours in bold) and every
    published method of the tables there; and the results left out (partial, no number)."""
    measured = [
        r for r in data.results if r["dataset"] == dataset and same_scale(r["scale"], scale)
    ]
    ranked: list[tuple[float, list[str]]] = []
    left_out = []
    for r in measured:
        if r.get("partial") or not is_finite_number(r["psnr"]):
            left_out.append(f"{r['model']} [{r['profile']}] (partial or no number)")
            continue
        params = data.measured_params(r["model"])
        macs, _ = data.measured_macs(r["model"])
        mine = is_user(r)
        ranked.append(
            (
                r["psnr"],
                [
                    f"**{r['model']}**" if mine else r["model"],
                    f"{'yours' if mine else 'zoo'}, measured (`{r['profile']}`)",
                    "this suite",
                    fmt(None if params is None else params / 1000.0, 1),
                    fmt(macs, 2),
                    fmt(r["psnr"], 4),
                    fmt(r["ssim"], 5),
                ],
            )
        )
    for ref in paper_only(data.refs_at(dataset, scale), {r["model"] for r in measured}):
        ssim = None if ref.ssim is None else fmt(ref.ssim, ref.ssim_decimals)
        ranked.append(
            (
                float(ref.psnr or 0.0),
                [
                    ref.method,
                    "paper",
                    f"{ref.paper} — {ref.table}",
                    fmt_printed(ref.params_k),
                    fmt_printed(ref.multi_adds_g),
                    fmt(ref.psnr, ref.psnr_decimals),
                    ssim,
                ],
            )
        )
    ranked.sort(key=lambda item: -item[0])
    return [[str(i), *cells] for i, (_, cells) in enumerate(ranked, 1)], left_out


def placement_section(data: ReportData) -> str | None:
    """Your models ranked by PSNR among every published method of the reference tables for
    their set and scale (and among the zoo's measured runs when they were added); None when
    the results hold none of your models."""
    mine = [r for r in data.results if is_user(r)]
    if not mine:
        return None
    parts = [
        "## Your models among published results",
        "Your models are in no reference table, so each is ranked by PSNR among every method "
        "the reference tables publish for its set and scale (as printed, each under its paper's "
        "own conventions) and the runs measured here (under the profile named). #Params and "
        "Multi-Adds of measured models come from `suite bench` results (1280×720 output).",
    ]
    combos = sorted(
        {(r["dataset"], float(r["scale"])) for r in mine},
        key=lambda k: (k[1], dataset_order(k[0])),
    )
    header = ["#", "Model", "Kind", "Source", "#Params (K)", "Multi-Adds (G)", "PSNR (dB)", "SSIM"]
    for dataset, scale in combos:
        rows, left_out = _placed(data, dataset, scale)
        parts += [f"### {dataset} {scale_txt(scale)}", table(header, rows)]
        if left_out:
            parts.append("Not ranked: " + ", ".join(left_out) + ".")
    return "\n\n".join(parts)


def complexity_section(data: ReportData) -> str | None:
    """#params and Multi-Adds from every counter, next to the paper's; None without benchmarks."""
    models = sorted({b["model"] for b in data.benchmarks})
    if not models:
        return None
    counters = sorted(
        {
            k
            for b in data.benchmarks
            if isinstance(b.get("macs"), dict)
            for k in b["macs"]
            if k != "default"
        }
    )
    refs = data.all_refs()
    rows = []
    default_name = None
    for model in models:
        bench = data.bench_of(model) or {}
        macs = bench.get("macs") if isinstance(bench.get("macs"), dict) else {}
        default_name = macs.get("default", default_name)
        p_params, p_macs = paper_complexity(refs, model)
        value, _ = data.measured_macs(model)
        params, checkpoint_params = (
            n if isinstance(n, int) else None
            for n in (bench.get("params"), bench.get("checkpoint_params"))
        )
        rows.append(
            [
                model,
                fmt_count(params),
                fmt_count(checkpoint_params),
                fmt_printed(p_params),
                *(fmt(macs.get(c), 2) for c in counters),
                fmt_printed(p_macs),
                fmt_rel(value, p_macs),
            ]
        )
    header = [
        "Model",
        "#Params",
        "#Params (checkpoint)",
        "paper #Params (K)",
        *(f"{c}{'*' if c == default_name else ''} (G)" for c in counters),
        "paper Multi-Adds (G)",
        "Δ (default counter)",
    ]
    note = (
        f"Multi-Adds (G MACs at a 1280×720 output) from each counter; * marks the default "
        f"counter (`{default_name}`) used in the tables and plots."
    )
    return "\n\n".join(["## Complexity", table(header, rows), note])


def latency_section(data: ReportData) -> str | None:
    """Latency and peak memory per model × device; None when nothing was timed."""
    rows = []
    for b in data.benchmarks:
        lat = b.get("latency_ms")
        if not isinstance(lat, dict) and b.get("peak_memory_mb") is None:
            continue
        lat = lat if isinstance(lat, dict) else {}
        rows.append(
            [
                b["model"],
                b["device"],
                b.get("variant") or "default",
                str(bench_hardware(b) or MISSING),
                *(fmt(lat.get(k), 2) for k in ("median", "mean", "std", "min")),
                str(lat.get("count", MISSING)),
                fmt(peak_memory(b), 1),
            ]
        )
    if not rows:
        return None
    header = ["Model", "Device", "Settings", "Hardware", "median (ms)", "mean", "std", "min"]
    header.append("runs")
    return "\n\n".join(["## Latency", table([*header, "peak memory (MB)"], rows)])


def conventions_section(data: ReportData) -> str:
    """Every convention profile used, by name and field."""
    parts = ["## Convention profile"]
    specs = {r["profile"]: r.get("profile_spec") or {} for r in data.results}
    for name in data.profile_names:
        spec = specs[name]
        parts.append(f"**`{name}`** — {spec.get('description', '')}".rstrip(" —"))
        fields = [
            [k, "scale" if k == "border" and v is None else str(v)]
            for k, v in spec.items()
            if k not in ("name", "description")
        ]
        if fields:
            parts.append(table(["field", "value"], fields))
    return "\n\n".join(parts)


def _distinct(values: Iterable[Any]) -> str:
    """The one value all share, else each value with its count, most common first."""
    counts = Counter(str(v) for v in values if v not in (None, ""))
    if not counts:
        return MISSING
    if len(counts) == 1:
        return next(iter(counts))
    return ", ".join(f"{v} ({n})" for v, n in counts.most_common())


def provenance_section(data: ReportData) -> str:
    """Checkpoints, data, software, device, git revision and when it ran."""
    res = data.results
    ckpts = {}
    for r in res:
        ck = r.get("checkpoint") or {}
        ckpts[r["model"]] = [
            r["model"],
            Path(str(ck.get("file") or MISSING)).name,
            f"`{str(ck.get('sha256') or '')[:12]}`" if ck.get("sha256") else MISSING,
        ]
    sets = {}
    for r in res:
        d = r.get("data") or {}
        manifest = d.get("manifest") or {}
        sets.setdefault(r["dataset"], []).append(
            (manifest.get("status", MISSING), r.get("n_images"), d.get("layout"))
        )
    set_rows = [
        [
            ds,
            _distinct(s for s, _, _ in v),
            _distinct(n for _, n, _ in v),
            _distinct(x[2] for x in v),
        ]
        for ds, v in sorted(sets.items(), key=lambda kv: dataset_order(kv[0]))
    ]
    env_keys = ("suite", "git", "python", "torch", "numpy", "platform", "cpu", "device")
    env_rows = [
        [k, _distinct((r.get("env") or {}).get(k) for r in res)]
        for k in (*env_keys, "torch_threads")
    ]
    stamps = sorted(str(r["timestamp"]) for r in res if r.get("timestamp"))
    when = f"{stamps[0]} → {stamps[-1]}" if stamps else MISSING
    elapsed = sum(float(r.get("elapsed_s") or 0.0) for r in res)
    env_rows += [["timestamps", when], ["evaluation time", f"{fmt(elapsed, 0)} s"]]
    return "\n\n".join(
        [
            "## Provenance",
            table(["model", "checkpoint", "sha256"], list(ckpts.values())),
            *_user_provenance(res),
            table(["dataset", "manifest", "images", "layout"], set_rows),
            table(["", "value"], env_rows),
        ]
    )


def _user_provenance(results: Sequence[dict[str, Any]]) -> list[str]:
    """What your models were: class reference, constructor arguments, source file and the
    sha256 of the evaluated state dict (nothing when there are none)."""
    rows = {}
    for r in results:
        u = r.get("user_model")
        if is_user(r) and isinstance(u, dict):
            sha = str(u.get("state_dict_sha256") or "")
            rows[r["model"]] = [
                r["model"],
                f"`{u.get('reference', MISSING)}`",
                f"`{json.dumps(u.get('arch_kwargs') or {})}`",
                str(u.get("source_file") or MISSING),
                f"`{sha[:12]}`" if sha else MISSING,
            ]
    if not rows:
        return []
    header = ["your model", "class", "arch kwargs", "source file", "state-dict sha256"]
    return [table(header, list(rows.values()))]


def diagnosis_section(data: ReportData) -> str | None:
    """The diagnoses saved beside the results, each under its file name."""
    if not data.diagnoses:
        return None
    parts = ["## Convention diagnosis"]
    for name, text in data.diagnoses:
        parts += [f"_From `{name}`:_", text]
    return "\n\n".join(parts)


def appendix_section(data: ReportData) -> str:
    """Per-image PSNR/SSIM per model × dataset, folded so the report stays short."""
    parts = ["## Appendix: per-image scores"]
    for r in data.results:
        rows = [
            [
                img["name"],
                fmt(img.get("psnr"), 4),
                fmt(img.get("ssim"), 5),
                "×".join(str(x) for x in img.get("hr_shape") or []) or MISSING,
            ]
            for img in r.get("per_image", [])
        ]
        summary = (
            f"{r['model']} · {r['dataset']} · {r['profile']} — {len(rows)} images, "
            f"PSNR {fmt(r['psnr'], 4)} dB, SSIM {fmt(r['ssim'], 5)}"
        )
        scores = table(["image", "PSNR (dB)", "SSIM", "HR shape"], rows)
        parts.append(f"<details><summary>{summary}</summary>\n\n{scores}\n\n</details>")
    return "\n\n".join(parts)


def _title(data: ReportData) -> str:
    """``Reproduction report: EIMN``, or ``Benchmark report: MyNet_x4`` for your models."""
    families = sorted({str(r.get("family") or r["model"]) for r in data.results if not is_user(r)})
    if not data.user_models:
        return f"# Reproduction report: {', '.join(families)}"
    among = f" (with {', '.join(families)})" if families else ""
    return f"# Benchmark report: {', '.join(data.user_models)}{among}"


def render_markdown(data: ReportData) -> str:
    """The whole report."""
    sections = [
        _title(data),
        f"Results from `{data.results_dir}`.",
        summary_section(data),
        explained_section(data),
        paper_tables_section(data),
        placement_section(data),
        complexity_section(data),
        latency_section(data),
        conventions_section(data),
        provenance_section(data),
        diagnosis_section(data),
        appendix_section(data),
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


def write_report(results_dir: Path, out: Path | None = None, **inputs: Any) -> Path:
    """Collect, render and write the report (default ``<results_dir>/report.md``); ``inputs``
    are :func:`~suite.reporting.collect.collect`'s keywords (``reference_dir``, ``tables``,
    ``tol``, ``bench_dirs``, ``with_zoo``)."""
    data = collect(results_dir, **inputs)
    path = Path(out) if out else Path(results_dir) / "report.md"
    return atomic_write_text(path, render_markdown(data))
