"""Metric adapters for the benchmark harness: ``metric(output, image, reference) -> float``.

Each wraps a metric of :mod:`chroma.metrics` into the signature that
:mod:`chroma.bench.harness` calls with a contender's output, the input image
and the reference, and carries a ``label`` (column header) and ``better``
(``"lower"`` or ``"higher"``) attribute. ``*_to_image`` compare the output
with the input, ``*_to_reference`` with the reference.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from chroma.metrics import (
    bhattacharyya_ab,
    ciede2000,
    colorfulness,
    deltae76,
    emd_per_channel,
    gradient_artifacts,
    lightness_ssim,
    psnr,
    sliced_wasserstein_lab,
    ssim,
)
from chroma.metrics._common import _lab, _same_shape

__all__ = [
    "bhattacharyya_ab_to_reference",
    "ciede2000_max_to_image",
    "ciede2000_mean_to_image",
    "colorfulness_of_output",
    "deltae76_mean_to_image",
    "emd_to_reference",
    "gradient_artifacts_vs_image",
    "lightness_ssim_to_image",
    "psnr_to_image",
    "sliced_wasserstein_to_reference",
    "ssim_to_image",
]


def _lab_of_images(output, image) -> tuple[np.ndarray, np.ndarray]:
    """CIELAB of `output` and `image`, checked to have the same height and width."""
    a, b = _lab(output, "output"), _lab(image, "image")
    _same_shape(a, b, ("output", "image"))
    return a, b


def _adapter(label: str, better: str) -> Callable:
    def mark(fn: Callable) -> Callable:
        fn.label = label
        fn.better = better
        return fn

    return mark


@_adapter("ΔE00 mean vs input", "lower")
def ciede2000_mean_to_image(output, image, reference=None) -> float:
    """Mean CIEDE2000 between `output` and `image` (same size), e.g. a round trip's error.

    Examples
    --------
    >>> img = np.random.default_rng(0).random((8, 8, 3))
    >>> ciede2000_mean_to_image(img, img, None)
    0.0
    """
    a, b = _lab_of_images(output, image)
    return float(np.mean(ciede2000(a, b)))


@_adapter("ΔE00 max vs input", "lower")
def ciede2000_max_to_image(output, image, reference=None) -> float:
    """Largest CIEDE2000 between `output` and `image` over all pixels.

    Examples
    --------
    >>> img = np.zeros((2, 2, 3)); out = img.copy(); out[0, 0] = 1.0
    >>> round(ciede2000_max_to_image(out, img, None), 2)
    100.0
    """
    a, b = _lab_of_images(output, image)
    return float(np.max(ciede2000(a, b)))


@_adapter("ΔE76 mean vs input", "lower")
def deltae76_mean_to_image(output, image, reference=None) -> float:
    """Mean CIE76 ΔE between `output` and `image`.

    Examples
    --------
    >>> img = np.full((2, 2, 3), 0.5)
    >>> deltae76_mean_to_image(img, img, None)
    0.0
    """
    a, b = _lab_of_images(output, image)
    return float(np.mean(deltae76(a, b)))


@_adapter("PSNR vs input (dB)", "higher")
def psnr_to_image(output, image, reference=None) -> float:
    """PSNR of `output` against `image` (see :func:`~chroma.metrics.psnr`).

    Examples
    --------
    >>> img = np.random.default_rng(0).random((16, 16, 3))
    >>> psnr_to_image(img, img), round(psnr_to_image(0.9 * img, img), 1)
    (inf, 24.5)
    >>> psnr_to_image.label, psnr_to_image.better
    ('PSNR vs input (dB)', 'higher')
    """
    return psnr(output, image)


@_adapter("SSIM vs input", "higher")
def ssim_to_image(output, image, reference=None) -> float:
    """SSIM of `output` against `image` (see :func:`~chroma.metrics.ssim`).

    Examples
    --------
    >>> img = np.random.default_rng(0).random((16, 16, 3))
    >>> ssim_to_image(img, img)
    1.0
    """
    return ssim(output, image)


@_adapter("SW2 Lab to reference", "lower")
def sliced_wasserstein_to_reference(output, image, reference) -> float:
    """Sliced Wasserstein distance (Lab) from `output`'s colors to `reference`'s.

    How well a transfer reached the reference's color distribution; see
    :func:`~chroma.metrics.sliced_wasserstein_lab`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> out, ref = rng.random((16, 16, 3)), rng.random((16, 16, 3))
    >>> sliced_wasserstein_to_reference(ref, None, ref)
    0.0
    >>> sliced_wasserstein_to_reference(0.5 * out, None, ref) > 0
    True
    """
    return sliced_wasserstein_lab(output, reference)


@_adapter("EMD Lab to reference", "lower")
def emd_to_reference(output, image, reference) -> float:
    """Sum over L*, a*, b* of the per-channel EMD from `output` to `reference`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> out, ref = rng.random((16, 16, 3)), rng.random((16, 16, 3))
    >>> emd_to_reference(ref, None, ref)
    0.0
    >>> emd_to_reference(0.5 * out, None, ref) > emd_to_reference(out, None, ref)
    True
    """
    return float(emd_per_channel(output, reference).sum())


@_adapter("Bhattacharyya ab to reference", "lower")
def bhattacharyya_ab_to_reference(output, image, reference) -> float:
    """Bhattacharyya distance of `output`'s and `reference`'s a*b* histograms.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> out, ref = rng.random((16, 16, 3)), rng.random((16, 16, 3))
    >>> bhattacharyya_ab_to_reference(ref, None, ref)
    0.0
    >>> 0 < bhattacharyya_ab_to_reference(np.full((4, 4, 3), 0.5), None, ref) <= 1
    True
    """
    return bhattacharyya_ab(output, reference)


@_adapter("L* SSIM vs input", "higher")
def lightness_ssim_to_image(output, image, reference=None) -> float:
    """Lightness-structure preservation: :func:`~chroma.metrics.lightness_ssim`.

    Examples
    --------
    >>> img = np.random.default_rng(0).random((16, 16, 3))
    >>> lightness_ssim_to_image(img, img)
    1.0
    """
    return lightness_ssim(output, image)


@_adapter("gradient artifacts vs input", "lower")
def gradient_artifacts_vs_image(output, image, reference=None) -> float:
    """:func:`~chroma.metrics.gradient_artifacts` of `output` relative to `image`.

    Examples
    --------
    >>> img = np.random.default_rng(0).random((16, 16, 3))
    >>> gradient_artifacts_vs_image(img, img)
    0.0
    """
    return gradient_artifacts(output, image)


@_adapter("colorfulness of output", "higher")
def colorfulness_of_output(output, image=None, reference=None) -> float:
    """Hasler & Süsstrunk colorfulness of `output` (see :func:`~chroma.metrics.colorfulness`).

    Examples
    --------
    >>> colorfulness_of_output(np.full((4, 4, 3), 0.5))
    0.0
    >>> colorfulness_of_output(np.random.default_rng(0).random((16, 16, 3))) > 100
    True
    """
    return colorfulness(output)
