"""Max |dL*| of `keep_luminance=True` after 8-bit rounding, per transfer method.

    python benchmarks/keep_luminance.py

Bundled samples only (coffee <- chelsea, and coffee <- a saturated red/magenta
reference that pushes colors out of the sRGB gamut at the image's L*).
"""

import numpy as np

import chroma
from chroma.datasets import sample


def main() -> None:
    img, ref = sample("coffee"), sample("chelsea")
    sat = np.zeros((64, 64, 3), np.uint8)
    sat[..., 0] = 255
    sat[:32, :, 2] = 200
    lab_in = chroma.convert(img, "rgb", "lab")[..., 0]
    print("method     reference  max|dL*|")
    for method in ("reinhard", "mkl", "histogram", "idt", "sot"):
        for r, name in ((ref, "chelsea"), (sat, "saturated")):
            opts = {"random_state": 0} if method in ("idt", "sot") else {}
            out = chroma.transfer(img, r, method, keep_luminance=True, **opts)
            d = np.abs(chroma.convert(out, "rgb", "lab")[..., 0] - lab_in).max()
            print(f"{method:10s} {name:10s} {d:8.2f}")


if __name__ == "__main__":
    main()
