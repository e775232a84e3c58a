"""Wall time of the first ``chroma transfer`` of a 1 MP photo: cold Numba cache, then warm.

Each run is a fresh ``python -m chroma transfer`` process (interpreter start, imports, JIT
or cache load, reading, transferring and writing the image) on the bundled ``astronaut`` and
``coffee`` samples resized to 1 MP (bicubic). The cold run gets an empty
``NUMBA_CACHE_DIR`` (nothing compiled yet, as right after ``pip install``); the warm runs
reuse it. The load average is printed beside each time.

``--after-warmup`` runs ``chroma warmup`` (the install step, timed) on the empty cache
first, then times the first ``chroma transfer`` after it.

Run: ``python benchmarks/first_call.py [--method reinhard] [--warm 5] [--after-warmup]``;
``--against /path/to/other/checkout`` also times that checkout, cold then warm runs
interleaved with this one's (same photos, each its own Numba cache), so that load drift hits
both alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def _photo(name: str, path: Path) -> None:
    import numpy as np
    from PIL import Image

    from chroma import datasets
    from chroma.io import write_image

    img = Image.fromarray(datasets.sample(name))
    scale = (1e6 / (img.width * img.height)) ** 0.5
    size = (round(img.width * scale), round(img.height * scale))
    write_image(path, np.asarray(img.resize(size, Image.BICUBIC)))


def _run(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--method", default="reinhard")
    ap.add_argument("--warm", type=int, default=5, help="warm runs (median reported)")
    ap.add_argument("--against", type=Path, help="another checkout, timed interleaved")
    ap.add_argument("--after-warmup", action="store_true",
                    help="run `chroma warmup` on the empty cache first (timed)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        image, reference = tmp / "image.png", tmp / "reference.png"
        _photo("astronaut", image)
        _photo("coffee", reference)
        if args.against is not None:
            return _interleaved(args, tmp, image, reference)
        env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp / "numba-cache")}
        repo = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = repo + os.pathsep + env.get("PYTHONPATH", "")
        cmd = [sys.executable, "-m", "chroma", "transfer", str(image), str(reference),
               "--method", args.method, "--overwrite", "-o", str(tmp / "out.png")]
        warmup = None
        if args.after_warmup:
            loadw = _load()
            warmup = _run([sys.executable, "-m", "chroma", "warmup", "--quiet"], env)
        load0 = _load()
        cold = _run(cmd, env)
        load1 = _load()
        warm = [_run(cmd, env) for _ in range(args.warm)]
        load2 = _load()
        bare = [_run([sys.executable, "-c", "import chroma"], env) for _ in range(3)]
    print(f"first `chroma transfer --method {args.method}` of a 1 MP photo, "
          f"{os.cpu_count()} cores")
    if warmup is not None:
        print(f"`chroma warmup` on the empty cache: {warmup:.2f} s wall (load {loadw} -> {load0})")
        print(f"first call after it: {cold:.2f} s wall (load {load0} -> {load1})")
    else:
        print(f"cold Numba cache: {cold:.2f} s wall (load {load0} -> {load1})")
    print(f"warm cache: median {statistics.median(warm):.2f} s of {args.warm} runs "
          f"(min {min(warm):.2f} s; load -> {load2})")
    print(f"python -c 'import chroma' alone: {statistics.median(bare):.2f} s")
    return 0


def _interleaved(args, tmp: Path, image: Path, reference: Path) -> int:
    roots = {"this checkout": Path(__file__).resolve().parents[1],
             str(args.against): args.against.resolve()}
    runs: dict[str, list[float]] = {name: [] for name in roots}
    cold: dict[str, float] = {}

    def run(name: str) -> float:
        cache = tmp / f"cache-{list(roots).index(name)}"  # empty before the cold run
        env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "PYTHONPATH": str(roots[name])}
        cmd = [sys.executable, "-m", "chroma", "transfer", str(image), str(reference),
               "--method", args.method, "--overwrite", "-o", str(tmp / "out.png")]
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True, cwd=roots[name])
        return time.perf_counter() - t0

    load0 = _load()
    for name in roots:
        cold[name] = run(name)
    for _ in range(args.warm):
        for name in roots:
            runs[name].append(run(name))
    print(f"first `chroma transfer --method {args.method}` of a 1 MP photo, "
          f"{os.cpu_count()} cores, interleaved (load {load0} -> {_load()})")
    for name in roots:
        print(f"{name}: cold {cold[name]:.2f} s; warm median {statistics.median(runs[name]):.2f} s"
              f" of {args.warm} (min {min(runs[name]):.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
