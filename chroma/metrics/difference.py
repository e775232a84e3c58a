"""Per-pixel color differences between CIELAB arrays: :func:`ciede2000`, :func:`deltae76`.

References
----------
.. [1] G. Sharma, W. Wu, E. N. Dalal, "The CIEDE2000 color-difference formula:
       implementation notes, supplementary test data, and mathematical
       observations", Color Research & Application 30(1), 2005.
"""

from __future__ import annotations

import numpy as np

from chroma._core.parallel import NUMBA_MIN_PIXELS as _NUMBA_MIN_PIXELS
from chroma.metrics._common import _lab_pair

__all__ = ["ciede2000", "deltae76"]

_CHUNK = 1 << 18  # pixels per chunk in the NumPy ciede2000 (bounds its float64 temporaries)
_POW25_7 = 25.0**7


def _ciede2000_flat(p: np.ndarray, q: np.ndarray, kL: float, kC: float, kH: float) -> np.ndarray:
    p = p.astype(np.float64, copy=False)
    q = q.astype(np.float64, copy=False)
    L1, a1, b1 = p[:, 0], p[:, 1], p[:, 2]
    L2, a2, b2 = q[:, 0], q[:, 1], q[:, 2]
    c_bar = 0.5 * (np.hypot(a1, b1) + np.hypot(a2, b2))
    c7 = c_bar**7
    g = 0.5 * (1.0 - np.sqrt(c7 / (c7 + _POW25_7)))
    a1p = (1.0 + g) * a1
    a2p = (1.0 + g) * a2
    c1p = np.hypot(a1p, b1)
    c2p = np.hypot(a2p, b2)
    # atan2(0, 0) = 0, which is the paper's convention for achromatic colors
    h1p = np.arctan2(b1, a1p) % (2 * np.pi)
    h2p = np.arctan2(b2, a2p) % (2 * np.pi)
    cc = c1p * c2p
    chromatic = cc != 0

    dl = L2 - L1
    dc = c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > np.pi, dh - 2 * np.pi, np.where(dh < -np.pi, dh + 2 * np.pi, dh))
    dh = np.where(chromatic, dh, 0.0)
    dH = 2.0 * np.sqrt(cc) * np.sin(0.5 * dh)

    l_bar = 0.5 * (L1 + L2)
    c_bar_p = 0.5 * (c1p + c2p)
    h_sum = h1p + h2p
    h_bar = np.where(
        np.abs(h1p - h2p) <= np.pi,
        0.5 * h_sum,
        np.where(h_sum < 2 * np.pi, 0.5 * (h_sum + 2 * np.pi), 0.5 * (h_sum - 2 * np.pi)),
    )
    h_bar = np.where(chromatic, h_bar, h_sum)

    t = (
        1.0
        - 0.17 * np.cos(h_bar - np.radians(30.0))
        + 0.24 * np.cos(2.0 * h_bar)
        + 0.32 * np.cos(3.0 * h_bar + np.radians(6.0))
        - 0.20 * np.cos(4.0 * h_bar - np.radians(63.0))
    )
    d_theta = np.radians(30.0) * np.exp(-(((np.degrees(h_bar) - 275.0) / 25.0) ** 2))
    c7p = c_bar_p**7
    r_c = 2.0 * np.sqrt(c7p / (c7p + _POW25_7))
    l50 = (l_bar - 50.0) ** 2
    s_l = 1.0 + 0.015 * l50 / np.sqrt(20.0 + l50)
    s_c = 1.0 + 0.045 * c_bar_p
    s_h = 1.0 + 0.015 * c_bar_p * t
    r_t = -np.sin(2.0 * d_theta) * r_c
    tl = dl / (kL * s_l)
    tc = dc / (kC * s_c)
    th = dH / (kH * s_h)
    return np.sqrt(np.maximum(tl * tl + tc * tc + th * th + r_t * tc * th, 0.0))


def ciede2000(
    lab1,
    lab2,
    /,
    kL: float = 1,
    kC: float = 1,
    kH: float = 1,
    *,
    channel_axis: int = -1,
    backend: str = "auto",
) -> np.ndarray:
    """CIEDE2000 color difference ΔE00 between two CIELAB arrays, per pixel.

    Follows the implementation notes of Sharma, Wu & Dalal [1] (hue mean and
    difference for achromatic colors included) and reproduces their 34 test
    pairs to 1e-4.

    Parameters
    ----------
    lab1, lab2 : array_like of shape (..., 3)
        CIELAB values (L* in [0, 100]); shapes must broadcast.
    kL, kC, kH : float, optional
        Parametric weighting factors for lightness, chroma and hue (1 for the
        reference conditions; textiles use ``kL=2``).
    channel_axis : int, optional
        Axis of L*, a*, b* in both inputs.
    backend : {"auto", "numba", "numpy"}, optional
        ``"auto"`` uses the parallel Numba kernel from 16 Ki pixels on. Both
        compute in float64 (float32 input is read as is).

    Returns
    -------
    delta_e : ndarray of float64
        The broadcast shape without the channel axis (a 0-d array for single
        colors).

    See Also
    --------
    deltae76, skimage.color.deltaE_ciede2000

    Examples
    --------
    >>> round(float(ciede2000([50, 2.5, 0], [73, 25, -18])), 4)
    27.1492
    >>> ciede2000(np.zeros((2, 3, 3)), np.zeros((2, 3, 3))).shape
    (2, 3)
    """
    if backend not in ("auto", "numba", "numpy"):
        raise ValueError(f"backend={backend!r}; choose from ['auto', 'numba', 'numpy'].")
    a, b = _lab_pair(lab1, lab2, channel_axis)
    if a.dtype != b.dtype:
        a, b = a.astype(np.float64, copy=False), b.astype(np.float64, copy=False)
    shape = a.shape[:-1]
    p = np.ascontiguousarray(a.reshape(-1, 3))
    q = np.ascontiguousarray(b.reshape(-1, 3))
    if backend == "numba" or (backend == "auto" and p.shape[0] >= _NUMBA_MIN_PIXELS):
        from chroma.metrics import _kernels as _metrics_kernels
        return _metrics_kernels.ciede2000(p, q, float(kL), float(kC), float(kH)).reshape(shape)
    out = np.empty(p.shape[0], dtype=np.float64)
    for start in range(0, p.shape[0], _CHUNK):
        sl = slice(start, start + _CHUNK)
        out[sl] = _ciede2000_flat(p[sl], q[sl], float(kL), float(kC), float(kH))
    return out.reshape(shape)


def deltae76(lab1, lab2, /, *, channel_axis: int = -1) -> np.ndarray:
    """CIE 1976 color difference: Euclidean distance in CIELAB, per pixel.

    Parameters
    ----------
    lab1, lab2 : array_like of shape (..., 3)
        CIELAB values; shapes must broadcast.
    channel_axis : int, optional
        Axis of L*, a*, b*.

    Returns
    -------
    delta_e : ndarray of float64
        The broadcast shape without the channel axis.

    Examples
    --------
    >>> float(deltae76([50, 0, 0], [53, 4, 0]))
    5.0
    """
    a, b = _lab_pair(lab1, lab2, channel_axis)
    return np.sqrt(((a - b) ** 2).sum(-1))
