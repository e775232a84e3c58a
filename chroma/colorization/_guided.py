"""Shared plumbing for the model-free guided colorizers (private).

Both :mod:`chroma.colorization.welsh` and :mod:`chroma.colorization.scribble` read the
input's CIELAB lightness, invent a*b* and write RGB back with the lightness
kept exactly: :func:`compose` lowers the chroma of out-of-gamut colors (hue
and L* fixed) instead of clipping RGB, which would change L*.
"""

from __future__ import annotations

import numpy as np

from chroma._core.validate import Restore, to_float
from chroma.spaces import LINEAR_FROM_XYZ, WHITE_D65, _convert_float

__all__ = ["compose", "read_lightness"]

_NUMBA_MIN_PIXELS = 1 << 12
_EPS = 1e-7  # linear-light tolerance of the gamut test (as in the kernel)


def read_lightness(
    image, *, name: str = "image", channel_axis: int = -1
) -> tuple[np.ndarray, Restore]:
    """Validate `image` (gray or RGB, optional alpha); return L* (M, N) float32 and a Restore.

    The Restore gives RGB back (a gray input comes back as 3 channels, alpha kept).
    """
    x, restore = to_float(image, name=name, channel_axis=channel_axis, gray_to_rgb=True)
    lightness = _convert_float(x, "rgb", "lab")[..., 0]
    return np.ascontiguousarray(lightness), restore


def _inside_numpy(lab: np.ndarray) -> np.ndarray:
    fy = (lab[:, 0] + 16.0) / 116.0
    f = np.stack([lab[:, 1] / 500.0 + fy, fy, np.maximum(fy - lab[:, 2] / 200.0, 0.0)], -1)
    xyz = np.where(f > 0.2068966, f**3, (f - 16.0 / 116.0) / 7.787) * WHITE_D65
    lin = xyz @ LINEAR_FROM_XYZ.T
    return ((lin >= -_EPS) & (lin <= 1.0 + _EPS)).all(-1)


def _chroma_scale_numpy(lab: np.ndarray, n_steps: int) -> np.ndarray:
    """NumPy twin of :func:`chroma.colorization._guided_kernels.chroma_scale`."""
    lab = lab.astype(np.float64)
    out = np.ones(len(lab))
    bad = ~_inside_numpy(lab)
    if bad.any():
        pix = lab[bad]
        lo, hi = np.zeros(len(pix)), np.ones(len(pix))
        trial = pix.copy()
        for _ in range(n_steps):
            t = 0.5 * (lo + hi)
            trial[:, 1:] = pix[:, 1:] * t[:, None]
            ok = _inside_numpy(trial)
            lo = np.where(ok, t, lo)
            hi = np.where(ok, hi, t)
        out[bad] = lo
    return out


def chroma_scale(lab: np.ndarray, *, n_steps: int = 20, backend: str = "auto") -> np.ndarray:
    """Per-pixel factor t in [0, 1] that brings (L*, t a*, t b*) inside the sRGB gamut.

    `lab` is (P, 3); returns (P,) float64, 1 for in-gamut colors.
    """
    lab = np.ascontiguousarray(lab, dtype=np.float32)
    if backend == "numba" or (backend == "auto" and len(lab) >= _NUMBA_MIN_PIXELS):
        from chroma.colorization import _guided_kernels

        return _guided_kernels.chroma_scale(lab, n_steps)
    return _chroma_scale_numpy(lab, n_steps)


def compose(lightness: np.ndarray, ab: np.ndarray, *, backend: str = "auto") -> np.ndarray:
    """CIELAB (L*, a*, b*) to sRGB in [0, 1] with L* kept: out-of-gamut chroma is shrunk.

    Parameters
    ----------
    lightness : ndarray (M, N)
        L* in [0, 100].
    ab : ndarray (M, N, 2)
        a*, b*.
    backend : {"auto", "numba", "numpy"}
        Gamut search kernel; "auto" uses Numba from 4 Ki pixels on.

    Returns
    -------
    rgb : ndarray of float32, shape (M, N, 3)
        For each pixel the color (L*, t a*, t b*) with the largest t in [0, 1]
        (found by bisection to 2**-20) that lies inside the sRGB gamut (t = 1
        for in-gamut colors); gray (t = 0) is always inside, so L* is the
        input's up to float rounding.

    Examples
    --------
    >>> rgb = compose(np.full((1, 1), 50.0), np.array([[[120.0, 0.0]]]))  # far outside sRGB
    >>> lab = _convert_float(rgb, "rgb", "lab")
    >>> bool(abs(lab[0, 0, 0] - 50) < 0.01), bool(0 < lab[0, 0, 1] < 120)
    (True, True)
    """
    lightness = np.asarray(lightness, dtype=np.float32)
    lab = np.empty((*lightness.shape, 3), dtype=np.float32)
    lab[..., 0] = lightness
    lab[..., 1:] = ab
    t = chroma_scale(lab.reshape(-1, 3), backend=backend).reshape(lightness.shape)
    lab[..., 1:] *= t[..., None].astype(np.float32)
    return _convert_float(lab, "lab", "rgb")
