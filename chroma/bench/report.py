"""Write the benchmark report: ``report.md``, ``results.json`` and figures.

``report.md`` has one section per case: a table (median time, interquartile
range, ratio to chroma, peak memory, quality columns), a log-log plot of
time against megapixels, a bar chart of the quality metrics, and a contact
sheet of every contender's output on the same pair. Figures go to
``<out>/figures/`` (PNG plots palette-compressed; contact sheets JPEG).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np

__all__ = ["format_time", "slug", "write_report"]

NOISE_NOTE = (
    "**Noise warning.** These numbers come from a shared, busy machine (other jobs ran "
    "at the same time; see the load averages). Contenders are interleaved so that load "
    "drift hits them alike, and ratios measured in the same run are more trustworthy "
    "than absolute times; rerun the command on your machine before quoting any number."
)


_ARROWS = {"lower": "↓", "higher": "↑"}


def slug(text: str) -> str:
    """A file-name-safe version of a case key.

    Examples
    --------
    >>> slug("transfer: Reinhard transfer, uint8 in")
    'transfer-reinhard-transfer-uint8-in'
    """
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:80] or "case"


def format_time(seconds: float | None) -> str:
    """``1.23 s``, ``45.6 ms``, ``789 µs``.

    Examples
    --------
    >>> format_time(1.234), format_time(0.0456), format_time(789e-6), format_time(None)
    ('1.23 s', '45.6 ms', '789 µs', '–')
    """
    if seconds is None or not math.isfinite(seconds):
        return "–"
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def _fmt(value, spec: str = ".4g") -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return format(value, spec)


def _status_text(r: dict) -> str:
    return r.get("error") or r["status"]


def _table(case: dict) -> list[str]:
    labels = case["quality_labels"]
    arrows = [_ARROWS.get(b, "") for b in case["quality_better"]]
    head = ["size", "contender", "median", "IQR", f"ratio to {case['baseline']}", "peak memory"]
    head += [f"{lab} {a}".strip() for lab, a in zip(labels, arrows)]
    head = [h.replace("|", "\\|") for h in head]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    notes = case.get("contender_notes", {})
    for size in case["sizes"]:
        mp = f"{size['mp']:.2f} MP ({size['shape'][1]}×{size['shape'][0]})"
        for name, r in size["contenders"].items():
            label = f"{name} ({notes[name]})" if name in notes else name
            if r["status"] != "ok":
                quality = r.get("quality") or {}
                cells = [mp, label, _status_text(r), "", "", ""]
                cells += [_fmt(quality[lab]) if lab in quality else "" for lab in labels]
            else:
                iqr = f"{format_time(r['q1_s'])} – {format_time(r['q3_s'])}"
                ratio = r.get("ratio")
                peak = r.get("peak_mib")
                n = len(r["times_s"])
                cells = [
                    mp,
                    label,
                    format_time(r["median_s"]) + (f" (n={n})" if n < case["repeats"] else ""),
                    iqr,
                    "–" if ratio is None else f"{ratio:.2f}×",
                    ("–" if "memory_error" not in r else "not measured")
                    if peak is None
                    else f"{peak:,.0f} MiB",
                ]
                cells += [_fmt(r["quality"].get(lab)) for lab in labels]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return lines


def _pairs_table(case: dict) -> list[str]:
    qp = case["quality_pairs"]
    labels = case["quality_labels"]
    lines = [
        f"Quality over {qp['source']} (mean ± sd; pairs: {', '.join(qp['pairs'])}):",
        "",
        "| contender | "
        + " | ".join(
            f"{lab} {_ARROWS.get(b, '')}".strip().replace("|", "\\|")
            for lab, b in zip(labels, case["quality_better"])
        )
        + " |",
        "|" + "---|" * (len(labels) + 1),
    ]
    for name, r in qp["contenders"].items():
        if "error" in r:
            cells = [r["error"]] + [""] * (len(labels) - 1)
        else:
            cells = [
                f"{_fmt(r[lab]['mean'], '.3g')} ± {_fmt(r[lab]['sd'], '.2g')}" if lab in r else "–"
                for lab in labels
            ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in [name, *cells]) + " |")
    lines.append("")
    return lines


def _compress_png(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def _time_plot(case: dict, path: Path) -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 3.4), dpi=90)
    plotted = False
    for name in case["contenders"]:
        pts = [
            (s["mp"], s["contenders"][name])
            for s in case["sizes"]
            if s["contenders"][name]["status"] == "ok"
        ]
        if not pts:
            continue
        x = np.array([p[0] for p in pts])
        med = np.array([p[1]["median_s"] for p in pts])
        lo = med - np.array([p[1]["q1_s"] for p in pts])
        hi = np.array([p[1]["q3_s"] for p in pts]) - med
        ax.errorbar(x, med, yerr=[lo, hi], marker="o", capsize=3, label=name)
        plotted = True
    if not plotted:
        plt.close(fig)
        return False
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("megapixels" + (" (image and reference)" if case["inputs"] == "pair" else ""))
    ax.set_ylabel("time per call (s), median ± IQR")
    ax.set_title(case["task"], fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    _compress_png(path)
    return True


def _quality_plot(case: dict, path: Path) -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = case["quality_labels"]
    if not labels:
        return False
    names = case["contenders"]
    n = len(labels)
    fig, axes = plt.subplots(1, n, figsize=(2.2 + 2.6 * n, 3.2), dpi=90, squeeze=False)
    width = 0.8 / max(len(case["sizes"]), 1)
    any_bar = False
    for ax, label, better in zip(axes[0], labels, case["quality_better"]):
        for k, size in enumerate(case["sizes"]):
            vals = []
            for name in names:
                r = size["contenders"][name]
                v = r.get("quality", {}).get(label) if r["status"] == "ok" else None
                vals.append(np.nan if v is None or not math.isfinite(v) else v)
            if not np.all(np.isnan(vals)):
                any_bar = True
            x = np.arange(len(names)) + (k - (len(case["sizes"]) - 1) / 2) * width
            bars = ax.bar(x, vals, width, label=f"{size['mp']:.2g} MP")
            ax.bar_label(bars, labels=[_fmt(v, ".2g") if np.isfinite(v) else "" for v in vals],
                         fontsize=6)
        ax.set_xticks(np.arange(len(names)))
        ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
        arrow = {"lower": " (lower is better)", "higher": " (higher is better)"}.get(better, "")
        ax.set_title(label + arrow, fontsize=8)
        ax.grid(True, axis="y", alpha=0.3)
    axes[0][-1].legend(fontsize=7)
    fig.suptitle(case["task"], fontsize=9)
    fig.tight_layout()
    if not any_bar:
        plt.close(fig)
        return False
    fig.savefig(path)
    plt.close(fig)
    _compress_png(path)
    return True


def _contact_sheet(case: dict, thumbs: dict, path: Path) -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tiles = [("input", thumbs.get("input")), ("reference", thumbs.get("reference"))]
    tiles = [(k, v) for k, v in tiles if v is not None]
    for name in case["contenders"]:
        r = case["sizes"][0]["contenders"][name]
        if r["status"] == "ok":
            tiles.append((name, thumbs.get(name)))
        else:
            tiles.append((f"{name}\n{_status_text(r)[:40]}", None))
    if not any(v is not None for k, v in tiles if k not in ("input", "reference")):
        return False
    cols = min(len(tiles), 4)
    rows = math.ceil(len(tiles) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.3 * rows), dpi=90, squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (title, img) in zip(axes.ravel(), tiles):
        if img is None:
            ax.text(0.5, 0.5, "no image", ha="center", va="center", fontsize=8)
        else:
            ax.imshow(img)
        ax.set_title(title, fontsize=8)
    fig.suptitle(f"{case['task']} (outputs at {case['sizes'][0]['mp']:.2g} MP)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, pil_kwargs={"quality": 82, "optimize": True})
    plt.close(fig)
    return True


def _header(results: dict) -> list[str]:
    m = results["machine"]
    load0 = m.get("load_average") or []
    load1 = m.get("load_average_end") or []
    lines = [
        "# chroma benchmarks",
        "",
        f"Generated {results['started']} in {results.get('elapsed_s', 0):.0f} s by:",
        "",
        "```",
        results.get("command") or "chroma bench",
        "```",
        "",
        NOISE_NOTE,
        "",
        f"- **Machine**: {m['cpu']}, {m['cores_usable']} usable cores (of {m['cpu_count']}), "
        + (f"{m['memory_gib']:.0f} GiB RAM, " if m.get("memory_gib") else "")
        + f"{m['platform']}, Python {m['python']}.",
        f"- **Threads**: {m.get('thread_policy') or 'not recorded'}.",
        "- **Load average** (1, 5, 15 min) at start: "
        + ", ".join(f"{v:.1f}" for v in load0)
        + "; at end: "
        + ", ".join(f"{v:.1f}" for v in load1)
        + ".",
        f"- **Inputs**: {results['inputs']}; resized (bicubic, so larger sizes are smooth "
        "upscales) so that image and reference each have the stated megapixels, converted to "
        "the case's dtype.",
        f"- **Timing**: {results['timing']}. Ratio = peer median / chroma median "
        "(> 1: chroma is faster). Setup, resizing and JIT compilation are never timed.",
        f"- **Peak memory**: {results['memory_method']}.",
    ]
    if results.get("budget_s") is not None:
        lines.append(
            f"- **Time budget** (--quick): at most about {results['budget_s']:g} s of timed calls "
            "per contender and size (at least one call); fewer calls than the case's repeats "
            "are marked (n=…), and peak memory is not measured for calls longer than the "
            "budget."
        )
    lines += [
        "- **Quality**: computed on each contender's output for the same inputs "
        "(↓ lower is better, ↑ higher is better).",
        "",
        "| package | version |",
        "|---|---|",
    ]
    for dist, ver in results["versions"].items():
        lines.append(f"| {dist} | {ver or 'not installed'} |")
    if results.get("load_errors"):
        lines += ["", "**Case modules that failed to load** (their cases are not in this report):"]
        lines += [f"- `{mod}`: {err}" for mod, err in results["load_errors"].items()]
    lines.append("")
    return lines


def write_report(results: dict, thumbs: dict, out_dir) -> Path:
    """Write ``report.md``, ``results.json`` and ``figures/`` into `out_dir`.

    Parameters
    ----------
    results, thumbs : dict
        What :func:`chroma.bench.harness.run_cases` returned.
    out_dir : path-like
        Created if missing; earlier figures in ``figures/`` are replaced.

    Returns
    -------
    path : Path
        The report's path.

    Examples
    --------
    >>> import tempfile
    >>> from chroma.bench.harness import Case, run_cases
    >>> case = Case("copy", {"chroma": lambda image, reference: image.copy()},
    ...             sizes_mp=(0.01,), repeats=1)
    >>> path = write_report(*run_cases([case], log=lambda line: None), tempfile.mkdtemp())
    >>> path.name, sorted(p.name for p in path.parent.iterdir())
    ('report.md', ['figures', 'report.md', 'results.json'])
    """
    out = Path(out_dir)
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    for old in list(figures.glob("*.png")) + list(figures.glob("*.jpg")):
        old.unlink()
    lines = _header(results)
    if not results["cases"]:
        lines += ["No case matched.", ""]
    lines += ["## Contents", ""]
    lines += [f"- [{c['task']}](#{slug(c['key'])}) (`{c['module']}`)" for c in results["cases"]]
    lines.append("")
    for case in results["cases"]:
        name = slug(case["key"])
        lines += [f'<a id="{name}"></a>', "", f"## {case['task']}", ""]
        lines.append(
            f"`chroma/bench/cases/{case['module']}.py` · inputs: {case['dtype']}, "
            f"{'image and reference' if case['inputs'] == 'pair' else 'image only'} · "
            f"{case['repeats']} timed calls per contender and size"
        )
        lines.append("")
        if case.get("notes"):
            lines += [case["notes"], ""]
        loads = [f"{s['mp']:.0f} MP: {s['load_before']:.1f} → {s['load_after']:.1f}"
                 for s in case["sizes"]
                 if s.get("load_before") is not None and s.get("load_after") is not None]
        if loads:
            lines += ["Load average (1 min) before → after each size: " + "; ".join(loads) + ".",
                      ""]
        lines += _table(case)
        lines.append("")
        if case.get("quality_pairs"):
            lines += _pairs_table(case)
        pics = []
        if _time_plot(case, figures / f"{name}-time.png"):
            pics.append(f"![time vs megapixels](figures/{name}-time.png)")
        if _quality_plot(case, figures / f"{name}-quality.png"):
            pics.append(f"![quality](figures/{name}-quality.png)")
        if _contact_sheet(case, thumbs.get(case["key"], {}), figures / f"{name}-sheet.jpg"):
            pics.append(f"![outputs](figures/{name}-sheet.jpg)")
        lines += [" ".join(pics[:2]), ""] if pics[:2] else []
        lines += [pics[2], ""] if len(pics) > 2 else []
        failures = [
            (n, r) for s in case["sizes"] for n, r in s["contenders"].items() if r.get("traceback")
        ]
        for n, r in failures[:3]:
            lines += [f"<details><summary>{n}: {_status_text(r)}</summary>", "", "```"]
            lines += [r["traceback"].rstrip(), "```", "", "</details>", ""]
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    (out / "results.json").write_text(
        json.dumps(_finite(results), indent=1, ensure_ascii=False, default=_json_default),
        encoding="utf-8",
    )
    return path


def _finite(obj):
    """Strict JSON: infinities become the strings "inf" / "-inf", NaN becomes null."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, (float, np.floating)) and not math.isfinite(obj):
        return None if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    return obj


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")
