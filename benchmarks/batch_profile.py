"""Where one file's time goes in chroma.batch (the "sync" scheduler), stage by stage.

For the images of benchmarks/batch_throughput.py (2 MP JPEG, made from data/)
and its two steps (Reinhard; the recipe Reinhard + histogram matching at 0.7),
each stage of :func:`chroma.batch.process_file` is timed on its own: decode
(``read_image``), the transform, the JPEG encode (into memory) and the atomic
write of the encoded bytes (temporary file, hard link). For each stage the
wall time and the CPU time of the whole process (all threads) are reported:
CPU / wall above 1 means the stage ran on more than one core. Each is run
with chroma's kernels on every core (the default) and on one thread
(``chroma.set_num_threads(1)``, what a pool worker does), file by file
(interleaved), median of ``--repeats`` files after a warm-up.

From the single-thread stage times the best a pool of W workers can do is
W x faster than one single-thread worker; what "sync" gains from its parallel
kernels is the transform's share. The script prints the predicted
processes / sync ratio, ``sum(stages, 1 thread) / W`` against
``sum(stages, default threads)``.

Run: ``.venv/bin/python benchmarks/batch_profile.py [--repeats 7] [--cprofile] [--stream]``
(prints Markdown tables; ``--cprofile`` adds the top functions of one sync file,
``--stream`` the recipe's transform in memory vs in row tiles).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from batch_throughput import RECIPE, make_images, uptime  # noqa: E402

import chroma  # noqa: E402
from chroma.io import atomic_path, check_writable, read_image  # noqa: E402


def encode_jpeg(img) -> bytes:
    """What chroma.io.write_image does for a .jpg, into memory (quality 95, 4:4:4)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=95, subsampling=0)
    return buf.getvalue()


def stages(src: Path, dst: Path, step) -> dict[str, tuple[float, float]]:
    """(wall, process CPU) seconds of each stage for one file."""
    out = {}

    def timed(name, fn, *args):
        w, c = time.perf_counter(), time.process_time()
        value = fn(*args)
        out[name] = (time.perf_counter() - w, time.process_time() - c)
        return value

    image = timed("decode (read_image)", read_image, src)
    image = timed("transform", step.transform, image)
    data = timed("encode JPEG (q95, 4:4:4)", lambda im: encode_jpeg(check_writable(dst, im)),
                 image)

    def write(data):
        with atomic_path(dst, overwrite=True) as tmp:
            tmp.write_bytes(data)

    timed("atomic write (temp + link)", write, data)
    return out


def profile(files, out_dir, step, repeats):
    """Median stage times with the default threads and with one, interleaved file by file
    (a load that changes during the run hits both alike)."""
    stages(files[-1], out_dir / "warm.jpg", step)  # JIT compile, caches
    runs = {None: [], 1: []}
    for f in files[:repeats]:
        for threads in runs:
            if threads:
                chroma.set_num_threads(threads)
            try:
                runs[threads].append(stages(f, out_dir / f.name, step))
            finally:
                chroma.set_num_threads(None)
    return [{k: (statistics.median(r[k][0] for r in rs), statistics.median(r[k][1] for r in rs))
             for k in rs[0]} for rs in runs.values()]


def compare_stream(files, pipe, repeats) -> None:
    """The recipe's transform in memory (``_apply_layers``) vs in row tiles, interleaved."""
    from chroma.compositing import _apply_layers
    from chroma.pipeline._stream import stream_layers

    layers = [(s.estimator, None, s.mode, s.strength) for s in pipe.steps]
    ways = {"in memory": lambda im: _apply_layers(im, layers),
            "row tiles (Pipeline.transform)": lambda im: stream_layers(im, layers)}
    print("### recipe transform: in memory vs row tiles\n")
    print("| execution | threads | wall (s) | CPU (s) |")
    print("|---|---|---:|---:|")
    for threads in (None, 1):
        if threads:
            chroma.set_num_threads(threads)
        try:
            runs = {k: [] for k in ways}
            for f in files[:repeats]:
                im = read_image(f)
                for k, fn in ways.items():
                    fn(im)  # warm
                    w, c = time.perf_counter(), time.process_time()
                    fn(im)
                    runs[k].append((time.perf_counter() - w, time.process_time() - c))
        finally:
            chroma.set_num_threads(None)
        for k, v in runs.items():
            print(f"| {k} | {threads or 'default'} | {statistics.median(a for a, _ in v):.3f} "
                  f"| {statistics.median(b for _, b in v):.3f} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--stream", action="store_true",
                        help="also time the recipe streamed in row tiles vs in memory")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="chroma-batch-profile-"))
    try:
        (tmp / "in").mkdir()
        (tmp / "out").mkdir()
        make_images(tmp / "in", args.repeats + 1)
        files = sorted((tmp / "in").iterdir())
        ref = tmp / "ref.png"
        chroma.write_image(ref, chroma.read_image(ROOT / "data" / "coffee.png"))
        recipe = tmp / "recipe.toml"
        recipe.write_text(RECIPE.format(ref=ref.as_posix()))
        steps = {"reinhard": chroma.ReinhardTransfer().fit(chroma.read_image(ref)),
                 "recipe (reinhard + histogram)": chroma.Pipeline.load(recipe).fit()}
        print(f"load before: {uptime()}; {os.cpu_count()} CPUs; median of {args.repeats} "
              "files (2 MP JPEG)\n")
        for sname, step in steps.items():
            default, single = profile(files, tmp / "out", step, args.repeats)
            print(f"### {sname}\n")
            print("| stage | wall (s), default threads | CPU / wall | wall (s), 1 thread |")
            print("|---|---:|---:|---:|")
            for k in default:
                w, c = default[k]
                print(f"| {k} | {w:.3f} | {c / w:.2f} | {single[k][0]:.3f} |")
            sd = sum(v[0] for v in default.values())
            s1 = sum(v[0] for v in single.values())
            print(f"| total | {sd:.3f} | | {s1:.3f} |\n")
            print(f"Predicted best processes / sync with {args.workers} workers: "
                  f"{sd / (s1 / args.workers):.2f}x (sync {sd:.3f} s per file; a "
                  f"{args.workers}-worker pool at best {s1 / args.workers:.3f} s)\n")
            if args.cprofile:
                pr = cProfile.Profile()
                pr.enable()
                stages(files[0], tmp / "out" / "p.jpg", step)
                pr.disable()
                text = io.StringIO()
                pstats.Stats(pr, stream=text).sort_stats("cumulative").print_stats(25)
                print("```\n" + text.getvalue().strip() + "\n```\n")
        if args.stream:
            compare_stream(files, steps["recipe (reinhard + histogram)"], args.repeats)
        print(f"load after: {uptime()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
