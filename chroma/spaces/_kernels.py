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

from chroma._core.parallel import get_num_threads, loop_body, numba_module, sized
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


# --- fused sRGB -> CIELAB of integer sRGB: chunked, planar, float64 arithmetic, tables ------
# (srgb_int_to_lab; float32 input takes the round-trip kernels below.) Pixels are processed in
# chunks of _CH, split into planes so that each small loop vectorizes (table look-ups become
# SIMD gathers). Values outside the tables' range are recomputed exactly, pixel by pixel.
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


# --- the float32 round trip: vectorized, without tables, calls or divisions (issue 17) -------
# The serial body of each parallel loop is a loop_body (NumPy error model, arrays marked as
# not overlapping): only then do its loops vectorize, and only over contiguous values (the
# transcendentals run over the flat (3 N,) array, the 3x3 matrices per pixel). Every power
# is an inverse root x^(-1/q) (q = 3, 5, 12): a first guess from the float's bits (relative
# error < 3.5 %), then two third-order Newton steps w <- w (1 + c1 e + c2 e^2 + c3 e^3),
# e = 1 - x w^q, the series of (1 - e)^(-1/q); multiplies and adds only (a division or a
# square root costs as much as ten of them in a SIMD loop: cbrt_unit's two divisions and
# ln_pos's one made the first vectorized version 2x slower). Relative error: float64
# rounding for q = 3 and 5, < 1e-10 for q = 12 (tests/spaces/test_kernel_math.py), so the
# encoding's v w^7 errs by < 5e-10 relative (float32 resolves 6e-8):
# * sRGB decoding ((v + 0.055) / 1.055)^2.4 = (u w)^3 with w = u^(-1/5);
# * CIELAB's cube root t^(1/3) = t w^2 with w = t^(-1/3);
# * sRGB encoding 1.055 v^(5/12) - 0.055 with v^(5/12) = v w^7, w = v^(-1/12).
# All of them hold for any positive normal float64, so no value needs a slow path.
# Arithmetic is float64 (float32 errs by up to 1.4e-4 ΔE in a* = 500 (fx - fy)).
_RT_BLOCK = 512
_DELTA = 0.008856
# The kernels also tell whether their input is finite (the exponent field of a NaN or an
# infinity is all ones), so that convert() needs no separate pass for the check.
_EXP_BITS = 0x7FF0000000000000
_TWO52 = 2.0**52
_ONE_BITS = float(1023 << 52)  # the bits of 1.0
# the guess's bits: p * bits(x) + (1 - p) * bits(1) - s * 2^52 (s balances its error)
_G3 = (-1.0 / 3.0, (4.0 / 3.0) * _ONE_BITS - 0.0662 * _TWO52)
_G5 = (-1.0 / 5.0, (6.0 / 5.0) * _ONE_BITS - 0.0588 * _TWO52)
_G12 = (-1.0 / 12.0, (13.0 / 12.0) * _ONE_BITS - 0.0507 * _TWO52)


def _series(q):
    """(c1, c2, c3) of (1 - e)^(-1/q) = 1 + c1 e + c2 e^2 + c3 e^3 + ..."""
    c1 = 1.0 / q
    c2 = c1 * (1.0 + c1) / 2.0
    return c1, c2, c2 * (2.0 + c1) / 3.0


_S3, _S5, _S12 = _series(3), _series(5), _series(12)


@njit(inline="always", **_opts)
def _guess(x, g):
    return _bits_f64(np.int64(g[0] * np.float64(_f64_bits(x)) + g[1]))


@njit(inline="always", **_opts)
def _step(w, e, c):
    return w + w * e * (c[0] + e * (c[1] + e * c[2]))


@njit(inline="always", **_opts)
def rcbrt_pos(x):
    """``x ** (-1/3)`` for a positive normal finite float64 (to float64 rounding)."""
    w = _guess(x, _G3)
    w = _step(w, 1.0 - x * (w * w * w), _S3)
    return _step(w, 1.0 - x * (w * w * w), _S3)


@njit(inline="always", **_opts)
def rroot5_pos(x):
    """``x ** (-1/5)`` for a positive normal finite float64 (to float64 rounding)."""
    w = _guess(x, _G5)
    w2 = w * w
    w = _step(w, 1.0 - x * (w2 * w2 * w), _S5)
    w2 = w * w
    return _step(w, 1.0 - x * (w2 * w2 * w), _S5)


@njit(inline="always", **_opts)
def rroot12_pos(x):
    """``x ** (-1/12)`` for a positive normal finite float64 (relative error < 1e-10)."""
    w = _guess(x, _G12)
    w4 = (w * w) * (w * w)
    w = _step(w, 1.0 - x * (w4 * w4 * w4), _S12)
    w4 = (w * w) * (w * w)
    return _step(w, 1.0 - x * (w4 * w4 * w4), _S12)


@njit(inline="always", **_opts)
def _decode_any(v):
    """sRGB decoding of any finite float64 (branch-free)."""
    u = (max(v, 0.04045) + 0.055) * (1.0 / 1.055)
    uw = u * rroot5_pos(u)
    return uw * uw * uw if v > 0.04045 else v * (1.0 / 12.92)


@njit(inline="always", **_opts)
def _f_any(t):
    """CIELAB's f(t) of any finite float64 (branch-free)."""
    c = max(t, _DELTA)
    w = rcbrt_pos(c)
    return c * w * w if t > _DELTA else 7.787 * t + 16.0 / 116.0


@njit(inline="always", **_opts)
def _encode_any(v):
    """sRGB encoding of any finite float64 (branch-free)."""
    c = max(v, 0.0031308)
    w = rroot12_pos(c)
    w2 = w * w
    return 1.055 * (c * (w2 * w2 * w2 * w)) - 0.055 if v > 0.0031308 else 12.92 * v


# The bodies index slices from 0: an index that might be negative (k0 + k) gets Numba's
# wraparound select, which turns a contiguous load into a gather (3x slower).
@loop_body(nogil=True, fastmath=True)
def _srgb_lab_rows(src, out, start, stop):
    """Pixels ``start:stop`` of the flat (3 N,) float32 sRGB ``src`` to CIELAB in ``out``;
    returns the largest exponent field of the input (:data:`_EXP_BITS`: a NaN or infinity)."""
    buf = np.empty(3 * _RT_BLOCK)
    worst = 0
    for p0 in range(start, stop, _RT_BLOCK):
        m = min(_RT_BLOCK, stop - p0)
        s, o = src[3 * p0:3 * (p0 + m)], out[3 * p0:3 * (p0 + m)]
        for k in range(3 * m):
            v = np.float64(s[k])
            worst = max(worst, _f64_bits(v) & _EXP_BITS)
            buf[k] = _decode_any(v)
        for i in range(m):
            r, g, b = buf[3 * i], buf[3 * i + 1], buf[3 * i + 2]
            buf[3 * i] = _XYZ32[0, 0] * r + _XYZ32[0, 1] * g + _XYZ32[0, 2] * b
            buf[3 * i + 1] = _XYZ32[1, 0] * r + _XYZ32[1, 1] * g + _XYZ32[1, 2] * b
            buf[3 * i + 2] = _XYZ32[2, 0] * r + _XYZ32[2, 1] * g + _XYZ32[2, 2] * b
        for k in range(3 * m):
            buf[k] = _f_any(buf[k])
        for i in range(m):
            fx, fy, fz = buf[3 * i], buf[3 * i + 1], buf[3 * i + 2]
            o[3 * i] = 116.0 * fy - 16.0
            o[3 * i + 1] = 500.0 * (fx - fy)
            o[3 * i + 2] = 200.0 * (fy - fz)
    return worst


@loop_body(nogil=True, fastmath=True)
def _lab_srgb_rows(src, out, clip, start, stop):
    """Pixels ``start:stop`` of the flat (3 N,) float32 CIELAB ``src`` to sRGB in ``out``;
    returns the largest exponent field of the input (as :func:`_srgb_lab_rows`)."""
    buf = np.empty(3 * _RT_BLOCK)
    worst = 0
    lo, hi = (0.0, 1.0) if clip else (-np.inf, np.inf)
    for p0 in range(start, stop, _RT_BLOCK):
        m = min(_RT_BLOCK, stop - p0)
        s, o = src[3 * p0:3 * (p0 + m)], out[3 * p0:3 * (p0 + m)]
        for k in range(3 * m):
            worst = max(worst, _f64_bits(np.float64(s[k])) & _EXP_BITS)
        for i in range(m):
            fy = (np.float64(s[3 * i]) + 16.0) * (1.0 / 116.0)
            fx = np.float64(s[3 * i + 1]) * (1.0 / 500.0) + fy
            fz = max(fy - np.float64(s[3 * i + 2]) * (1.0 / 200.0), 0.0)
            x = fx * fx * fx if fx > 0.2068966 else (fx - 16.0 / 116.0) * (1.0 / 7.787)
            y = fy * fy * fy if fy > 0.2068966 else (fy - 16.0 / 116.0) * (1.0 / 7.787)
            z = fz * fz * fz if fz > 0.2068966 else (fz - 16.0 / 116.0) * (1.0 / 7.787)
            buf[3 * i] = _LIN32[0, 0] * x + _LIN32[0, 1] * y + _LIN32[0, 2] * z
            buf[3 * i + 1] = _LIN32[1, 0] * x + _LIN32[1, 1] * y + _LIN32[1, 2] * z
            buf[3 * i + 2] = _LIN32[2, 0] * x + _LIN32[2, 1] * y + _LIN32[2, 2] * z
        for k in range(3 * m):
            o[k] = min(max(_encode_any(buf[k]), lo), hi)
    return worst


# The parallel loops only call the bodies, by their module-global names (the Numba cache).
@njit(parallel=True, **_opts)
def _srgb_to_lab_simd(src, out, n_chunks):
    n = src.shape[0]
    step = (n + n_chunks - 1) // n_chunks
    flat_src, flat_out = src.reshape(3 * n), out.reshape(3 * n)  # C-contiguous (N, 3)
    worst = np.zeros(n_chunks, np.int64)
    for k in prange(n_chunks):
        worst[k] = _srgb_lab_rows(flat_src, flat_out, k * step, min(n, (k + 1) * step))
    return worst.max() < _EXP_BITS


@njit(parallel=True, **_opts)
def _lab_to_srgb_simd(src, out, clip, n_chunks):
    n = src.shape[0]
    step = (n + n_chunks - 1) // n_chunks
    flat_src, flat_out = src.reshape(3 * n), out.reshape(3 * n)  # C-contiguous (N, 3)
    worst = np.zeros(n_chunks, np.int64)
    for k in prange(n_chunks):
        worst[k] = _lab_srgb_rows(flat_src, flat_out, clip, k * step, min(n, (k + 1) * step))
    return worst.max() < _EXP_BITS


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
_KERNELS = {name: sized(kernel) for name, kernel in _KERNELS.items()}  # chroma's thread count
_srgb_int_to_lab = sized(_srgb_to_lab_fast)  # integer input: the table-based kernel
_rt_srgb_lab = sized(_srgb_to_lab_simd)
_rt_lab_srgb = sized(_lab_to_srgb_simd)


def _n_chunks(src: np.ndarray, out: np.ndarray) -> int:
    """Row chunks of a loop_body kernel (a few per thread); refuses overlapping buffers."""
    if np.may_share_memory(src, out):
        raise ValueError("out must not overlap src (the kernel assumes distinct arrays).")
    return max(1, min(src.shape[0] // 65536 + 1, 4 * get_num_threads()))


def _srgb_to_lab_rt(src: np.ndarray, out: np.ndarray) -> bool:
    """float32 sRGB ``(N, 3)`` to CIELAB in ``out``; whether ``src`` was all finite."""
    return bool(_rt_srgb_lab(src, out, _n_chunks(src, out)))


def _lab_to_srgb_rt(src: np.ndarray, out: np.ndarray, clip: bool = False) -> bool:
    """float32 CIELAB ``(N, 3)`` to sRGB in ``out``, clipped to [0, 1] if ``clip``; whether
    ``src`` was all finite."""
    return bool(_rt_lab_srgb(src, out, bool(clip), _n_chunks(src, out)))


# the fused pair runs on the vectorized kernels; the scalar ones stay as exact references
_KERNELS["srgb_to_lab"] = _srgb_to_lab_rt
_KERNELS["lab_to_srgb"] = _lab_to_srgb_rt


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


def run_checked(step: str, flat: np.ndarray, clip: bool = False) -> tuple[np.ndarray, bool]:
    """:func:`run` for a step of :data:`CHECKS`, and whether ``flat`` was all finite (the
    kernel's own pass tells: no separate pass over the input)."""
    out = np.empty_like(flat)
    finite = _KERNELS[step](flat, out, True) if clip else _KERNELS[step](flat, out)
    return out, finite


CHECKS = frozenset({"srgb_to_lab", "lab_to_srgb"})  # kernels that tell whether all was finite


def srgb_int_to_lab(flat: np.ndarray) -> np.ndarray:
    """sRGB uint8 / uint16 ``(N, 3)`` straight to float32 Lab (no float copy of the input)."""
    out = np.empty(flat.shape, np.float32)
    _srgb_int_to_lab(flat, out, 1.0 / np.iinfo(flat.dtype).max)
    return out
