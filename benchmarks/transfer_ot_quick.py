"""Quick same-run timing at 12 MP: chroma IDT / regrain vs python-color-transfer.

Median of 5 interleaved rounds after one untimed warm-up call each, on the
Pitié pair upscaled (bicubic) to 4000x3000. The harness case
``chroma/bench/cases/transfer_ot.py`` measures the same and more; this script
is the short version for a quick check::

    .venv/bin/python benchmarks/transfer_ot_quick.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from chroma.io import read_image
from chroma.transfers.idt import IDTTransfer
from chroma.transfers.regrain import regrain

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "photos" / "eval"


def main() -> int:
    from python_color_transfer.color_transfer import ColorTransfer, Regrain

    a = read_image(EVAL / "color-matcher__scotland_house.jpg")
    b = read_image(EVAL / "color-matcher__scotland_plain.jpg")
    a = np.asarray(Image.fromarray(a).resize((4000, 3000), Image.BICUBIC))
    b = np.asarray(Image.fromarray(b).resize((4000, 3000), Image.BICUBIC))
    transferred = IDTTransfer(6, rotations="pitie").fit(b).transform(a)
    fns = {
        "chroma IDT (6, pitie)": lambda: IDTTransfer(6, rotations="pitie").fit(b).transform(a),
        "python-color-transfer pdf": lambda: ColorTransfer().pdf_transfer(img_arr_in=a,
                                                                          img_arr_ref=b),
        "chroma regrain": lambda: regrain(a, transferred),
        "python-color-transfer Regrain": lambda: Regrain().regrain(img_arr_in=a,
                                                                   img_arr_col=transferred),
    }
    fns["chroma IDT (6, pitie)"]()
    fns["chroma regrain"]()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(5):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    med = {k: float(np.median(v)) for k, v in times.items()}
    for name, m in med.items():
        print(f"{name:32s} median {m:6.2f} s  (all: {', '.join(f'{t:.2f}' for t in times[name])})")
    print(f"IDT ratio {med['python-color-transfer pdf'] / med['chroma IDT (6, pitie)']:.1f}x, "
          f"regrain ratio {med['python-color-transfer Regrain'] / med['chroma regrain']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
