"""Shared plumbing for the model-free guided colorizers (private).

Both :mod:`chroma.colorization.welsh` and :mod:`chroma.colorization.scribble` read the
input's CIELAB lightness, invent a*b* and write RGB back with the lightness
kept exactly: :func:`compose` lowers the chroma of out-of-gamut colors (hue
and L* fixed) instead of clipping RGB, which would change L*.
"""

from __future__ import annotations

import numpy as np

from chroma._core.validate import Restore, to_float
from chroma.spaces import _convert_float
from chroma.spaces.gamut import lab_to_srgb_keep_lightness

__all__ = ["compose", "read_lightness"]

def read_lightness(
    image, *, name: str = "image", channel_axis: int = -1
) -> tuple[np.ndarray, Restore]:
    """Validate `image` (gray or RGB, optional alpha); return L* (M, N) float32 and a Restore.

    The Restore gives RGB back (a gray input comes back as 3 channels, alpha kept).
    """
    x, restore = to_float(image, name=name, channel_axis=channel_axis, gray_to_rgb=True)
    lightness = _convert_float(x, "rgb", "lab")[..., 0]
    return np.ascontiguousarray(lightness), restore


def compose(lightness: np.ndarray, ab: np.ndarray, *, backend: str = "auto") -> np.ndarray:
    """CIELAB (L*, a*, b*) to sRGB in [0, 1] with L* kept: out-of-gamut chroma is shrunk.

    Parameters
    ----------
    lightness : ndarray (M, N)
        L* in [0, 100].
    ab : ndarray (M, N, 2)
        a*, b*.
    backend : {"auto", "numba", "numpy"}
        Gamut map kernel or its NumPy twin (see :mod:`chroma.spaces.gamut`).

    Returns
    -------
    rgb : ndarray of float32, shape (M, N, 3)
        For each pixel the color (L*, t a*, t b*) with the largest t in [0, 1]
        that lies inside the sRGB gamut (the one gamut map,
        :func:`chroma.spaces.gamut.lab_to_srgb_keep_lightness`); gray is always
        inside, so L* is the input's up to float rounding.

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
    return lab_to_srgb_keep_lightness(lab, backend=backend)
