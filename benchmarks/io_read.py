"""Cost of the PNG stream check in read_image: one checkout against another.

read_image now inflates a PNG's pixel stream once to count it (truncation and
short streams are errors, not black rows) before Pillow decodes it. This
times reading a 12 MP photo-like 8-bit PNG and a TIFF (median of 5) with the
chroma of each checkout given::

    python benchmarks/io_read.py /path/to/old/checkout /path/to/this/checkout

Prints one line per checkout and format, and the load average around the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

CHILD = r"""
import sys, time
import numpy as np
from chroma.io import read_image
folder = sys.argv[1]
for name in ("p8.png", "p.tif"):
    ts = []
    for _ in range(5):
        t = time.perf_counter()
        read_image(f"{folder}/{name}")
        ts.append(time.perf_counter() - t)
    print(f"{name}: median {np.median(ts):.3f} s")
"""


def main(argv: list[str]) -> int:
    import numpy as np
    import tifffile
    from PIL import Image

    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:3000, 0:4000]
    img = np.stack([(x / 16 + y / 24) % 256, (y / 12) % 256, (x / 20) % 256], -1)
    img = (img + rng.normal(0, 6, img.shape)).clip(0, 255).astype(np.uint8)
    folder = tempfile.mkdtemp()
    Image.fromarray(img).save(f"{folder}/p8.png")
    tifffile.imwrite(f"{folder}/p.tif", img)
    print(f"load average before: {os.getloadavg()}")
    for root in argv:
        out = subprocess.run([sys.executable, "-c", CHILD, folder], cwd=root,
                             capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONPATH": root})
        for line in out.stdout.splitlines():
            print(f"{root}: {line}")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
