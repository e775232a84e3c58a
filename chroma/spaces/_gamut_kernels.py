"""Numba kernels for :mod:`chroma.spaces.gamut` (private).

The one "lower chroma at constant L* and hue until inside sRGB" map, as
inlinable per-pixel helpers (other fused kernels call :func:`_lab_srgb_keep_l`)
and two parallel array kernels. Their NumPy twins are in
:mod:`chroma.spaces.gamut`; the tests compare the two. Importing this module
compiles nothing.
"""

from __future__ import annotations

import numpy as np

from chroma._core.parallel import numba_module
from chroma.spaces._kernels import M_LIN, _finv, _l2s, _lab_xyz, _mat

numba = numba_module()  # chroma's threading layer, selected before the first launch
njit, prange = numba.njit, numba.prange

_opts = dict(cache=True, nogil=True, error_model="numpy")

GAMUT_TOL = 1e-5  # linear-light slack before a color counts as out of gamut
BISECT_STEPS = 12  # chroma factor found to 2**-12 (below 8-bit resolution)


@njit(inline="always", **_opts)
def _lab_linear(L, a, b):
    """CIELAB -> linear sRGB (float64, no clipping)."""
    x, y, z = _lab_xyz(L, a, b)
    return _mat(M_LIN, x, y, z)


@njit(inline="always", **_opts)
def _in_gamut(r, g, b):
    lo, hi = -GAMUT_TOL, 1.0 + GAMUT_TOL
    return lo <= r <= hi and lo <= g <= hi and lo <= b <= hi


@njit(inline="always", **_opts)
def _clip01(v):
    if v < 0.0:
        return 0.0
    if v > 1.0:
        return 1.0
    return v


@njit(inline="always", **_opts)
def _keep_l(L, a, b):
    """Largest chroma factor t in [0, 1] (to 2**-12) with (L, t a, t b) inside sRGB.

    Returns t and the linear RGB of the kept color (gray of L* when t = 0).
    """
    y = _finv((L + 16.0) / 116.0)  # linear gray of this L* (R = G = B = Y)
    if a == 0.0 and b == 0.0:
        return 0.0, y, y, y
    r1, g1, b1 = _lab_linear(L, a, b)
    if _in_gamut(r1, g1, b1):
        return 1.0, r1, g1, b1
    t, r, g, bl = 0.0, y, y, y
    lo, hi = 0.0, 1.0
    for _ in range(BISECT_STEPS):
        mid = 0.5 * (lo + hi)
        r1, g1, b1 = _lab_linear(L, a * mid, b * mid)
        if _in_gamut(r1, g1, b1):
            lo = mid
            t, r, g, bl = mid, r1, g1, b1
        else:
            hi = mid
    return t, r, g, bl


@njit(inline="always", **_opts)
def _lab_srgb_keep_l(L, a, b):
    """CIELAB -> sRGB in [0, 1] at constant L*: gray exact, out-of-gamut chroma reduced."""
    _, r, g, bl = _keep_l(L, a, b)
    return _l2s(_clip01(r)), _l2s(_clip01(g)), _l2s(_clip01(bl))


@njit(parallel=True, **_opts)
def lab_to_srgb_keep_l(lab, out):
    """(N, 3) CIELAB -> (N, 3) sRGB in [0, 1], L* and hue kept."""
    for i in prange(lab.shape[0]):
        r, g, b = _lab_srgb_keep_l(np.float64(lab[i, 0]), np.float64(lab[i, 1]),
                                   np.float64(lab[i, 2]))
        out[i, 0], out[i, 1], out[i, 2] = r, g, b


@njit(parallel=True, **_opts)
def into_gamut(lab, out):
    """(N, 3) CIELAB -> (N, 3) CIELAB inside sRGB: a*, b* scaled by the factor of _keep_l."""
    for i in prange(lab.shape[0]):
        L, a, b = np.float64(lab[i, 0]), np.float64(lab[i, 1]), np.float64(lab[i, 2])
        t = _keep_l(L, a, b)[0]
        out[i, 0], out[i, 1], out[i, 2] = L, a * t, b * t
