"""CPU seconds to compile the two Reinhard kernels of a plain ``chroma transfer`` (issue 17).

Each run is a fresh process with an empty ``NUMBA_CACHE_DIR``: the first call of the
statistics kernel on uint8 pixels (``_block_kernels.lab_blocks`` through
``_blocks.lab_partials``, what ``ReinhardTransfer`` calls; it includes Numba's
once-per-process registry setup) and of ``lab_affine_to_srgb``, in CPU time
(``time.process_time``: compiling is single-threaded, and CPU time moves less with the load
than wall time). ``--root`` times another checkout.

Run: ``python benchmarks/compile_time.py [--root /path/to/checkout] [--runs 2]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args(argv)
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(args.root)}
            out = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=args.root,
                                 check=True, capture_output=True, text=True).stdout.split()
        print(f"{args.root}: moments {out[0]} s, affine {out[1]} s CPU "
              f"(load {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
