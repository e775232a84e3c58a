"""CPU seconds to compile the float32 sRGB → CIELAB → sRGB kernels on first use (issue 17).

As ``benchmarks/compile_time.py`` does for Reinhard's kernels: each run is a fresh process
with an empty ``NUMBA_CACHE_DIR``; it times (``time.process_time``) the first
``convert(x, "rgb", "lab", backend="numba")`` of float32 pixels (including Numba's
once-per-process registry setup) and then the first ``convert(lab, "lab", "rgb")`` (clipped,
the default). ``--against`` times a second checkout too, interleaved run by run, with the
medians.

Run: ``python benchmarks/compile_time_rt.py [--root /path/to/checkout] [--runs 3]
[--against /path/to/other/checkout]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import time
import numpy as np
from chroma.spaces import convert
x = np.random.default_rng(0).random((20000, 3)).astype(np.float32)
t0 = time.process_time()
lab = convert(x, "rgb", "lab", backend="numba")
t1 = time.process_time()
convert(lab, "lab", "rgb", backend="numba")
t2 = time.process_time()
print(f"{t1 - t0:.2f} {t2 - t1:.2f}")
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--against", type=Path, help="a second checkout, interleaved")
    args = ap.parse_args(argv)
    roots = [args.root] + ([args.against] if args.against is not None else [])
    times: dict[Path, list[tuple[float, float]]] = {root: [] for root in roots}
    for _ in range(args.runs):
        for root in roots:
            with tempfile.TemporaryDirectory() as cache:
                env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(root)}
                out = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=root,
                                     check=True, capture_output=True, text=True).stdout.split()
            times[root].append((float(out[0]), float(out[1])))
            print(f"{root}: rgb->lab {out[0]} s, lab->rgb {out[1]} s CPU "
                  f"(load {os.getloadavg()[0]:.1f})")
    for root in roots:
        m = [statistics.median(t[k] for t in times[root]) for k in (0, 1)]
        print(f"{root}: median of {args.runs}: rgb->lab {m[0]:.2f} s, lab->rgb {m[1]:.2f} s, "
              f"sum {m[0] + m[1]:.2f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
