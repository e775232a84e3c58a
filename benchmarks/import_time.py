"""Time ``import chroma`` in fresh interpreters (median of several), and list heavy modules.

Run: ``.venv/bin/python benchmarks/import_time.py``. The first run after an
install also writes bytecode; the median of the later runs is the number to quote.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

CODE = (
    "import time, sys; t = time.perf_counter(); import chroma; "
    "print(time.perf_counter() - t); "
    "print(','.join(m for m in ('torch', 'numba', 'sklearn', 'scipy', 'skimage', 'matplotlib') "
    "if m in sys.modules))"
)


def main(runs: int = 7) -> None:
    times, heavy = [], ""
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                             check=True).stdout.split("\n")
        times.append(float(out[0]))
        heavy = out[1]
    later = times[1:]
    print(f"import chroma: median {statistics.median(later) * 1e3:.1f} ms over {len(later)} runs "
          f"(first run {times[0] * 1e3:.1f} ms); heavy modules loaded: {heavy or 'none'}")


if __name__ == "__main__":
    main()
