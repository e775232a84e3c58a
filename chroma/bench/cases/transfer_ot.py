"""IDT (+ regrain) and sliced optimal transport against python-color-transfer and POT.

* **IDT, 6 iterations**: ``chroma.IDTTransfer(6, rotations="pitie", bins=300)``
  against python-color-transfer's ``ColorTransfer().pdf_transfer`` (its 6
  optimized Pitié rotations, 300 bins): the same iteration count, rotations
  and bins. chroma estimates each iteration's marginals on a sample of
  262 144 pixels by default (every pixel is mapped); the contender ``chroma (all
  pixels)`` estimates them on every pixel, as the peer does.
* **IDT + regrain**: the same, with ``regrain=True`` / ``regrain=True``.
* **regrain alone**: ``chroma.regrain(image, transferred)`` against
  python-color-transfer's ``Regrain().regrain``, on the same transferred
  image (chroma's IDT output, made once per input size, not timed). Same
  scheme: sweeps ``(4, 16, 32, 64, 64, 64)`` coarse to fine, smoothness 1.
* **sliced OT**: ``chroma.SlicedOTTransfer()`` (6 directions x 10
  iterations, 50 000-pixel samples) against POT's ``EMDTransport`` and
  ``SinkhornTransport(reg_e=0.1)`` fitted on 1 000 random pixels of each
  image and applied to every pixel, as in POT's color-transfer example
  (``plot_otda_color_images.py``, which uses 500). POT runs at 0.25 MP only
  (see the case's notes: 1 and 12 MP are infeasible in a benchmark run).

Notes: python-color-transfer is documented for BGR uint8 input; the RGB
arrays are passed as they are (the method is the same up to the axis order
of the rotations). It truncates its uint8 output. It needs ``opencv-python``
and pins ``numpy<2`` in its metadata; it is installed here with
``pip install --no-deps python-color-transfer`` next to
``opencv-python-headless`` and works with NumPy 2.
"""

from __future__ import annotations

import numpy as np

from chroma.bench import adapters as metrics
from chroma.bench.harness import Case

POT_SAMPLES = 1000
_CACHE: dict = {}


# --- chroma -------------------------------------------------------------------------------
def _chroma_idt(image, reference):
    from chroma.transfers.idt import IDTTransfer

    return IDTTransfer(6, rotations="pitie", bins=300).fit(reference).transform(image)


def _chroma_idt_all(image, reference):
    from chroma.transfers.idt import IDTTransfer

    est = IDTTransfer(6, rotations="pitie", bins=300, max_pixels=1 << 40)
    return est.fit(reference).transform(image)


def _chroma_idt_regrain(image, reference):
    from chroma.transfers.idt import IDTTransfer

    est = IDTTransfer(6, rotations="pitie", bins=300, regrain=True)
    return est.fit(reference).transform(image)


def _transferred(image, reference):
    """chroma's IDT output for this pair, computed once per input (never timed after warm-up)."""
    key = (image.shape, image.dtype.str, reference.shape, image[::97, ::89].tobytes())
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _chroma_idt(image, reference)
    return _CACHE[key]


def _chroma_regrain(image, reference):
    from chroma.transfers.regrain import regrain

    return regrain(image, _transferred(image, reference))


def _chroma_sot(image, reference):
    from chroma.transfers.sliced import SlicedOTTransfer

    return SlicedOTTransfer(random_state=0).fit(reference).transform(image)


# --- python-color-transfer ----------------------------------------------------------------
def _pct_pdf(image, reference):
    from python_color_transfer.color_transfer import ColorTransfer

    return ColorTransfer().pdf_transfer(img_arr_in=image, img_arr_ref=reference)


def _pct_pdf_regrain(image, reference):
    from python_color_transfer.color_transfer import ColorTransfer

    return ColorTransfer().pdf_transfer(img_arr_in=image, img_arr_ref=reference, regrain=True)


def _pct_regrain(image, reference):
    from python_color_transfer.color_transfer import Regrain

    return Regrain().regrain(img_arr_in=image, img_arr_col=_transferred(image, reference))


# --- POT ----------------------------------------------------------------------------------
def _pot(transport):
    def run(image, reference):
        import ot

        rng = np.random.RandomState(42)
        x1 = image.reshape(-1, 3).astype(np.float64) / 255.0
        x2 = reference.reshape(-1, 3).astype(np.float64) / 255.0
        xs = x1[rng.randint(x1.shape[0], size=POT_SAMPLES)]
        xt = x2[rng.randint(x2.shape[0], size=POT_SAMPLES)]
        if transport == "emd":
            model = ot.da.EMDTransport()
        else:
            model = ot.da.SinkhornTransport(reg_e=1e-1)
        model.fit(Xs=xs, Xt=xt)
        out = model.transform(Xs=x1)
        return (np.clip(out, 0, 1).reshape(image.shape) * 255).round().astype(np.uint8)

    run.__name__ = f"pot_{transport}"
    return run


_QUALITY = (metrics.sliced_wasserstein_to_reference, metrics.gradient_artifacts_vs_image,
            metrics.lightness_ssim_to_image)
_PCT = "python_color_transfer"

CASES = [
    Case(
        task="IDT, 6 iterations (Pitié rotations, 300 bins), uint8",
        contenders={
            "chroma": _chroma_idt,
            "chroma (all pixels)": _chroma_idt_all,
            "python-color-transfer pdf": _pct_pdf,
        },
        requires={"python-color-transfer pdf": _PCT},
        quality=_QUALITY,
        notes="Goal: >= 10x python-color-transfer at 12 MP.",
    ),
    Case(
        task="IDT + regrain, 6 iterations, uint8",
        contenders={
            "chroma": _chroma_idt_regrain,
            "python-color-transfer pdf+regrain": _pct_pdf_regrain,
        },
        requires={"python-color-transfer pdf+regrain": _PCT},
        quality=_QUALITY,
    ),
    Case(
        task="regrain alone (on the same IDT output), uint8",
        contenders={
            "chroma": _chroma_regrain,
            "python-color-transfer Regrain": _pct_regrain,
        },
        requires={"python-color-transfer Regrain": _PCT},
        quality=_QUALITY,
        notes="Goal: >= 10x python-color-transfer at 12 MP.",
    ),
    Case(
        task="sliced optimal transport vs POT EMD / Sinkhorn on a pixel sample, uint8",
        contenders={
            "chroma SOT": _chroma_sot,
            "POT EMDTransport (1000 samples)": _pot("emd"),
            "POT SinkhornTransport (1000 samples)": _pot("sinkhorn"),
        },
        requires={"POT EMDTransport (1000 samples)": "ot",
                  "POT SinkhornTransport (1000 samples)": "ot"},
        quality=_QUALITY,
        sizes_mp=(0.25, 1, 12),
        max_mp={"POT EMDTransport (1000 samples)": 0.25,
                "POT SinkhornTransport (1000 samples)": 0.25},
        # a minute per EMD call even at 0.25 MP: too slow for a smoke run
        quick_skip=("POT EMDTransport (1000 samples)", "POT SinkhornTransport (1000 samples)"),
        notes=("POT runs at 0.25 MP only: there one EMDTransport call took 52 s and one "
               "SinkhornTransport call 8 s on this (busy) machine, and the cost grows linearly "
               "with the pixels mapped (each pixel goes through its nearest fitted sample, in "
               "Python batches of 128), so 1 MP would take minutes per call and 12 MP about "
               "half an hour per call, times 7 calls per size: infeasible here."),
    ),
]
