"""Throughput of chroma.batch.apply: sync vs a local process pool vs a Dask LocalCluster.

100 images of about 2 MP (1632 x 1224 JPEG, made from the bundled data/ samples
by resizing, cropping and flipping) in a temporary folder; two steps: Reinhard,
and a two-step recipe (Reinhard then histogram matching at strength 0.7).
Each configuration runs ``--repeats`` times (fresh output folder each time,
interleaved), and the median wall time is reported. The process pool is built
by each ``apply`` call (its start-up is timed); the Dask cluster is started
once, before the timings (its start-up is reported separately).

Memory: (1) a fresh worker process transforms one image; its peak RSS above
its idle footprint (after imports and a warm-up on a small image) is compared
with the decoded image (uint8 RGB); (2) the peak RSS of each pool / Dask worker
during the runs (psutil sampling every 20 ms), interpreter included.

Run: ``.venv/bin/python benchmarks/batch_throughput.py`` (writes
benchmarks/results/batch.md). Needs dask[distributed] and psutil (the dev extra).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import chroma  # noqa: E402
from chroma.batch import apply  # noqa: E402

SIZE = (1224, 1632)  # rows, columns: 2.0 MP
RECIPE = """
[[steps]]
name = "grade"
method = "reinhard"
reference = "{ref}"

[[steps]]
name = "match"
method = "histogram"
reference = "{ref}"
strength = 0.7
"""

PROBE = r"""
import sys
sys.path.insert(0, {root!r})
import numpy as np
import chroma
from chroma.batch import process_file
step = {step_expr}
rec = process_file({warm!r}, {tmp!r} + "/warm.jpg", step, overwrite=True)  # JIT, full size
assert rec.status == "done", rec
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
before = status("VmRSS:")
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")                                     # reset the peak RSS (VmHWM)
rec = process_file({src!r}, {tmp!r} + "/one.jpg", step, overwrite=True)
assert rec.status == "done", rec
print(before, status("VmHWM:"))
"""


def uptime() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def make_images(folder: Path, n: int) -> None:
    from PIL import Image

    samples = sorted((ROOT / "data").glob("*.png"))
    rng = np.random.default_rng(0)
    for i in range(n):
        im = Image.open(samples[i % len(samples)]).convert("RGB")
        w, h = im.size
        c = rng.uniform(0.7, 1.0)
        x0, y0 = rng.uniform(0, 1 - c) * w, rng.uniform(0, 1 - c) * h
        im = im.crop((int(x0), int(y0), int(x0 + c * w), int(y0 + c * h)))
        im = im.resize(SIZE[::-1], Image.BICUBIC)
        if i % 2:
            im = im.transpose(Image.FLIP_LEFT_RIGHT)
        im.save(folder / f"img{i:03d}.jpg", quality=92)


class RSSSampler:
    """Peak RSS and CPU time of each child process (pool or Dask workers) while running.

    ``cpu_seconds`` after the block: the CPU time (user + system) this process
    and the sampled workers spent during it; a pool worker's last <20 ms are
    missed (it exits between two samples).
    """

    def __init__(self, pids_fn):
        import psutil

        self.psutil, self.pids_fn, self.peak, self.cpu = psutil, pids_fn, {}, {}
        self._base = {pid: self._cpu(pid) for pid in pids_fn()}  # workers already running
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _cpu(self, pid):
        try:
            t = self.psutil.Process(pid).cpu_times()
        except self.psutil.Error:
            return None
        return t.user + t.system

    def _run(self):
        while not self._stop.is_set():
            self._sample()
            time.sleep(0.02)

    def _sample(self):
        for pid in self.pids_fn():
            try:
                proc = self.psutil.Process(pid)
                rss = proc.memory_info().rss
                t = proc.cpu_times()
            except self.psutil.Error:
                continue
            self.peak[pid] = max(self.peak.get(pid, 0), rss)
            self.cpu[pid] = t.user + t.system

    def __enter__(self):
        self._me0 = self._cpu(os.getpid())
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._sample()
        self._stop.set()
        self._t.join()
        workers = sum(c - (self._base.get(pid) or 0.0) for pid, c in self.cpu.items())
        self.cpu_seconds = workers + self._cpu(os.getpid()) - self._me0


def children_of_self():
    import psutil

    me = psutil.Process()
    return [c.pid for c in me.children(recursive=True)]


def memory_probe(files, ref, recipe, tmp, image_bytes) -> dict[str, float]:
    """Peak RSS of a fresh worker above its idle footprint, per image, / the decoded image.

    glibc's dynamic mmap threshold would keep a freed image's memory in the heap
    and hide the next one's; a fixed threshold (MALLOC_MMAP_THRESHOLD_) returns
    large arrays to the system when freed, so the second image's peak is its own.
    """
    exprs = {"reinhard": f"chroma.ReinhardTransfer().fit(chroma.read_image({str(ref)!r}))",
             "recipe (reinhard + histogram)": f"chroma.Pipeline.load({str(recipe)!r}).fit()"}
    probe = {}
    for threads, label in ((None, ""), ("1", ", one thread (as in a pool worker)")):
        env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072"}
        if threads:
            env["CHROMA_NUM_THREADS"] = threads
        for sname, expr in exprs.items():
            code = PROBE.format(root=str(ROOT), step_expr=expr, warm=str(files[1]),
                                src=str(files[0]), tmp=str(tmp))
            before, peak = map(int, subprocess.run([sys.executable, "-c", code], env=env,
                                                   capture_output=True, text=True,
                                                   check=True).stdout.split())
            probe[sname + label] = (peak - before) / image_bytes
    return probe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "batch.md"))
    parser.add_argument("--dask-malloc-trim", action="store_true",
                        help="keep Dask's default MALLOC_TRIM_THRESHOLD_=65536 for its workers")
    parser.add_argument("--memory-only", action="store_true",
                        help="only the per-worker memory probe (prints it)")
    args = parser.parse_args()
    if args.memory_only:
        tmp = Path(tempfile.mkdtemp(prefix="chroma-batch-mem-"))
        try:
            (tmp / "in").mkdir()
            make_images(tmp / "in", 2)
            ref = tmp / "ref.png"
            chroma.write_image(ref, chroma.read_image(ROOT / "data" / "coffee.png"))
            recipe = tmp / "recipe.toml"
            recipe.write_text(RECIPE.format(ref=ref.as_posix()))
            files = sorted((tmp / "in").iterdir())
            nbytes = chroma.read_image(files[0]).nbytes
            lines = ["# chroma.batch: memory per worker", "",
                     "Reproduce: `.venv/bin/python benchmarks/batch_throughput.py "
                     "--memory-only`. A fresh worker process transforms one 2 MP image after "
                     "a warm-up on another (MALLOC_MMAP_THRESHOLD_ fixed so that freed "
                     "images go back to the system); its peak RSS above its idle footprint "
                     f"is divided by the decoded image ({nbytes / 2**20:.1f} MiB uint8 RGB).",
                     ""]
            for k, v in memory_probe(files, ref, recipe, tmp, nbytes).items():
                lines.append(f"- {k}: {v:.2f}x the decoded uint8 image ({v / 4:.2f}x its "
                             "float32 working copy)")
            text = "\n".join(lines) + "\n"
            (ROOT / "benchmarks" / "results" / "batch_memory.md").write_text(text)
            print(text)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    tmp = Path(tempfile.mkdtemp(prefix="chroma-batch-bench-"))
    try:
        src = tmp / "in"
        src.mkdir()
        loads = [("start", uptime())]
        t = time.perf_counter()
        make_images(src, args.images)
        gen_s = time.perf_counter() - t
        ref = tmp / "ref.png"
        chroma.write_image(ref, chroma.read_image(ROOT / "data" / "coffee.png"))
        recipe = tmp / "recipe.toml"
        recipe.write_text(RECIPE.format(ref=ref.as_posix()))
        one = chroma.read_image(next(src.iterdir()))
        image_bytes = one.nbytes
        steps = {"reinhard": lambda: chroma.ReinhardTransfer().fit(chroma.read_image(ref)),
                 "recipe (reinhard + histogram)": lambda: str(recipe)}

        t = time.perf_counter()
        cluster, client = start_cluster(args.workers, args.dask_malloc_trim)
        dask_start = time.perf_counter() - t
        apply(sorted(src.iterdir())[:2], steps["recipe (reinhard + histogram)"](),
              tmp / "warm", scheduler=client, progress=False)  # import + JIT on the workers
        worker_pids = [w.pid for w in cluster.workers.values() if hasattr(w, "pid")]
        dask_family = set(children_of_self())  # nannies and workers: not the process pool

        probe = memory_probe(sorted(src.iterdir()), ref, recipe, tmp, image_bytes)
        loads.append(("after the memory probe", uptime()))

        schedulers = {"sync": "sync", "processes": "processes", "dask": client}
        times = {(s, k): [] for s in steps for k in schedulers}
        cpu = {(s, k): [] for s in steps for k in schedulers}
        peaks: dict[str, int] = {}
        for r in range(args.repeats):
            for sname, make in steps.items():
                for kname, sched in schedulers.items():
                    out = tmp / f"out-{r}-{kname}"
                    step = make()
                    pids = ((lambda: worker_pids) if kname == "dask" else
                            (lambda: [p for p in children_of_self() if p not in dask_family]))
                    with RSSSampler(pids) as sampler:
                        t = time.perf_counter()
                        result = apply(src, step, out, scheduler=sched, workers=args.workers,
                                       progress=False)
                        times[(sname, kname)].append(time.perf_counter() - t)
                    cpu[(sname, kname)].append(sampler.cpu_seconds)
                    assert result.ok and result.done == args.images, result.report()
                    if sampler.peak and kname != "sync":
                        peaks[kname] = max(peaks.get(kname, 0), max(sampler.peak.values()))
                    shutil.rmtree(out)
            loads.append((f"after repeat {r + 1}", uptime()))
            report(args, times, cpu, steps, schedulers, probe, peaks, image_bytes, loads,
                   gen_s, dask_start, r + 1)
        client.close()
        cluster.close()

        loads.append(("end", uptime()))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(Path(args.out).read_text())


def start_cluster(workers: int, malloc_trim: bool):
    """A LocalCluster of `workers` one-thread worker processes, and its client.

    Dask's nannies put their ``pre-spawn-environ`` (``MALLOC_TRIM_THRESHOLD_=65536``,
    ``OMP_NUM_THREADS=1``, ...) into this process's environment as well; it is restored
    here, so that "sync" and the process pool's fork server (started later, with this
    environment) run as they would without a cluster. ``MALLOC_TRIM_THRESHOLD_`` set at
    all turns off glibc's dynamic mmap threshold: every tile temporary is then mapped
    and page-faulted afresh, which about doubles the CPU time of the two-step recipe
    (see docs/batch.md). Unless `malloc_trim`, the workers are started without it.
    """
    import dask
    from distributed import Client, LocalCluster

    saved = dict(os.environ)
    key = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
    with dask.config.set({} if malloc_trim else {key: None}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
    os.environ.clear()
    os.environ.update(saved)
    return cluster, Client(cluster)


def report(args, times, cpu, steps, schedulers, probe, peaks, image_bytes, loads, gen_s,
           dask_start, done) -> None:
    """Write the results so far (after each repeat: a long run leaves a usable report)."""
    med = {k: statistics.median(v) for k, v in times.items()}
    trim = ("Dask's default MALLOC_TRIM_THRESHOLD_=65536 in the workers" if args.dask_malloc_trim
            else "workers without Dask's MALLOC_TRIM_THRESHOLD_")
    lines = [
        "# chroma.batch throughput",
        "",
        f"Reproduce: `.venv/bin/python benchmarks/batch_throughput.py --images {args.images} "
        f"--repeats {done} --workers {args.workers}"
        f"{' --dask-malloc-trim' if args.dask_malloc_trim else ''}`.",
        "",
        f"{args.images} JPEG images of {SIZE[1]}x{SIZE[0]} ({SIZE[0] * SIZE[1] / 1e6:.1f} MP, "
        f"made from data/ in {gen_s:.0f} s), outputs JPEG; {os.cpu_count()} CPU cores "
        f"(`os.cpu_count()`), {args.workers} workers for 'processes' and for the Dask "
        f"LocalCluster (threads_per_worker=1, worker processes over loopback, "
        f"{trim}"
        f"; the environment Dask sets in this process is restored). Median of "
        f"{done} interleaved runs; the process pool's start-up is inside its time, "
        f"the Dask cluster's ({dask_start:.1f} s) is not.",
        "",
        "| step | sync (s) | processes (s) | Dask (s) | processes / sync speed-up | "
        "Dask time / processes time |",
        "|---|---|---|---|---|---|",
    ]
    for sname in steps:
        s, p, d = (med[(sname, k)] for k in schedulers)
        lines.append(f"| {sname} | {s:.1f} | {p:.1f} | {d:.1f} | {s / p:.2f}x | {d / p:.2f} |")
    lines += ["", "All runs (s): " + json.dumps({f"{a} / {b}": [round(x, 1) for x in v]
                                                for (a, b), v in times.items()}), ""]
    lines += [
        "CPU time and the cores each configuration got (median over the runs; CPU time of "
        "this process and of the pool / Dask worker processes, user + system; cores = CPU "
        "time / wall time). On a machine shared with other jobs a configuration gets the "
        "cores the others leave: a pool cannot be faster than sync by more than the ratio "
        "of the cores they got times the ratio of their CPU time per image.",
        "",
        "| step | scheduler | CPU s per image | cores used |",
        "|---|---|---:|---:|",
    ]
    for sname in steps:
        for kname in schedulers:
            c = statistics.median(cpu[(sname, kname)])
            cores = statistics.median(a / b for a, b in zip(cpu[(sname, kname)],
                                                            times[(sname, kname)]))
            lines.append(f"| {sname} | {kname} | {c / args.images:.3f} | {cores:.2f} |")
    lines.append("")
    lines += ["## Memory per worker", "",
              f"One decoded image (uint8 RGB): {image_bytes / 2**20:.1f} MiB.", ""]
    for sname, ratio in probe.items():
        lines.append(f"- {sname}: peak RSS of a worker above its idle footprint while it "
                     f"transforms one image = {ratio:.2f}x the decoded uint8 image "
                     f"({ratio / 4:.2f}x its float32 working copy)")
    for kname, peak in peaks.items():
        lines.append(f"- {kname}: highest peak RSS of one worker process during the runs, "
                     f"interpreter, NumPy, Numba and chroma included: {peak / 2**20:.0f} MiB")
    lines += ["", "## Load (1, 5, 15-minute load averages from /proc/loadavg)", ""]
    lines += [f"- {when}: {load}" for when, load in loads]
    lines += ["", "The machine is shared (other sessions and a background training run): "
              "the ratios, not the seconds, are the result.", ""]
    Path(args.out).write_text("\n".join(lines))




if __name__ == "__main__":
    main()
