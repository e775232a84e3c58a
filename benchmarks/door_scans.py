"""How often a masked one-step Pipeline (and chroma.transfer) scans the image and mask.

    python benchmarks/door_scans.py .            # this checkout
    python benchmarks/door_scans.py OTHER_TREE   # run from that tree, e.g. a checkout of 834e19a

Counts the NaN scans (``np.isfinite`` over image-sized arrays) that one call
makes, by wrapping ``np.isfinite``; the image is 64 x 80 float32, the mask soft.
"""

import sys
from pathlib import Path

import numpy as np

CALLS = {"image": 0, "mask": 0}
SHAPE = (64, 80)
_ORIGINAL = np.isfinite


def _counting(x, *args, **kwargs):
    if getattr(x, "ndim", 0) == 3 and x.shape[:2] == SHAPE:
        CALLS["image"] += 1
    elif getattr(x, "ndim", 0) == 2 and x.shape == SHAPE:
        CALLS["mask"] += 1
    return _ORIGINAL(x, *args, **kwargs)


def main(tree: str) -> None:
    np.isfinite = _counting
    sys.path.insert(0, tree)
    import chroma
    from chroma.pipeline import Pipeline

    if (Path(tree) / "chroma" / "transfers").is_dir():
        from chroma.transfers import estimator  # the v2 layout
    else:
        from chroma.transfer import estimator  # the wave-1 layout

    rng = np.random.default_rng(0)
    img = rng.random((*SHAPE, 3)).astype(np.float32)
    ref = rng.random((40, 40, 3)).astype(np.float32)
    m = np.zeros(SHAPE, np.float32)
    m[10:40] = 1
    m[40:44] = 0.5

    def masked_step():
        pipe = Pipeline([("s", estimator("reinhard"), {"mask": m})])
        return pipe.fit(ref).transform(img)

    def plain_step():
        return Pipeline([("s", estimator("reinhard"))]).fit(ref).transform(img)

    runs = [("Pipeline, one Reinhard step, soft mask", masked_step),
            ("chroma.transfer reinhard, soft mask",
             lambda: chroma.transfer(img, ref, "reinhard", mask=m)),
            ("Pipeline, one Reinhard step, no mask", plain_step)]
    for label, run in runs:
        CALLS["image"] = CALLS["mask"] = 0
        run()
        print(f"{label}: {CALLS['image']} NaN scans of the image, {CALLS['mask']} of the mask")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
