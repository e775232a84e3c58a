"""Soft and snapped edges: :func:`feather` (Gaussian) and :func:`refine` (guided filter).

References
----------
.. [1] K. He, J. Sun, X. Tang, "Guided Image Filtering", IEEE TPAMI 35(6),
       2013 (ECCV 2010).
"""

from __future__ import annotations

import numbers

import numpy as np

from chroma._core.validate import check_scalar, to_float
from chroma.masks._common import _as_mask, _check_nonneg

__all__ = ["feather", "refine"]


def feather(mask, sigma: float) -> np.ndarray:
    """Soften a mask's edges with a Gaussian of standard deviation `sigma` pixels.

    Borders are extended by their nearest value, so a mask that is 1 up to
    the image edge stays 1 there. The result is clipped to [0, 1].

    Examples
    --------
    >>> m = feather(np.eye(5), 1.0)
    >>> bool(m.min() >= 0 and m.max() <= 1), m.dtype
    (True, dtype('float32'))
    """
    from scipy.ndimage import gaussian_filter

    m = _as_mask(mask)
    sigma = _check_nonneg(sigma, "sigma")
    if sigma == 0:
        return m
    out = gaussian_filter(m, sigma, mode="nearest", truncate=3.0)
    return np.clip(out, 0.0, 1.0, out=out)


def _box(x: np.ndarray, r: int) -> np.ndarray:
    """Mean over a (2r+1)² window, edges by reflection."""
    from scipy.ndimage import uniform_filter

    return uniform_filter(x, size=2 * r + 1, mode="reflect")


def refine(mask, image, *, radius: int = 8, eps: float = 1e-3) -> np.ndarray:
    """Snap a rough mask to the image's edges with a guided filter.

    The guide is the image's CIELAB lightness scaled to [0, 1]. Inside each
    ``(2 radius + 1)²`` window the output is a linear function of the guide
    fitted to the mask in least squares, regularised by `eps`; so a mask edge
    that runs near an edge of the image moves onto it, and flat regions stay
    flat (He et al. [1]).

    Parameters
    ----------
    mask : ndarray of shape (M, N)
        The rough mask.
    image : ndarray
        Gray or RGB image of the same height and width.
    radius : int, optional
        Window half-size in pixels (about the error in the rough mask).
    eps : float, optional
        Regularisation on lightness in [0, 1]: smaller snaps to weaker edges.

    Returns
    -------
    mask : ndarray of float32, shape (M, N)
        Clipped to [0, 1].

    Examples
    --------
    >>> img = np.zeros((8, 12)); img[:, 6:] = 1.0        # an edge between columns 5 and 6
    >>> rough = feather(np.where(img > 0, 1.0, 0.0), 1.5)  # a blurry mask around it
    >>> out = refine(rough, img, radius=3, eps=1e-4)
    >>> float(rough[0, 6] - rough[0, 5]) < 0.3 < 0.6 < float(out[0, 6] - out[0, 5])
    True
    """
    x, _ = to_float(image, gray_to_rgb=True)
    m = _as_mask(mask, shape=x.shape)
    radius = check_scalar(radius, "radius", numbers.Integral, low=1)
    eps = _check_nonneg(eps, "eps")
    if eps == 0:
        raise ValueError("`eps` must be > 0: with 0 a flat guide divides by zero (try 1e-3).")
    from chroma.spaces import convert_pixels

    guide = convert_pixels(x, "rgb", "lab")[..., 0] * np.float32(0.01)
    r = int(radius)
    mean_i, mean_p = _box(guide, r), _box(m, r)
    cov_ip = _box(guide * m, r) - mean_i * mean_p
    var_i = _box(guide * guide, r) - mean_i * mean_i
    a = cov_ip / (var_i + np.float32(eps))
    b = mean_p - a * mean_i
    out = _box(a, r) * guide + _box(b, r)
    return np.clip(out, 0.0, 1.0, out=out).astype(np.float32, copy=False)
