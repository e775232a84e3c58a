"""Speed of the transfers whose image statistics are gathered in fixed blocks, two trees.

Times ``fit(reference).transform(image)``'s transform on a 2 MP uint8 photo
(the bundled astronaut tiled to 1224 x 1632) for Reinhard in CIELAB, Reinhard
in RGB, MKL and the streamed two-step recipe (Reinhard then histogram
matching at 0.7), on chroma's default threads and on one, in each source
tree given (e.g. main and a branch): one subprocess per tree and setting,
interleaved, median of ``--repeats``. Prints a Markdown table.

Run: ``.venv/bin/python benchmarks/batch_stats.py --trees /path/main /path/branch``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, sys, time
import numpy as np
import chroma
threads = int(sys.argv[1]) or None
chroma.set_num_threads(threads)
a = chroma.datasets.sample("astronaut")
img = np.ascontiguousarray(np.tile(a, (3, 4, 1))[:1224, :1632])
ref = chroma.datasets.sample("coffee")
steps = {
    "reinhard lab": chroma.ReinhardTransfer().fit(ref),
    "reinhard rgb": chroma.ReinhardTransfer(space="rgb").fit(ref),
    "mkl": chroma.transfers.MKLTransfer().fit(ref),
    "recipe (reinhard + histogram)": chroma.Pipeline(
        [("grade", chroma.ReinhardTransfer()),
         ("match", chroma.HistogramMatcher(), {"strength": 0.7})]).fit(ref),
}
out = {}
for name, step in steps.items():
    step.transform(img)  # compile, warm
    t = []
    for _ in range(int(sys.argv[2])):
        t0 = time.perf_counter()
        step.transform(img)
        t.append(time.perf_counter() - t0)
    out[name] = t
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trees", nargs="+", required=True)
    parser.add_argument("--repeats", type=int, default=3, help="rounds over the trees")
    parser.add_argument("--inner", type=int, default=5, help="timed calls per round")
    args = parser.parse_args()
    times: dict = {}
    for _ in range(args.repeats):
        for threads in (0, 1):
            for tree in args.trees:
                res = subprocess.run([sys.executable, "-c", CHILD, str(threads), str(args.inner)],
                                     cwd=tree, capture_output=True, text=True, check=True)
                for name, t in json.loads(res.stdout).items():
                    times.setdefault((name, threads), {}).setdefault(tree, []).extend(t)
    names = [Path(t).name for t in args.trees]
    print("| step | threads | " + " | ".join(f"{n} (ms)" for n in names) + " |")
    print("|---|---|" + "---:|" * len(names))
    for (name, threads), per in times.items():
        cells = [f"{1000 * statistics.median(per[t]):.1f}" for t in args.trees]
        label = "default" if threads == 0 else "1"
        print(f"| {name} | {label} | " + " | ".join(cells) + " |")
    print(f"\nload: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
