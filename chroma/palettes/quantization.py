"""Quantization: every pixel to its nearest palette color in CIELAB, optionally dithered.

References
----------
.. [1] R. W. Floyd, L. Steinberg, "An adaptive algorithm for spatial
       greyscale", Proc. Society for Information Display 17(2), 1976.
"""

from __future__ import annotations

import numpy as np

from chroma._core.parallel import NUMBA_MIN_PIXELS as _NUMBA_MIN_PIXELS
from chroma._core.validate import check_scalar, to_float
from chroma.palettes.palette import _as_palette
from chroma.spaces import convert_pixels

__all__ = ["quantize"]


def _np_nearest(lab, centers):
    """NumPy twin of :func:`chroma.palettes._kernels.nearest`."""
    lab = np.asarray(lab, dtype=np.float64)
    d = ((lab[:, None, :] - np.asarray(centers, dtype=np.float64)[None]) ** 2).sum(-1)
    return d.argmin(1).astype(np.int32)


def _np_dither_fs(lab, centers):
    """NumPy twin of :func:`chroma.palettes._kernels.dither_fs` (plain loops; small images)."""
    work = np.asarray(lab, dtype=np.float64).copy()
    centers = np.asarray(centers, dtype=np.float64)
    m, n = work.shape[:2]
    out = np.empty((m, n), dtype=np.int32)
    for i in range(m):
        for j in range(n):
            v = work[i, j]
            best = int(((centers - v) ** 2).sum(1).argmin())
            out[i, j] = best
            e = v - centers[best]
            if j + 1 < n:
                work[i, j + 1] += e * (7 / 16)
            if i + 1 < m:
                if j > 0:
                    work[i + 1, j - 1] += e * (3 / 16)
                work[i + 1, j] += e * (5 / 16)
                if j + 1 < n:
                    work[i + 1, j + 1] += e * (1 / 16)
    return out


def _labels(lab: np.ndarray, centers: np.ndarray, dither: bool) -> np.ndarray:
    """Palette index of every pixel of an (M, N, 3) float32 Lab image."""
    m, n = lab.shape[:2]
    if dither:
        from chroma.palettes import _kernels as K
        return K.dither_fs(lab, centers)
    flat = lab.reshape(-1, 3)
    if len(flat) >= _NUMBA_MIN_PIXELS:
        from chroma.palettes import _kernels as K
        return K.nearest(flat, centers).reshape(m, n)
    return _np_nearest(flat, centers).reshape(m, n)


def quantize(image, palette, *, dither: bool = False, return_labels: bool = False,
             channel_axis: int = -1):
    """Replace every pixel by the nearest palette color in CIELAB.

    Parameters
    ----------
    image : ndarray
        RGB(A) or gray image (gray comes back RGB); uint8, uint16 or float.
    palette : Palette, list of hex str or array_like of shape (K, 3)
        The colors to use.
    dither : bool, optional
        Floyd–Steinberg error diffusion [1] (in Lab, raster order) instead
        of plain nearest colors: smoother gradients, grainier flat areas.
    return_labels : bool, optional
        Also return the ``(M, N)`` palette index of each pixel.
    channel_axis : int, optional
        Channel axis of `image` and of the result.

    Returns
    -------
    out : ndarray
        Same dtype and alpha as `image`, holding only palette colors.
    labels : ndarray of int32, shape (M, N)
        Only with ``return_labels=True``.

    Examples
    --------
    >>> img = np.array([[[250, 10, 10], [10, 10, 240]]], dtype=np.uint8)
    >>> quantize(img, ["#ff0000", "#0000ff", "#ffffff"])
    array([[[255,   0,   0],
            [  0,   0, 255]]], dtype=uint8)
    """
    pal = _as_palette(palette, "palette")
    x, restore = to_float(image, channel_axis=channel_axis, channels=(3,), gray_to_rgb=True)
    lab = convert_pixels(x, "rgb", "lab")
    dither = check_scalar(dither, "dither", bool)
    labels = _labels(lab, np.ascontiguousarray(pal.lab), dither)
    out = restore(pal.colors.astype(np.float32)[labels])
    return (out, labels) if return_labels else out
