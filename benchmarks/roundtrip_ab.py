"""A/B timing of the float32 sRGB → CIELAB → sRGB round trip at 12 MP between checkouts.

Run it once per checkout, interleaved, in one quiet window, with ``PYTHONPATH`` set to the
checkout (the `chroma` it imports is printed), e.g.::

    for i in 1 2; do for d in /path/to/before /path/to/after; do
      (cd $d && PYTHONPATH=$d python /path/to/benchmarks/roundtrip_ab.py); done; done

The image is the evaluation photos' ``color-matcher__scotland_house.jpg`` (the Pitié pair's
first photo, as ``chroma bench`` uses it) resized to 12 MP (Pillow, bicubic), as float32 in
[0, 1]; without the photo the script says so and exits. Per thread count (1, then every
core): one warm-up call, then the median and the fastest of 7 calls of
``convert(x, "rgb", "lab")``, ``convert(lab, "lab", "rgb")`` and the two together.
"""

import os
import sys

import numpy as np
from _timing import median_min
from PIL import Image

import chroma
from chroma.spaces import convert

PHOTO = os.path.join(os.environ.get("CHROMA_EVAL_DIR", "/work/shared/photos/eval"),
                     "color-matcher__scotland_house.jpg")


def _time(fn, runs=7):
    med, fastest = median_min(fn, runs)
    return 1000 * med, 1000 * fastest


if __name__ == "__main__":
    if not os.path.isfile(PHOTO):
        sys.exit(f"roundtrip_ab.py needs {PHOTO} (set CHROMA_EVAL_DIR)")
    im = Image.open(PHOTO).convert("RGB")
    s = (12e6 / (im.width * im.height)) ** 0.5
    img = np.asarray(im.resize((round(im.width * s), round(im.height * s)), Image.BICUBIC))
    x = img.astype(np.float32) / np.float32(255)
    lab = convert(x, "rgb", "lab")
    where = chroma.__file__.split("/chroma/")[0]
    for threads in (1, os.cpu_count()):
        chroma.set_num_threads(threads)
        cases = {"rgb->lab": lambda: convert(x, "rgb", "lab"),
                 "lab->rgb": lambda: convert(lab, "lab", "rgb"),
                 "round trip": lambda: convert(convert(x, "rgb", "lab"), "lab", "rgb")}
        row = "  ".join(f"{name} {med:.1f} ms (min {low:.1f})"
                        for name, (med, low) in ((n, _time(f)) for n, f in cases.items()))
        print(f"{where} threads={threads} {x.shape[1]}x{x.shape[0]}: {row}", flush=True)
    chroma.set_num_threads(None)
