"""A quick check of Numba threading layers on two kernels (issue 17), one layer per process.

Times the float32 sRGB → CIELAB → sRGB round trip and uint8 histogram matching on random
12 MP data, median of 5 after a warm-up, and prints the layer, thread count and load.
Run each layer in its own process (the layer is fixed at numba's first parallel launch)::

    for L in workqueue omp; do NUMBA_THREADING_LAYER=$L python benchmarks/layer_check.py; done
    OMP_WAIT_POLICY=PASSIVE NUMBA_THREADING_LAYER=omp python benchmarks/layer_check.py
    CHROMA_NUM_THREADS=1 python benchmarks/layer_check.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import chroma
from chroma.spaces import convert


def main() -> None:
    import numba

    rng = np.random.default_rng(0)
    x = rng.random((3000, 4000, 3), dtype=np.float32)
    u = (x * 255).astype(np.uint8)
    ref = np.ascontiguousarray(u[::2, ::2])
    convert(convert(x[:600], "rgb", "lab"), "lab", "rgb")  # compile / load the kernels
    chroma.transfer(u[:600], ref, "histogram")
    ts, th = [], []
    for _ in range(5):
        t = time.perf_counter()
        convert(convert(x, "rgb", "lab"), "lab", "rgb")
        ts.append(time.perf_counter() - t)
        t = time.perf_counter()
        chroma.transfer(u, ref, "histogram")
        th.append(time.perf_counter() - t)
    print(f"{os.environ.get('NUMBA_THREADING_LAYER', 'default')} -> {numba.threading_layer()}, "
          f"{numba.get_num_threads()} threads: round trip {np.median(ts) * 1e3:.0f} ms, "
          f"uint8 histogram {np.median(th) * 1e3:.0f} ms (load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
