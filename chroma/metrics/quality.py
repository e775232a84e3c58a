"""Image-quality scores: :func:`colorfulness` (no reference); :func:`psnr`, :func:`ssim`
against a ground truth; :func:`lightness_ssim`, :func:`gradient_artifacts` of a result
against the input it was made from.

Argument order is always ``metric(output, truth)`` (or ``(output, image)``):
the image being scored first.

References
----------
.. [1] D. Hasler, S. Süsstrunk, "Measuring colourfulness in natural images",
       Proc. SPIE 5007, Human Vision and Electronic Imaging VIII, 2003.
.. [2] Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality
       assessment: from error visibility to structural similarity", IEEE TIP
       13(4), 2004.
"""

from __future__ import annotations

import numpy as np

from chroma._core.validate import to_float
from chroma.metrics._common import _lab, _rgb, _same_shape

__all__ = ["colorfulness", "gradient_artifacts", "lightness_ssim", "psnr", "ssim"]


def _float_pair(output, truth) -> tuple[np.ndarray, np.ndarray]:
    x, _ = to_float(output, name="output")
    y, _ = to_float(truth, name="truth")
    if x.shape != y.shape:
        raise ValueError(
            f"`output` and `truth` must have the same shape, got {x.shape} and {y.shape}."
        )
    return x, y


def colorfulness(image) -> float:
    """Colorfulness of an image, Hasler & Süsstrunk's metric M(3) [1].

    Computed in the rg-yb opponent space on sRGB values scaled to [0, 255],
    as in the paper (their chosen metric, the one with 95.3 % correlation to
    the panel)::

        rg = R - G,   yb = (R + G) / 2 - B
        M = sqrt(std(rg)^2 + std(yb)^2) + 0.3 * sqrt(mean(rg)^2 + mean(yb)^2)

    with population standard deviations over all pixels. The paper's scale:
    0 not colorful, ~15 slightly, ~33 moderately, ~45 averagely, ~59 quite,
    ~82 highly, >= ~109 extremely colorful.

    Parameters
    ----------
    image : ndarray
        RGB or gray image (uint8, uint16 or float in [0, 1]); alpha is ignored.

    Returns
    -------
    m : float
        0 for any gray image.

    Examples
    --------
    >>> colorfulness(np.full((4, 4, 3), 0.5))
    0.0
    >>> round(colorfulness(np.array([[[255, 0, 0], [0, 0, 255]]], dtype=np.uint8)), 3)
    272.619
    """
    x = _rgb(image, "image").astype(np.float64) * 255.0
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    rg = r - g
    yb = 0.5 * (r + g) - b
    m = np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())
    return float(m)


def psnr(output, truth, /) -> float:
    """Peak signal-to-noise ratio (dB) of `output` against the ground truth `truth`.

    Both are read in their dtype's range (uint8 / 255, uint16 / 65535, float
    as is) so the data range is 1; via
    :func:`skimage.metrics.peak_signal_noise_ratio`.

    Parameters
    ----------
    output, truth : ndarray
        Images of the same shape (gray or RGB; alpha is ignored).

    Returns
    -------
    psnr : float
        ``inf`` for identical images.

    Examples
    --------
    >>> a = np.zeros((4, 4, 3), dtype=np.uint8)
    >>> b = a.copy(); b[0, 0, 0] = 255
    >>> round(psnr(b, a), 2)
    16.81
    """
    from skimage.metrics import peak_signal_noise_ratio

    x, y = _float_pair(output, truth)
    if np.array_equal(x, y):
        return float("inf")
    return float(peak_signal_noise_ratio(y, x, data_range=1.0))


def ssim(output, truth, /) -> float:
    """Structural similarity (Wang et al. [2]) of `output` and the ground truth `truth`.

    Via :func:`skimage.metrics.structural_similarity` with its defaults (7x7
    uniform window), per channel and averaged, on values read in their
    dtype's range (data range 1).

    Parameters
    ----------
    output, truth : ndarray
        Images of the same shape, at least 7x7 (gray or RGB; alpha ignored).

    Returns
    -------
    ssim : float
        1 for identical images.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = rng.random((16, 16, 3))
    >>> ssim(img, img)
    1.0
    """
    from skimage.metrics import structural_similarity

    x, y = _float_pair(output, truth)
    return float(structural_similarity(x, y, data_range=1.0, channel_axis=-1))


def lightness_ssim(output, image, /) -> float:
    """SSIM of the L* channels of `output` and the input `image`: is the structure kept?

    Color transfer should change colors, not the picture's structure; this
    compares lightness only (data range 100, skimage's default window).

    Parameters
    ----------
    output, image : ndarray
        The result and the input it was made from: RGB (or gray) images of
        the same height and width.

    Returns
    -------
    ssim : float
        1 when the lightness is unchanged (whatever happened to a*, b*).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = rng.random((16, 16, 3)).astype(np.float32)
    >>> lightness_ssim(img, img)
    1.0
    """
    from skimage.metrics import structural_similarity

    a = _lab(output, "output")[..., 0]
    b = _lab(image, "image")[..., 0]
    _same_shape(a, b, ("output", "image"))
    return float(structural_similarity(b, a, data_range=100.0))


def _gradient_magnitude(lab: np.ndarray) -> np.ndarray:
    g2 = np.zeros(lab.shape[:2], dtype=np.float64)
    for c in range(3):
        ch = lab[..., c].astype(np.float64)
        gy, gx = np.gradient(ch)
        g2 += gx * gx + gy * gy
    return np.sqrt(g2)


def gradient_artifacts(output, image, /) -> float:
    """Energy of the gradients that `output` has and `image` had not.

    With ``G`` the per-pixel CIELAB gradient magnitude (central differences,
    ``sqrt(sum over L*, a*, b* of dx^2 + dy^2)``)::

        artifacts = mean(max(G(output) - G(image), 0) ** 2)

    Grain, blocking and banding created by a transfer raise it; a smooth
    recoloring keeps it near 0 (contrast stretching raises it a little too,
    so compare methods on the same inputs). Units: (ΔE per pixel)².

    Parameters
    ----------
    output, image : ndarray
        The result and the input it was made from: RGB (or gray) images of
        the same height and width.

    Returns
    -------
    energy : float
        >= 0; 0 when `output` has nowhere a stronger gradient than `image`.

    Examples
    --------
    >>> flat = np.full((8, 8, 3), 0.5, dtype=np.float32)
    >>> noisy = flat + np.float32(0.05) * np.random.default_rng(0).standard_normal((8, 8, 3))
    >>> gradient_artifacts(flat, flat), gradient_artifacts(flat, noisy)  # smoother: none
    (0.0, 0.0)
    >>> gradient_artifacts(noisy.clip(0, 1), flat) > 1
    True
    """
    b = _lab(output, "output")
    a = _lab(image, "image")
    _same_shape(b, a, ("output", "image"))
    excess = np.maximum(_gradient_magnitude(b) - _gradient_magnitude(a), 0.0)
    return float(np.mean(excess**2))
