"""The issue-17 speed reports: the spaces and transfer cases, then again beside a CPU hog.

Runs ``chroma bench --only "*e[sr]: *"`` (the ``spaces`` and ``transfer`` modules, not
``transfer_ot``) into ``benchmarks/results/perf/``, then the same with one competing
CPU-bound process (``while True: pass``) into ``benchmarks/results/perf_busy/``. Each report
states the thread policy, the threading layer and the load before and after each size.

Run (from the repository root): ``python benchmarks/speed.py [--budget 12] [--pairs 0]``;
``--skip-busy`` / ``--only-busy`` split the two runs (about 5 minutes each), e.g. into two
quiet windows. ``--only PATTERN`` reruns only the cases whose ``<module>: <task>`` matches
(a ``chroma bench --only`` pattern, e.g. ``"transfer: Reinhard*"``) into
``benchmarks/results/perf_rerun/`` and ``perf_busy_rerun/``; ``benchmarks/speed_table.py``
takes a rerun case from there (and says so) and every other case from the full reports.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench(out: Path, budget: float, pairs: int, only: str = "*e[sr]: *") -> None:
    subprocess.run([sys.executable, "-m", "chroma", "bench", "--only", only,
                    "--budget", str(budget), "--pairs", str(pairs), "-o", str(out), "--overwrite"],
                   cwd=ROOT, check=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=12.0)
    ap.add_argument("--pairs", type=int, default=0)
    ap.add_argument("--skip-busy", action="store_true", help="only the run without a hog")
    ap.add_argument("--only-busy", action="store_true", help="only the run beside a hog")
    ap.add_argument("--only", metavar="PATTERN",
                    help="rerun only these cases, into perf_rerun/ and perf_busy_rerun/")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from chroma.bench.harness import PITIE_PAIR, find_eval_dir

    folder = find_eval_dir()
    if folder is None or not all((folder / f).is_file() for f in PITIE_PAIR):
        sys.exit("benchmarks/speed.py needs the evaluation photos' Pitié pair "
                 f"({', '.join(PITIE_PAIR)}): set CHROMA_EVAL_DIR or run from a checkout "
                 "beside ../shared/photos/eval (the docs' table is for that pair)")
    results = ROOT / "benchmarks" / "results"
    only = args.only or "*e[sr]: *"
    suffix = "_rerun" if args.only else ""
    if not args.only_busy:
        bench(results / f"perf{suffix}", args.budget, args.pairs, only)
    if not args.skip_busy:
        hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            time.sleep(3)
            bench(results / f"perf_busy{suffix}", args.budget, args.pairs, only)
        finally:
            hog.kill()
            hog.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
