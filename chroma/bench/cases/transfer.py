"""Histogram matching, Reinhard and MKL against scikit-image, color-matcher, color_transfer
(jrosebr1) and python-color-transfer.

Contenders and what they are given
----------------------------------
* **scikit-image** ``exposure.match_histograms(image, reference, channel_axis=-1)``: the
  caller's arrays as they are (uint8 or float32). Its uint8 output is truncated, not rounded.
* **color-matcher** ``ColorMatcher().transfer(src, ref, method=...)`` works on float images in
  [0, 1] (its Reinhard replaces zeros by 1/255 in place and takes ``log10``; on uint8 input the
  zeros stay 0 and give NaN), so uint8 inputs are converted to float32 / 255 inside the timed
  call and the result back to uint8 (rounded): that conversion is part of its time (about
  2 % of it at 12 MP).
* **color_transfer** (jrosebr1) ``color_transfer(source, target)`` transfers *from* ``source``
  *to* ``target`` (the reverse of the usual order) on 8-bit BGR through OpenCV's 8-bit Lab:
  called as ``color_transfer(reference_bgr, image_bgr)`` with ``[..., ::-1]`` views.
* **python-color-transfer** ``ColorTransfer().mean_std_transfer`` (RGB means/stds) and
  ``lab_transfer`` (OpenCV 8-bit Lab), on the uint8 arrays as they are (it documents BGR; the
  methods are per channel so the order does not matter).

Goals at 12 MP (same run; issue 17): histogram uint8 >= 10x scikit-image, float32 >= 50x
scikit-image with scikit-image's exact result; Reinhard (float CIELAB) >= 4x color_transfer,
lαβ within 1.5x of CIELAB's time; MKL >= 10x color-matcher.

Run: ``chroma bench --only "transfer:"`` (the trailing colon skips ``transfer_ot``).
"""

from __future__ import annotations

import numpy as np

from chroma.bench import adapters as metrics
from chroma.bench.harness import Case


# --- chroma ---------------------------------------------------------------------------------
def _chroma_hist(image, reference):
    import chroma

    return chroma.match_histograms(image, reference)


def _chroma_reinhard_lab(image, reference):
    from chroma.transfers import ReinhardTransfer

    return ReinhardTransfer(space="lab").fit(reference).transform(image)


def _chroma_reinhard_lalphabeta(image, reference):
    from chroma.transfers import ReinhardTransfer

    return ReinhardTransfer(space="lalphabeta").fit(reference).transform(image)


def _chroma_mkl(image, reference):
    from chroma.transfers import MKLTransfer

    return MKLTransfer().fit(reference).transform(image)


# --- peers ----------------------------------------------------------------------------------
def _skimage_hist(image, reference):
    from skimage.exposure import match_histograms

    return match_histograms(image, reference, channel_axis=-1)


def _color_matcher(method):
    def run(image, reference):
        from color_matcher import ColorMatcher

        as_uint8 = image.dtype == np.uint8
        src = image.astype(np.float32) / 255 if as_uint8 else image.copy()
        ref = reference.astype(np.float32) / 255 if as_uint8 else reference.copy()
        out = ColorMatcher().transfer(src=src, ref=ref, method=method)
        if as_uint8:
            return np.rint(np.clip(out, 0, 1) * 255).astype(np.uint8)
        return np.clip(out, 0, 1).astype(image.dtype)

    run.__name__ = f"color_matcher_{method}"
    return run


def _color_transfer_jrosebr1(image, reference):
    from color_transfer import color_transfer

    # color_transfer(source, target): the colors of `source` onto `target`
    out = color_transfer(np.ascontiguousarray(reference[..., ::-1]),
                         np.ascontiguousarray(image[..., ::-1]))
    return np.ascontiguousarray(out[..., ::-1])


def _pct(method):
    def run(image, reference):
        from python_color_transfer.color_transfer import ColorTransfer

        return getattr(ColorTransfer(), method)(img_arr_in=image, img_arr_ref=reference)

    run.__name__ = f"pct_{method}"
    return run


_Q_HIST = (metrics.emd_to_reference, metrics.sliced_wasserstein_to_reference)
_Q_STATS = (metrics.sliced_wasserstein_to_reference, metrics.lightness_ssim_to_image,
            metrics.gradient_artifacts_vs_image)
_CM = "color_matcher"
_PCT = "python_color_transfer"

CASES = [
    Case(
        task="histogram matching, uint8",
        contenders={
            "chroma": _chroma_hist,
            "scikit-image": _skimage_hist,
            "color-matcher hm": _color_matcher("hm"),
        },
        requires={"color-matcher hm": _CM},
        quality=_Q_HIST,
        notes="Goal: >= 10x scikit-image at 12 MP. chroma: exact (counts + LUT), rounded.",
    ),
    Case(
        task="histogram matching, float32",
        dtype="float32",
        contenders={
            "chroma": _chroma_hist,
            "scikit-image": _skimage_hist,
        },
        quality=_Q_HIST,
        notes=("Goal: >= 50x scikit-image at 12 MP, same result. chroma's default for float "
               "images above 256 Ki pixels counts 131072 equal buckets; these inputs (8-bit "
               "photos / 255) put one value in each, so the mapping is scikit-image's exact "
               "one (equal to 1e-12, tests/transfers/test_histogram.py) without a sort; "
               "scikit-image sorts (np.unique)."),
    ),
    Case(
        task="Reinhard transfer, uint8 in, float CIELAB",
        contenders={
            "chroma": _chroma_reinhard_lab,
            "chroma (lαβ)": _chroma_reinhard_lalphabeta,
            "color_transfer (jrosebr1)": _color_transfer_jrosebr1,
            "color-matcher reinhard": _color_matcher("reinhard"),
            "python-color-transfer lab": _pct("lab_transfer"),
            "python-color-transfer mean_std": _pct("mean_std_transfer"),
        },
        requires={"color_transfer (jrosebr1)": "color_transfer",
                  "color-matcher reinhard": _CM,
                  "python-color-transfer lab": _PCT,
                  "python-color-transfer mean_std": _PCT},
        quality=_Q_STATS,
        notes=("Goal: >= 4x color_transfer at 12 MP; chroma (lαβ) within 1.5x of chroma's "
               "time. color_transfer and python-color-transfer lab work in OpenCV's 8-bit "
               "Lab; chroma in float32 CIELAB (D65) or lαβ, each in two fused passes (stats, "
               "then map and convert back) over the caller's uint8 pixels."),
    ),
    Case(
        task="MKL (linear Monge-Kantorovich), uint8",
        contenders={
            "chroma": _chroma_mkl,
            "color-matcher mkl": _color_matcher("mkl"),
        },
        requires={"color-matcher mkl": _CM},
        quality=_Q_STATS,
        notes="Goal: >= 10x color-matcher at 12 MP. Both in RGB.",
    ),
]
