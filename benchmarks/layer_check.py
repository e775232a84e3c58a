"""A quick check of Numba threading layers on two kernels (issue 17), one layer per process.

Times the float32 sRGB → CIELAB → sRGB round trip and uint8 histogram matching on random
12 MP data, median of 5 after a warm-up, and prints the layer, OpenMP's wait policy, thread
count and load. Each configuration runs in its own fresh process (the layer is fixed at
Numba's first parallel launch); ``--busy`` adds one competing CPU-bound process during the
timing, ``--torch-first`` imports torch before chroma (torch bundles its own libgomp)::

    python benchmarks/layer_check.py --matrix   # chroma's default, torch first, workqueue and
                                                # active OpenMP, quiet and busy, 2 rounds
    NUMBA_THREADING_LAYER=workqueue python benchmarks/layer_check.py --busy
    CHROMA_NUM_THREADS=1 python benchmarks/layer_check.py
    python benchmarks/layer_check.py --chroma /tmp/wave1   # another checkout's kernels
                                                           # (e.g. a worktree of c4879d1)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if "--chroma" in sys.argv:  # time another checkout's chroma (before anything imports it)
    sys.path.insert(0, str(Path(sys.argv[sys.argv.index("--chroma") + 1]).resolve()))
else:
    sys.path.insert(0, str(ROOT))

# (label, extra environment, extra arguments) for --matrix
MATRIX = [
    ("chroma default", {}, []),
    ("chroma default, torch imported first", {}, ["--torch-first"]),
    ("workqueue", {"NUMBA_THREADING_LAYER": "workqueue"}, []),
    ("omp, active wait", {"NUMBA_THREADING_LAYER": "omp", "OMP_WAIT_POLICY": "ACTIVE"}, []),
]


def _competitor() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def main(busy: bool, torch_first: bool) -> None:
    if torch_first:
        import torch  # noqa: F401

    import numba

    import chroma
    from chroma.spaces import convert

    if (Path(chroma.__file__).parent / "_core" / "parallel.py").exists():
        from chroma._core import parallel

        layer, threads = parallel.threading_layer, parallel.get_num_threads
    else:  # wave 1 (commit c4879d1): no _core.parallel
        layer, threads = numba.threading_layer, numba.get_num_threads
    if callable(getattr(chroma, "transfer", None)):
        def match(u, r):
            return chroma.transfer(u, r, "histogram")
    else:  # wave 1's name
        match = chroma.match_histograms

    rng = np.random.default_rng(0)
    x = rng.random((3000, 4000, 3), dtype=np.float32)
    u = (x * 255).astype(np.uint8)
    ref = np.ascontiguousarray(u[::2, ::2])
    convert(convert(x[:600], "rgb", "lab"), "lab", "rgb")  # compile / load the kernels
    match(u[:600], ref)
    hog = _competitor() if busy else None
    try:
        if hog is not None:
            time.sleep(0.5)
        ts, th = [], []
        for _ in range(5):
            t = time.perf_counter()
            convert(convert(x, "rgb", "lab"), "lab", "rgb")
            ts.append(time.perf_counter() - t)
            t = time.perf_counter()
            match(u, ref)
            th.append(time.perf_counter() - t)
    finally:
        if hog is not None:
            hog.kill()
            hog.wait()
    print(f"{chroma.__file__}: {layer()} (OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}"
          f"{', torch first' if torch_first else ''}), {threads()} threads"
          f"{', 1 competing process' if busy else ''}: round trip {np.median(ts) * 1e3:.0f} ms, "
          f"uint8 histogram {np.median(th) * 1e3:.0f} ms (load {os.getloadavg()[0]:.1f})",
          flush=True)


def matrix(rounds: int) -> None:
    """Every configuration quiet and busy, interleaved, `rounds` times (drift hits all alike)."""
    clear = ("NUMBA_THREADING_LAYER", "NUMBA_THREADING_LAYER_PRIORITY", "OMP_WAIT_POLICY")
    base = {k: v for k, v in os.environ.items() if k not in clear}
    for r in range(rounds):
        for label, env, args in MATRIX:
            for busy in ([], ["--busy"]):
                print(f"round {r + 1}, {label}: ", end="", flush=True)
                subprocess.run([sys.executable, __file__, *args, *busy], env={**base, **env},
                               check=True, cwd=ROOT)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--busy", action="store_true", help="one competing CPU-bound process")
    p.add_argument("--torch-first", action="store_true", help="import torch before chroma")
    p.add_argument("--matrix", action="store_true", help="every configuration, one process each")
    p.add_argument("--rounds", type=int, default=2, help="rounds of --matrix (default 2)")
    p.add_argument("--chroma", type=Path, help="time the chroma of this checkout instead")
    a = p.parse_args()
    matrix(a.rounds) if a.matrix else main(a.busy, a.torch_first)
