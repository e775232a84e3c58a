"""Numba kernels for :mod:`chroma.spaces` (private).

Each kernel maps an ``(N, 3)`` float32 array to a new ``(N, 3)`` float32
array, in parallel over pixels, with float64 arithmetic per pixel. Their
NumPy twins live in :mod:`chroma.spaces` (``_NUMPY_STEPS``) and the tests
compare the two. Importing this module compiles nothing: kernels compile
(or load from Numba's on-disk cache) on first call.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .spaces import (
    LAB_FROM_LOGLMS,
    LINEAR_FROM_LMS,
    LINEAR_FROM_XYZ,
    LMS_EPS,
    LMS_FROM_LINEAR,
    LOGLMS_FROM_LAB,
    RGB_FROM_YCBCR,
    WHITE_D65,
    XYZ_FROM_LINEAR,
    YCBCR_FROM_RGB,
)

_opts = dict(cache=True, nogil=True, error_model="numpy")

# Matrices as module globals: Numba freezes them as constants.
M_XYZ = XYZ_FROM_LINEAR.copy()
M_LIN = LINEAR_FROM_XYZ.copy()
M_LMS = LMS_FROM_LINEAR.copy()
M_LMS_INV = LINEAR_FROM_LMS.copy()
M_LAB = LAB_FROM_LOGLMS.copy()
M_LAB_INV = LOGLMS_FROM_LAB.copy()
M_YCC = YCBCR_FROM_RGB.copy()
M_YCC_INV = RGB_FROM_YCBCR.copy()
XN, YN, ZN = (float(v) for v in WHITE_D65)
EPS = float(LMS_EPS)


@njit(inline="always", **_opts)
def _s2l(v):
    if v > 0.04045:
        return ((v + 0.055) / 1.055) ** 2.4
    return v / 12.92


@njit(inline="always", **_opts)
def _l2s(v):
    if v > 0.0031308:
        return 1.055 * v ** (1.0 / 2.4) - 0.055
    return 12.92 * v


@njit(inline="always", **_opts)
def _f(t):
    if t > 0.008856:
        return np.cbrt(t)
    return 7.787 * t + 16.0 / 116.0


@njit(inline="always", **_opts)
def _finv(f):
    if f > 0.2068966:
        return f * f * f
    return (f - 16.0 / 116.0) / 7.787


@njit(inline="always", **_opts)
def _mat(m, a, b, c):
    return (
        m[0, 0] * a + m[0, 1] * b + m[0, 2] * c,
        m[1, 0] * a + m[1, 1] * b + m[1, 2] * c,
        m[2, 0] * a + m[2, 1] * b + m[2, 2] * c,
    )


@njit(inline="always", **_opts)
def _xyz_lab(x, y, z):
    fx = _f(x / XN)
    fy = _f(y / YN)
    fz = _f(z / ZN)
    return 116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)


@njit(inline="always", **_opts)
def _lab_xyz(L, a, b):
    fy = (L + 16.0) / 116.0
    fx = a / 500.0 + fy
    fz = fy - b / 200.0
    if fz < 0.0:
        fz = 0.0
    return _finv(fx) * XN, _finv(fy) * YN, _finv(fz) * ZN


@njit(parallel=True, **_opts)
def srgb_to_linear(src, out):
    for i in prange(src.shape[0]):
        for c in range(3):
            out[i, c] = _s2l(np.float64(src[i, c]))


@njit(parallel=True, **_opts)
def linear_to_srgb(src, out):
    for i in prange(src.shape[0]):
        for c in range(3):
            out[i, c] = _l2s(np.float64(src[i, c]))


@njit(parallel=True, **_opts)
def linear_to_xyz(src, out):
    for i in prange(src.shape[0]):
        x, y, z = _mat(M_XYZ, np.float64(src[i, 0]), np.float64(src[i, 1]), np.float64(src[i, 2]))
        out[i, 0], out[i, 1], out[i, 2] = x, y, z


@njit(parallel=True, **_opts)
def xyz_to_linear(src, out):
    for i in prange(src.shape[0]):
        r, g, b = _mat(M_LIN, np.float64(src[i, 0]), np.float64(src[i, 1]), np.float64(src[i, 2]))
        out[i, 0], out[i, 1], out[i, 2] = r, g, b


@njit(parallel=True, **_opts)
def xyz_to_lab(src, out):
    for i in prange(src.shape[0]):
        L, a, b = _xyz_lab(np.float64(src[i, 0]), np.float64(src[i, 1]), np.float64(src[i, 2]))
        out[i, 0], out[i, 1], out[i, 2] = L, a, b


@njit(parallel=True, **_opts)
def lab_to_xyz(src, out):
    for i in prange(src.shape[0]):
        x, y, z = _lab_xyz(np.float64(src[i, 0]), np.float64(src[i, 1]), np.float64(src[i, 2]))
        out[i, 0], out[i, 1], out[i, 2] = x, y, z


@njit(parallel=True, **_opts)
def srgb_to_lab(src, out):
    for i in prange(src.shape[0]):
        r = _s2l(np.float64(src[i, 0]))
        g = _s2l(np.float64(src[i, 1]))
        b = _s2l(np.float64(src[i, 2]))
        x, y, z = _mat(M_XYZ, r, g, b)
        L, a, bb = _xyz_lab(x, y, z)
        out[i, 0], out[i, 1], out[i, 2] = L, a, bb


@njit(parallel=True, **_opts)
def lab_to_srgb(src, out):
    for i in prange(src.shape[0]):
        x, y, z = _lab_xyz(np.float64(src[i, 0]), np.float64(src[i, 1]), np.float64(src[i, 2]))
        r, g, b = _mat(M_LIN, x, y, z)
        out[i, 0], out[i, 1], out[i, 2] = _l2s(r), _l2s(g), _l2s(b)


@njit(parallel=True, **_opts)
def lab_to_lch(src, out):
    for i in prange(src.shape[0]):
        a = np.float64(src[i, 1])
        b = np.float64(src[i, 2])
        h = math.degrees(math.atan2(b, a))
        if h < 0.0:
            h += 360.0
        if h >= 360.0:
            h -= 360.0
        out[i, 0], out[i, 1], out[i, 2] = src[i, 0], math.hypot(a, b), h


@njit(parallel=True, **_opts)
def lch_to_lab(src, out):
    for i in prange(src.shape[0]):
        c = np.float64(src[i, 1])
        h = math.radians(np.float64(src[i, 2]))
        out[i, 0], out[i, 1], out[i, 2] = src[i, 0], c * math.cos(h), c * math.sin(h)


@njit(parallel=True, **_opts)
def linear_to_lalphabeta(src, out):
    for i in prange(src.shape[0]):
        lm, m, s = _mat(M_LMS, np.float64(src[i, 0]), np.float64(src[i, 1]), np.float64(src[i, 2]))
        a, b, c = _mat(M_LAB, math.log10(lm + EPS), math.log10(m + EPS), math.log10(s + EPS))
        out[i, 0], out[i, 1], out[i, 2] = a, b, c


@njit(parallel=True, **_opts)
def lalphabeta_to_linear(src, out):
    for i in prange(src.shape[0]):
        a, b, c = _mat(M_LAB_INV, np.float64(src[i, 0]), np.float64(src[i, 1]),
                       np.float64(src[i, 2]))
        r, g, bl = _mat(M_LMS_INV, 10.0**a - EPS, 10.0**b - EPS, 10.0**c - EPS)
        out[i, 0], out[i, 1], out[i, 2] = r, g, bl


@njit(parallel=True, **_opts)
def srgb_to_ycbcr(src, out):
    for i in prange(src.shape[0]):
        y, cb, cr = _mat(M_YCC, np.float64(src[i, 0]), np.float64(src[i, 1]),
                         np.float64(src[i, 2]))
        out[i, 0], out[i, 1], out[i, 2] = y, cb, cr


@njit(parallel=True, **_opts)
def ycbcr_to_srgb(src, out):
    for i in prange(src.shape[0]):
        r, g, b = _mat(M_YCC_INV, np.float64(src[i, 0]), np.float64(src[i, 1]),
                       np.float64(src[i, 2]))
        out[i, 0], out[i, 1], out[i, 2] = r, g, b


_KERNELS = {
    name: globals()[name]
    for name in (
        "srgb_to_linear", "linear_to_srgb", "linear_to_xyz", "xyz_to_linear",
        "xyz_to_lab", "lab_to_xyz", "lab_to_lch", "lch_to_lab",
        "linear_to_lalphabeta", "lalphabeta_to_linear", "srgb_to_ycbcr",
        "ycbcr_to_srgb", "srgb_to_lab", "lab_to_srgb",
    )
}


def run(step: str, flat: np.ndarray) -> np.ndarray:
    """Apply kernel ``step`` to a C-contiguous ``(N, 3)`` float32 array."""
    out = np.empty_like(flat)
    _KERNELS[step](flat, out)
    return out
