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
from llvmlite import ir

from chroma._core.parallel import numba_module, sized
from chroma.spaces import (
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

numba = numba_module()  # selects chroma's threading layer before the first launch
njit, prange = numba.njit, numba.prange
types, intrinsic = numba.types, numba.extending.intrinsic

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


# Transcendentals are the cost of a conversion (pow and cbrt are ~20-50 ns each);
# in [0, 1] they come from tables instead, exact where it matters:
# * sRGB decoding: linear interpolation in a 4096-interval table (error < 1e-7,
#   far below float32 resolution of the result's use in Lab: < 2e-5 ΔE);
# * cube roots: a table guess refined by one Newton step (relative error < 1e-7);
# * sRGB encoding: x^(1/2.4) = c * sqrt(sqrt(c)) with c = cbrt(x).
# Values outside the tables' range fall back to the exact functions.
_N = 4096
# The table holds the power branch only (smooth: no interval straddles the knee at
# 0.04045, where interpolating across the two branches would err by ~1e-4 ΔE);
# the linear branch is computed, not looked up.
_S2L_LUT = ((np.linspace(0, 1, _N + 1) + 0.055) / 1.055) ** 2.4
_CBRT_MAX = 1.25
_CBRT_LUT = np.cbrt(np.linspace(0, _CBRT_MAX, _N + 1))
with np.errstate(divide="ignore"):
    _CBRT_STEP = 1.0 / (3.0 * _CBRT_LUT**2)  # Newton's 1 / f'(y), needed to ~1e-4 only


@njit(inline="always", **_opts)
def _s2l(v):
    if 0.04045 < v <= 1.0:
        p = v * _N
        i = min(int(p), _N - 1)
        w = p - i
        return _S2L_LUT[i] + w * (_S2L_LUT[i + 1] - _S2L_LUT[i])
    if v > 0.04045:
        return ((v + 0.055) / 1.055) ** 2.4
    return v / 12.92


@njit(inline="always", **_opts)
def _s2l_exact(v):
    if v > 0.04045:
        return ((v + 0.055) / 1.055) ** 2.4
    return v / 12.92


@njit(inline="always", **_opts)
def _l2s_exact(v):
    if v > 0.0031308:
        return 1.055 * v ** (1.0 / 2.4) - 0.055
    return 12.92 * v


@njit(inline="always", **_opts)
def _cbrt(t):
    if 1e-3 <= t <= _CBRT_MAX:
        p = t * (_N / _CBRT_MAX)
        i = min(int(p), _N - 1)
        w = p - i
        y = _CBRT_LUT[i] + w * (_CBRT_LUT[i + 1] - _CBRT_LUT[i])
        r = _CBRT_STEP[i] + w * (_CBRT_STEP[i + 1] - _CBRT_STEP[i])
        return y + (t - y * y * y) * r
    return np.cbrt(t)


# A cube root without tables or calls, for t in [1e-3, 1.25]: a degree-4 polynomial in
# sqrt(t) (relative error < 2.6 %, fitted to 1 / cbrt(t)-weighted least squares) refined by
# two Halley steps y <- y (y^3 + 2t) / (2y^3 + t) (cubic convergence: error < 2e-15, i.e.
# float64 rounding). Arithmetic only, so a loop that uses it vectorizes; np.cbrt in a branch
# (or table gathers) keeps a loop scalar: a 12 MP CIELAB moments pass took 93 ms with the
# table and Newton step, 43 ms with this (best of 9, 2 threads, load 2.0). The caller keeps
# t inside the range (no check here: a check would bring the branch back).
_CB = (-1.26495028, 3.10517112, -2.84369416, 1.96555453, 0.04318691)


@njit(inline="always", **_opts)
def cbrt_unit(t):
    """``cbrt(t)`` for ``1e-3 <= t <= 1.25`` to float64 rounding (branch-free)."""
    s = math.sqrt(t)
    y = (((_CB[0] * s + _CB[1]) * s + _CB[2]) * s + _CB[3]) * s + _CB[4]
    y3 = y * y * y
    y = y * (y3 + 2.0 * t) / (2.0 * y3 + t)
    y3 = y * y * y
    return y * (y3 + 2.0 * t) / (2.0 * y3 + t)


# ln and exp without calls (so loops vectorize; math.log / math.exp stay scalar without
# Intel's SVML, which the PyPI llvmlite is not built with): the exponent and mantissa from
# the float's bits, then a series. float64 rounding: ln's absolute error < 2e-15 on
# [1e-4, 1.3]; exp's relative error < 3e-14 on [-30, 5]. A 36 M-value loop: ln 17 ms
# against math.log's 123 ms (2 threads, load 2.5).
@intrinsic
def _f64_bits(typingctx, x):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def _bits_f64(typingctx, i):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


_LN2_HI = 0.6931471803691238  # ln 2 in two parts: n * _LN2_HI is exact for |n| < 2**20
_LN2_LO = 1.9082149292705877e-10
_SQRT2 = math.sqrt(2.0)
_EXP_TAYLOR = tuple(1.0 / math.factorial(k) for k in range(12, -1, -1))  # 1/12!, ..., 1/0!


@njit(inline="always", **_opts)
def ln_pos(x):
    """``log(x)`` for a positive normal finite float64 (no check: branch-free)."""
    b = _f64_bits(x)
    e = (b >> 52) - 1023
    m = _bits_f64((b & 0xFFFFFFFFFFFFF) | 0x3FF0000000000000)  # mantissa in [1, 2)
    big = m > _SQRT2
    m = m * 0.5 if big else m
    fe = np.float64(e + 1 if big else e)
    z = (m - 1.0) / (m + 1.0)  # |z| <= 0.172: ln m = 2 atanh z = 2 (z + z^3/3 + ...)
    z2 = z * z
    p = 1.0 / 21.0
    for k in range(19, 0, -2):
        p = p * z2 + 1.0 / k
    return fe * _LN2_HI + (2.0 * z * p + fe * _LN2_LO)


@njit(inline="always", **_opts)
def exp_clamped(y):
    """``exp(min(max(y, -700), 700))`` (branch-free)."""
    y = min(max(y, -700.0), 700.0)
    n = np.floor(y * (1.0 / math.log(2.0)) + 0.5)
    r = (y - n * _LN2_HI) - n * _LN2_LO  # |r| <= ln(2) / 2: Taylor to r^12
    p = _EXP_TAYLOR[0]
    for c in _EXP_TAYLOR[1:]:
        p = p * r + c
    return p * _bits_f64((np.int64(n) + 1023) << 52)


@njit(inline="always", **_opts)
def _l2s(v):
    if v > 0.0031308:
        c = _cbrt(v)
        return 1.055 * c * math.sqrt(math.sqrt(c)) - 0.055
    return 12.92 * v


@njit(inline="always", **_opts)
def _f(t):
    if t > 0.008856:
        return _cbrt(t)
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


# --- fused sRGB <-> CIELAB: chunked, planar, float64 arithmetic, SIMD -------------------------
# The hot path of every transfer. Pixels are processed in chunks of _CH, split into
# planes so that each small loop vectorizes (table look-ups become SIMD gathers).
# Values outside the tables' range are recomputed exactly, pixel by pixel.
_CH = 2048
# (float32 arithmetic here would be ~1.5x faster but errs by up to 1.4e-4 ΔE.)
_S2L32 = _S2L_LUT
_CBRT32 = _CBRT_LUT
_STEP32 = np.nan_to_num(_CBRT_STEP, posinf=0.0)
_F = np.float64
_XYZ32 = XYZ_FROM_LINEAR / WHITE_D65[:, None]  # rows pre-divided by the white point
_LIN32 = LINEAR_FROM_XYZ * WHITE_D65[None, :]  # columns multiplied by it


@njit(inline="always", fastmath=True, **_opts)
def _lerp_index(q):
    i = min(max(np.int64(q), np.int64(0)), np.int64(_N - 1))
    return i, q - _F(i)


@njit(inline="always", fastmath=True, **_opts)
def _cbrt32(t):
    i, w = _lerp_index(t * _F(_N / _CBRT_MAX))
    y = _CBRT32[i] + w * (_CBRT32[i + 1] - _CBRT32[i])
    r = _STEP32[i] + w * (_STEP32[i + 1] - _STEP32[i])
    return y + (t - y * y * y) * r


@njit(parallel=True, fastmath=True, **_opts)
def _srgb_to_lab_fast(src, out, scale=1.0):
    """``scale`` maps the input to [0, 1]: 1/255 for uint8, 1/65535 for uint16."""
    n = src.shape[0]
    for c in prange((n + _CH - 1) // _CH):
        a = c * _CH
        m = min(_CH, n - a)
        v = np.empty((3, _CH), np.float64)
        f = np.empty((3, _CH), np.float64)
        for k in range(m):
            for j in range(3):
                q = np.float64(src[a + k, j]) * scale
                i, w = _lerp_index(q * _F(_N))
                p = _S2L32[i] + w * (_S2L32[i + 1] - _S2L32[i])
                v[j, k] = p if q > _F(0.04045) else q * _F(1.0 / 12.92)
        for k in range(m):
            r, g, b = v[0, k], v[1, k], v[2, k]
            for j in range(3):
                t = _XYZ32[j, 0] * r + _XYZ32[j, 1] * g + _XYZ32[j, 2] * b
                y = _cbrt32(t)
                f[j, k] = y if t > _F(0.008856) else _F(7.787) * t + _F(16.0 / 116.0)
        for k in range(m):
            out[a + k, 0] = _F(116.0) * f[1, k] - _F(16.0)
            out[a + k, 1] = _F(500.0) * (f[0, k] - f[1, k])
            out[a + k, 2] = _F(200.0) * (f[1, k] - f[2, k])
        for k in range(m):  # exact fallback outside the tables (rare: float input > 1 or < 0)
            r = np.float64(src[a + k, 0]) * scale
            g = np.float64(src[a + k, 1]) * scale
            b = np.float64(src[a + k, 2]) * scale
            if not (0.0 <= r <= 1.0 and 0.0 <= g <= 1.0 and 0.0 <= b <= 1.0):
                r, g, b = _s2l_exact(r), _s2l_exact(g), _s2l_exact(b)
                x, y, z = _mat(M_XYZ, r, g, b)
                L, aa, bb = _xyz_lab(x, y, z)
                out[a + k, 0], out[a + k, 1], out[a + k, 2] = L, aa, bb


@njit(parallel=True, fastmath=True, **_opts)
def _lab_to_srgb_fast(src, out, clip=False):
    """``clip`` clips the sRGB result to [0, 1] in the same pass."""
    n = src.shape[0]
    for c in prange((n + _CH - 1) // _CH):
        a = c * _CH
        m = min(_CH, n - a)
        v = np.empty((3, _CH), np.float64)
        for k in range(m):
            fy = (np.float64(src[a + k, 0]) + _F(16.0)) * _F(1.0 / 116.0)
            fx = np.float64(src[a + k, 1]) * _F(1.0 / 500.0) + fy
            fz = max(fy - np.float64(src[a + k, 2]) * _F(1.0 / 200.0), _F(0.0))
            v[0, k] = fx * fx * fx if fx > _F(0.2068966) else (fx - _F(16.0 / 116.0)) * _F(
                1.0 / 7.787)
            v[1, k] = fy * fy * fy if fy > _F(0.2068966) else (fy - _F(16.0 / 116.0)) * _F(
                1.0 / 7.787)
            v[2, k] = fz * fz * fz if fz > _F(0.2068966) else (fz - _F(16.0 / 116.0)) * _F(
                1.0 / 7.787)
        bad = False
        for k in range(m):
            x, y, z = v[0, k], v[1, k], v[2, k]
            for j in range(3):
                t = _LIN32[j, 0] * x + _LIN32[j, 1] * y + _LIN32[j, 2] * z
                bad |= t > _F(_CBRT_MAX)
                cr = _cbrt32(t)
                e = _F(1.055) * cr * np.sqrt(np.sqrt(cr)) - _F(0.055)
                e = e if t > _F(0.0031308) else _F(12.92) * t
                out[a + k, j] = min(max(e, _F(0.0)), _F(1.0)) if clip else e
        if bad:  # exact fallback for very out-of-gamut colors
            for k in range(m):
                x, y, z = _lab_xyz(np.float64(src[a + k, 0]), np.float64(src[a + k, 1]),
                                   np.float64(src[a + k, 2]))
                r, g, b = _mat(M_LIN, x, y, z)
                if max(r, g, b) > _CBRT_MAX:
                    r, g, b = _l2s_exact(r), _l2s_exact(g), _l2s_exact(b)
                    if clip:
                        r, g, b = (min(max(r, 0.0), 1.0), min(max(g, 0.0), 1.0),
                                   min(max(b, 0.0), 1.0))
                    out[a + k, 0], out[a + k, 1], out[a + k, 2] = r, g, b


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
        a, b, c = _mat(M_LAB, math.log10(max(lm, 0.0) + EPS), math.log10(max(m, 0.0) + EPS),
                       math.log10(max(s, 0.0) + EPS))
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
# the fused pair runs on the SIMD kernels; the scalar ones stay as exact references
_KERNELS["srgb_to_lab"] = _srgb_to_lab_fast
_KERNELS["lab_to_srgb"] = _lab_to_srgb_fast
_KERNELS = {name: sized(kernel) for name, kernel in _KERNELS.items()}  # chroma's thread count
_srgb_int_to_lab = _KERNELS["srgb_to_lab"]


CLIPS = frozenset({"lab_to_srgb"})  # kernels that clip their sRGB result when asked


def run(step: str, flat: np.ndarray, clip: bool = False) -> np.ndarray:
    """Apply kernel ``step`` to a C-contiguous ``(N, 3)`` float32 array.

    ``clip`` (only for a step in :data:`CLIPS`) clips the sRGB result to [0, 1] in the
    kernel's pass instead of a second pass over the output.
    """
    out = np.empty_like(flat)
    if clip:
        _KERNELS[step](flat, out, True)
    else:
        _KERNELS[step](flat, out)
    return out


def srgb_int_to_lab(flat: np.ndarray) -> np.ndarray:
    """sRGB uint8 / uint16 ``(N, 3)`` straight to float32 Lab (no float copy of the input)."""
    out = np.empty(flat.shape, np.float32)
    _srgb_int_to_lab(flat, out, 1.0 / np.iinfo(flat.dtype).max)
    return out
