"""Print the issue-17 goal table (Markdown) from the two reports of ``benchmarks/speed.py``.

Ratios at 12 MP from ``benchmarks/results/results.json`` (the run behind ``report.md``,
``make bench``: no competing process; ``--quiet perf`` takes ``perf/results.json`` of
``benchmarks/speed.py`` instead) and ``benchmarks/results/perf_busy/results.json`` (one
competing CPU-bound process, ``benchmarks/speed.py --only-busy``), with the chroma time each
ratio belongs to and the load average before the size ran. A ``speed.py --only`` rerun
(``perf_rerun/``, ``perf_busy_rerun/``) replaces a case only when it is newer than the run it
would replace, and is marked †.

Run: ``python benchmarks/speed_table.py [--quiet report|perf]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"

# (case task, contender, "ratio" = peer / chroma, or "time" = contender / chroma), goal text
ROWS = [
    ("sRGB → CIELAB → sRGB round trip, float32", "scikit-image", "≥ 10×", 10.0, "ratio"),
    ("sRGB → CIELAB → sRGB round trip, float32", "OpenCV", "≤ 2× OpenCV's time", 0.5,
     "ratio"),
    ("histogram matching, uint8", "scikit-image", "≥ 10×", 10.0, "ratio"),
    ("histogram matching, float32", "scikit-image", "≥ 50×", 50.0, "ratio"),
    ("Reinhard transfer, uint8 in, float CIELAB", "color_transfer (jrosebr1)", "≥ 4×", 4.0,
     "ratio"),
    ("Reinhard transfer, uint8 in, float CIELAB", "chroma (lαβ)", "≤ 1.5× CIELAB's time", 1.5,
     "time"),
    ("MKL (linear Monge-Kantorovich), uint8", "color-matcher mkl", "≥ 10×", 10.0, "ratio"),
]


def _size(results: dict, task: str, mp: float = 12.0):
    for case in results["cases"]:
        if case["task"] == task:
            for s in case["sizes"]:
                if s["target_mp"] == mp:
                    return s
    return None


def _fmt_s(t: float) -> str:
    return f"{t * 1e3:.0f} ms" if t < 1 else f"{t:.2f} s"


def _load_runs(quiet: str) -> dict | None:
    runs = {}
    for name in ("perf", "perf_busy"):
        path = RESULTS / ("results.json" if name == "perf" and quiet == "report" else
                          f"{name}/results.json")
        if not path.exists():
            print(f"{path} is missing: run `make bench` / python benchmarks/speed.py first.")
            return None
        runs[name] = json.loads(path.read_text())
        rerun = RESULTS / f"{name}_rerun" / "results.json"
        newer = None
        if rerun.exists():
            newer = json.loads(rerun.read_text())
            if newer["started"] <= runs[name]["started"]:  # "YYYY-MM-DD HH:MM:SS UTC"
                newer = None
        runs[f"{name}_rerun"] = newer
    return runs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quiet", choices=["report", "perf"], default="report",
                    help="the run without a competing process: report.md's or speed.py's")
    args = ap.parse_args(argv)
    runs = _load_runs(args.quiet)
    if runs is None:
        return 1
    print(f"quiet: {runs['perf']['command']} ({runs['perf']['started']}); with a competing "
          f"process: {runs['perf_busy']['command']} ({runs['perf_busy']['started']})\n")
    print("| operation (12 MP) | versus | goal | quiet: chroma, ratio (load) | "
          "with a competing process: chroma, ratio (load) | held within 30% |")
    print("|---|---|---|---|---|---|")
    reruns = set()
    for task, peer, goal, need, kind in ROWS:
        cells, ratios = [], []
        for name in ("perf", "perf_busy"):
            rerun = runs[f"{name}_rerun"]
            s = _size(rerun, task) if rerun is not None else None
            mark = ""
            if s is not None:
                mark = " †"
                reruns.add(f"{name}_rerun/ ({rerun['started']})")
            else:
                s = _size(runs[name], task)
            if s is None or s["contenders"].get(peer, {}).get("status") != "ok":
                cells.append("not run")
                ratios.append(None)
                continue
            r = s["contenders"][peer]["ratio"]
            ok = (r <= need) if kind == "time" else (r >= need)
            chroma = s["contenders"]["chroma"]["median_s"]
            cells.append(f"{_fmt_s(chroma)}, {r:.2f}× {'✓' if ok else '✗'} "
                         f"({s['load_before']:.1f}){mark}")
            ratios.append(r)
        held = ("yes" if abs(ratios[1] / ratios[0] - 1) <= 0.3 else "no") if None not in ratios \
            else "—"
        what = "its time / chroma's" if kind == "time" else "peer time / chroma's"
        print(f"| {task} | {peer} ({what}) | {goal} | {cells[0]} | {cells[1]} | {held} |")
    if reruns:
        print(f"\n† rerun with `benchmarks/speed.py --only`: {', '.join(sorted(reruns))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
