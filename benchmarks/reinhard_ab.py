"""A/B timing of ``chroma.transfer(..., method="reinhard")`` at 12 MP between checkouts.

Run it once per checkout, interleaved, in one quiet window, with ``PYTHONPATH`` set to the
checkout (the `chroma` it imports is printed), e.g.::

    for i in 1 2; do for d in /path/to/before /path/to/after; do
      (cd $d && PYTHONPATH=$d python /path/to/benchmarks/reinhard_ab.py \\
         color-matcher__scotland_house.jpg color-matcher__scotland_plain.jpg); done; done

The image (first argument, from the eval photos) is resized to 12 MP (Pillow, bicubic);
the reference (second) stays at its size. Per space (CIELAB, lαβ): one warm-up call on 500
rows, then the median and the fastest of 7 calls. Results of session 5: reinhard_ab.md.
"""

import sys

import numpy as np
from _timing import median_min
from PIL import Image

import chroma
from chroma.io import read_image

EVAL = "/work/shared/photos/eval/"

if __name__ == "__main__":
    img, ref = read_image(EVAL + sys.argv[1]), read_image(EVAL + sys.argv[2])
    im = Image.fromarray(img)
    s = (12e6 / (im.width * im.height)) ** 0.5
    img = np.asarray(im.resize((round(im.width * s), round(im.height * s)), Image.BICUBIC))
    for space in ("lab", "lalphabeta"):
        med, fastest = median_min(
            lambda space=space: chroma.transfer(img, ref, method="reinhard", space=space), 7,
            warmup=lambda space=space: chroma.transfer(img[:500], ref, method="reinhard",
                                                       space=space))
        print(chroma.__file__.split("/chroma/")[0], space,
              f"median {1000 * med:.0f} ms min {1000 * fastest:.0f}")
