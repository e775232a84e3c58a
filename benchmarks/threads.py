"""Which Numba threading layer, thread count and cut-over size chroma's kernels should use.

Runs three representative kernels (fused sRGB→CIELAB, the uint8 histogram count, the
Reinhard CIELAB moments pass) at several sizes, on 1 thread and on every core, under each
Numba threading layer that loads here (``workqueue``; ``omp`` with its default and with a
passive wait policy; ``tbb`` when the ``tbb`` package is installed), each layer in a fresh
process. Then the same again with one competing CPU-bound process (``while True: pass``).
Median of ``--repeats`` calls; the load average is printed before and after each layer.

Run: ``python benchmarks/threads.py [--repeats 7] [--out benchmarks/results/threads.md]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

LAYERS = {
    "workqueue": {"NUMBA_THREADING_LAYER": "workqueue"},
    "omp": {"NUMBA_THREADING_LAYER": "omp"},
    "omp-passive": {"NUMBA_THREADING_LAYER": "omp", "OMP_WAIT_POLICY": "PASSIVE",
                     "KMP_BLOCKTIME": "0"},
    # the pip wheel puts libtbb.so.12 in the environment's lib/, off the loader's path
    "tbb": {"NUMBA_THREADING_LAYER": "tbb",
            "LD_LIBRARY_PATH": os.path.join(sys.prefix, "lib")},
}
SIZES_MP = (0.25, 1.0, 4.0, 12.0)

_CHILD = r"""
import json, sys, time
import numpy as np
import numba
from chroma.spaces import _kernels as S
from chroma.transfers import _histogram_kernels as H
from chroma.transfers import _reinhard_kernels as R
repeats = int(sys.argv[1]); sizes = [float(s) for s in sys.argv[2].split(',')]
rng = np.random.default_rng(0)
cores = numba.config.NUMBA_NUM_THREADS
res = {}
for mp in sizes:
    n = int(mp * 1e6)
    u8 = rng.integers(0, 256, (n, 3), dtype=np.uint8)
    f32 = (u8 / np.float32(255)).astype(np.float32)
    lab = np.empty((n, 3), np.float32)
    dec = R.decode_table(np.uint8)
    empty = np.zeros(0, bool)
    nolab = np.zeros((0, 3), np.float32)
    kernels = {
        "sRGB→Lab float32": lambda: S._srgb_to_lab_fast(f32, lab, 1.0),
        "histogram counts uint8": lambda: H._counts_int(u8, empty, 3, 256,
                                                        H._n_chunks(n)),
        "Reinhard Lab moments uint8": lambda: R._lab_moments_int(
            u8, dec, 1.0, nolab, False, max(1, min(n // 65536 + 1, 4 * numba.get_num_threads()))),
    }
    for name, fn in kernels.items():
        for t in (1, cores):
            numba.set_num_threads(t)
            fn()
            ts = []
            for _ in range(repeats):
                t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
            res[f"{name}|{mp}|{t}"] = sorted(ts)[len(ts) // 2]
print(json.dumps({"layer": numba.threading_layer(), "cores": cores, "res": res}))
"""


def _load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def run_layer(env_extra: dict, repeats: int) -> dict | None:
    env = {**os.environ, **env_extra}
    p = subprocess.run([sys.executable, "-c", _CHILD, str(repeats),
                        ",".join(map(str, SIZES_MP))], env=env, capture_output=True, text=True)
    if p.returncode:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--out", default=None, help="also write the Markdown table here")
    ap.add_argument("--layers", default=",".join(LAYERS))
    args = ap.parse_args(argv)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"# Numba threading layers and thread counts ({stamp})",
             "", f"`python benchmarks/threads.py --repeats {args.repeats}`; "
             f"{os.cpu_count()} cores; median of {args.repeats} calls; ms.", ""]
    for busy in (False, True):
        hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
        try:
            if hog:
                time.sleep(3)
            title = "with one competing CPU-bound process" if busy else "no competing process"
            lines += [f"## {title}",
                      "", "| layer | kernel | MP | 1 thread | all cores | load before → after |",
                      "|---|---|---|---|---|---|"]
            for layer in args.layers.split(","):
                before = _load()
                r = run_layer(LAYERS[layer], args.repeats)
                after = _load()
                if "error" in r:
                    lines.append(f"| {layer} | not available: {r['error'][:80]} | | | | |")
                    continue
                res = r["res"]
                for key in sorted({k.rsplit("|", 1)[0] for k in res},
                                  key=lambda s: (s.split("|")[0], float(s.split("|")[1]))):
                    one = res[f"{key}|1"] * 1e3
                    many = res[f"{key}|{r['cores']}"] * 1e3
                    name, mp = key.split("|")
                    tag = " (passive)" if "passive" in layer else ""
                    lines.append(f"| {r['layer']}{tag} | {name} | {mp} | {one:.1f} | "
                                 f"{many:.1f} | {before} → {after} |")
                print("\n".join(lines[-len(res) // 2:]), flush=True)
            lines.append("")
        finally:
            if hog:
                hog.kill()
                hog.wait()
    text = "\n".join(lines) + "\n"
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
