"""Numba kernel for :mod:`chroma.colorization._guided` (private).

Its NumPy twin is :func:`chroma.colorization._guided._chroma_scale_numpy`; the
tests compare the two. Importing this module compiles nothing.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from chroma.spaces import LINEAR_FROM_XYZ, WHITE_D65

M_LIN = LINEAR_FROM_XYZ.copy()
XN, YN, ZN = (float(v) for v in WHITE_D65)
EPS = 1e-7  # linear-light tolerance of the gamut test


@njit(inline="always", cache=True, nogil=True)
def _finv(f):
    if f > 0.2068966:
        return f * f * f
    return (f - 16.0 / 116.0) / 7.787


@njit(inline="always", cache=True, nogil=True)
def _inside(L, a, b):
    fy = (L + 16.0) / 116.0
    fx = a / 500.0 + fy
    fz = max(fy - b / 200.0, 0.0)
    x, y, z = _finv(fx) * XN, _finv(fy) * YN, _finv(fz) * ZN
    for j in range(3):
        v = M_LIN[j, 0] * x + M_LIN[j, 1] * y + M_LIN[j, 2] * z
        if v < -EPS or v > 1.0 + EPS:
            return False
    return True


@njit(parallel=True, cache=True, nogil=True)
def chroma_scale(lab, n_steps):  # pragma: no cover - jitted
    """Largest t in [0, 1] (to 2**-n_steps) with (L*, t a*, t b*) inside sRGB; (P, 3) -> (P,)."""
    n = lab.shape[0]
    out = np.empty(n, np.float64)
    for i in prange(n):
        L = np.float64(lab[i, 0])
        a = np.float64(lab[i, 1])
        b = np.float64(lab[i, 2])
        if _inside(L, a, b):
            out[i] = 1.0
            continue
        lo = 0.0
        hi = 1.0
        for _ in range(n_steps):
            t = 0.5 * (lo + hi)
            if _inside(L, a * t, b * t):
                lo = t
            else:
                hi = t
        out[i] = lo
    return out
