"""CPU seconds to compile the kernels of a plain ``chroma transfer`` on first use (issue 17).

``--case reinhard`` (the default): Reinhard's two kernels.

Each run is a fresh process with an empty ``NUMBA_CACHE_DIR``: the first call of the
statistics kernel on uint8 pixels (``_block_kernels.lab_blocks`` through
``_blocks.lab_partials``, what ``ReinhardTransfer`` calls; it includes Numba's
once-per-process registry setup) and of ``lab_affine_to_srgb``, in CPU time
(``time.process_time``: compiling is single-threaded, and CPU time moves less with the load
than wall time). ``--case roundtrip``: the first ``convert(x, "rgb", "lab",
backend="numba")`` of float32 pixels (with the registry setup) and the first
``convert(lab, "lab", "rgb")`` (clipped, the default). ``--root`` times another
checkout; ``--against`` times a second checkout too, the two interleaved run by run (load
drift hits both alike), with the medians.

Run: ``python benchmarks/compile_time.py [--case reinhard|roundtrip] [--root
/path/to/checkout] [--runs 2] [--against /path/to/other/checkout]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REINHARD = """
import time
import numpy as np
from chroma.transfers import _reinhard_kernels as K
from chroma.transfers._blocks import lab_partials
x = (np.random.default_rng(0).random((1000, 3)) * 255).astype(np.uint8)
lab = np.empty((1000, 3), np.float32)
t0 = time.process_time()
lab_partials(x, None, 1.0, lab, "lab", kernel=True)
t1 = time.process_time()
K.lab_affine_to_srgb(lab, np.ones(3), np.zeros(3), np.empty(0, np.uint8),
                     np.empty((1000, 3), np.uint8), 255.0, True)
t2 = time.process_time()
print(f"{t1 - t0:.2f} {t2 - t1:.2f}")
"""
ROUNDTRIP = """
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
# case -> (child script, names of its two timed first calls)
CASES = {"reinhard": (REINHARD, ("moments", "affine")),
         "roundtrip": (ROUNDTRIP, ("rgb->lab", "lab->rgb"))}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=sorted(CASES), default="reinhard")
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--against", type=Path, help="a second checkout, interleaved")
    args = ap.parse_args(argv)
    child, (first, second) = CASES[args.case]
    roots = [args.root] + ([args.against] if args.against is not None else [])
    times: dict[Path, list[tuple[float, float]]] = {root: [] for root in roots}
    for _ in range(args.runs):
        for root in roots:
            with tempfile.TemporaryDirectory() as cache:
                env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(root)}
                out = subprocess.run([sys.executable, "-c", child], env=env, cwd=root,
                                     check=True, capture_output=True, text=True).stdout.split()
            times[root].append((float(out[0]), float(out[1])))
            print(f"{root}: {first} {out[0]} s, {second} {out[1]} s CPU "
                  f"(load {os.getloadavg()[0]:.1f})")
    if len(roots) > 1:
        for root in roots:
            m = [statistics.median(t[k] for t in times[root]) for k in (0, 1)]
            print(f"{root}: median of {args.runs}: {first} {m[0]:.2f} s, {second} {m[1]:.2f} s, "
                  f"sum {m[0] + m[1]:.2f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
