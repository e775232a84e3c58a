"""Fused Numba kernels for Reinhard transfer in CIELAB and lαβ (private).

Two passes instead of five: (1) sRGB → CIELAB with the per-channel sums of the
Lab values (the statistics, in fixed blocks: :func:`chroma.transfers._block_kernels.lab_blocks`
uses this module's conversion helpers), the Lab pixels kept in a float32 buffer; (2) the
per-channel affine map, CIELAB → sRGB and the caller's dtype (rounded), alpha
copied. Transcendentals come from tables or short iterations, accurate far below what
the output can show:

* sRGB decoding: the exact value for uint8/uint16 (a table of every level);
  for float input linear interpolation in a 4096-interval table of the power
  branch (error < 1e-7);
* cube root: for integer input (linear RGB in [0, 1]) a polynomial guess refined by two
  Halley steps (:func:`chroma.spaces._kernels.cbrt_unit`: float64 rounding, no tables, so
  the pass vectorizes); for float input a table guess refined by one Newton step (relative
  error < 1e-8);
* ln and exp (lαβ): range reduction through the float's bits and a series
  (:func:`chroma.spaces._kernels.ln_pos`, :func:`~chroma.spaces._kernels.exp_clamped`);
* sRGB encoding: linear interpolation in a 4096-interval table indexed by
  ``sqrt(linear)`` (smooth in that variable; error < 1e-6, i.e. < 0.07 of a
  16-bit level).

The kernels are compiled with ``fastmath`` (contracted multiply-adds, about
15 % faster; the inputs are checked finite). Constants are those of
:mod:`chroma.spaces` (scikit-image's). The NumPy twins are
:func:`chroma.transfers.reinhard._np_lab_moments` and
:func:`chroma.transfers.reinhard._np_lab_affine_to_srgb`, exact formulas.
"""

from __future__ import annotations

import numpy as np

from chroma._core.parallel import get_num_threads, loop_body, numba_module, sized
from chroma.spaces import (
    LAB_FROM_LOGLMS,
    LINEAR_FROM_LMS,
    LINEAR_FROM_XYZ,
    LMS_EPS,
    LMS_FROM_LINEAR,
    LOGLMS_FROM_LAB,
    WHITE_D65,
    XYZ_FROM_LINEAR,
)
from chroma.spaces._kernels import cbrt_unit, exp_clamped, ln_pos

numba = numba_module()
njit, prange = numba.njit, numba.prange

_opts = dict(cache=True, nogil=True)
_fast = dict(cache=True, nogil=True, fastmath=True)

_N = 4096
_S2L = ((np.linspace(0.0, 1.0, _N + 1) + 0.055) / 1.055) ** 2.4  # power branch only
_CBRT_MAX = 1.25
_CBRT = np.cbrt(np.linspace(0.0, _CBRT_MAX, _N + 1))
with np.errstate(divide="ignore"):
    _CBRT_STEP = 1.0 / (3.0 * _CBRT**2)  # Newton's 1 / f'(y) at the node: ample for one step
_s = np.linspace(0.0, 1.0, _N + 1)
_lin = _s * _s
_L2S = np.where(_lin > 0.0031308, 1.055 * _lin ** (1 / 2.4) - 0.055, 12.92 * _lin)
M = XYZ_FROM_LINEAR / WHITE_D65[:, None]  # linear RGB -> XYZ / white
MI = LINEAR_FROM_XYZ * WHITE_D65[None, :]  # XYZ / white -> linear RGB
DELTA = 0.008856
K1 = 7.787
K0 = 16.0 / 116.0
FMIN = 0.2068966
ML = LMS_FROM_LINEAR.copy()  # lαβ (Ruderman): linear RGB -> LMS -> log10 -> rotation
MLI = LINEAR_FROM_LMS.copy()
MA = LAB_FROM_LOGLMS / np.log(10.0)  # natural logs in, log10 folded into the rotation
MAI = LOGLMS_FROM_LAB * np.log(10.0)  # exp() out: 10**y = exp(y ln 10)
EPS = float(LMS_EPS)
# ln and exp (lαβ): chroma.spaces._kernels.ln_pos / exp_clamped, float64 rounding without
# tables or calls (the tables they replace erred by 1e-7 and kept the loops scalar).
SHIFT = {"lab": 50.0, "lalphabeta": 0.0}  # subtracted from channel 0 before the sums
_BLOCK = 512  # pixels per block of the storing moments pass


def decode_table(dtype) -> np.ndarray:
    """Exact linear value of every level of an integer dtype (float64)."""
    levels = np.iinfo(dtype).max
    v = np.arange(levels + 1) / levels
    return np.where(v > 0.04045, ((v + 0.055) / 1.055) ** 2.4, v / 12.92)


@njit(inline="always", **_fast)
def _decode_float(v):
    if 0.04045 < v <= 1.0:
        p = v * _N
        i = min(int(p), _N - 1)
        w = p - i
        return _S2L[i] + w * (_S2L[i + 1] - _S2L[i])
    if v > 0.04045:
        return ((v + 0.055) / 1.055) ** 2.4
    return v * (1.0 / 12.92)


@njit(inline="always", **_fast)
def _f(t):
    if t <= DELTA:
        return K1 * t + K0
    if t >= _CBRT_MAX:
        return np.cbrt(t)
    p = t * (_N / _CBRT_MAX)
    i = min(int(p), _N - 1)
    w = p - i
    g = _CBRT[i] + w * (_CBRT[i + 1] - _CBRT[i])
    return g - (g * g * g - t) * _CBRT_STEP[i + 1]


@njit(inline="always", **_fast)
def _f_unit(t):
    """:func:`_f` for ``t`` in [0, 1] (XYZ / white of sRGB in [0, 1]: integer input), without
    tables or calls (:func:`chroma.spaces._kernels.cbrt_unit`), so the pass vectorizes."""
    c = cbrt_unit(min(max(t, DELTA), _CBRT_MAX))  # both sides are computed; the select picks one
    return K1 * t + K0 if t <= DELTA else c


@njit(inline="always", **_fast)
def _finv(f):
    if f > FMIN:
        return f * f * f
    return (f - K0) * (1.0 / K1)


@njit(inline="always", **_fast)
def _encode(v):
    if v <= 0.0:
        return 0.0
    if v >= 1.0:
        return 1.0
    p = np.sqrt(v) * _N
    i = min(int(p), _N - 1)
    w = p - i
    return _L2S[i] + w * (_L2S[i + 1] - _L2S[i])


@njit(inline="always", **_fast)
def _lab(r, g, b):
    fx = _f(M[0, 0] * r + M[0, 1] * g + M[0, 2] * b)
    fy = _f(M[1, 0] * r + M[1, 1] * g + M[1, 2] * b)
    fz = _f(M[2, 0] * r + M[2, 1] * g + M[2, 2] * b)
    return 116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)


@njit(inline="always", **_fast)
def _lab_unit(r, g, b):
    """:func:`_lab` for linear RGB in [0, 1]."""
    fx = _f_unit(M[0, 0] * r + M[0, 1] * g + M[0, 2] * b)
    fy = _f_unit(M[1, 0] * r + M[1, 1] * g + M[1, 2] * b)
    fz = _f_unit(M[2, 0] * r + M[2, 1] * g + M[2, 2] * b)
    return 116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)


_ln = ln_pos  # x = LMS + EPS >= EPS > 0 and finite (checked at the door)
_exp = exp_clamped


@njit(inline="always", **_fast)
def _lalphabeta(r, g, b):
    lg = _ln(max(ML[0, 0] * r + ML[0, 1] * g + ML[0, 2] * b, 0.0) + EPS)
    mg = _ln(max(ML[1, 0] * r + ML[1, 1] * g + ML[1, 2] * b, 0.0) + EPS)
    sg = _ln(max(ML[2, 0] * r + ML[2, 1] * g + ML[2, 2] * b, 0.0) + EPS)
    return (MA[0, 0] * lg + MA[0, 1] * mg + MA[0, 2] * sg,
            MA[1, 0] * lg + MA[1, 1] * mg + MA[1, 2] * sg,
            MA[2, 0] * lg + MA[2, 1] * mg + MA[2, 2] * sg)


# uint8 output: the level of a linear value straight from the exact rounding thresholds,
# without encoding it first. The threshold between levels k and k + 1 is the linear value of
# sRGB (k + 1/2) / 255; _NQ equal cells over [0, 1] are narrower than the closest two
# thresholds (1 / (255 * 12.92), in the linear toe), so a cell holds at most one: the level
# is the cell's base level, plus one at or above its threshold. That is the exactly rounded
# level (the encoding table and rounding it replaces erred by up to 1e-6 before rounding) and
# half the time of the uint8 affine pass (12 MP: 253 -> 129 ms, best of 9, load 2.8).
_NQ = 4096


def _quant_table(levels: int = 255) -> np.ndarray:
    """``(_NQ, 2)`` float64: per cell, the threshold inside it (2 if none) and its base level."""
    v = (np.arange(levels) + 0.5) / levels
    thr = np.where(v > 0.04045, ((v + 0.055) / 1.055) ** 2.4, v / 12.92)
    cells = np.floor(thr * _NQ).astype(np.int64)
    assert np.unique(cells).size == cells.size, "two thresholds in one cell"
    table = np.empty((_NQ, 2))
    table[:, 0] = 2.0
    table[cells, 0] = thr
    table[:, 1] = np.searchsorted(thr, np.arange(_NQ) / _NQ, side="right")
    return table


_Q8 = _quant_table()
_NO_Q = np.zeros((0, 2))


@njit(inline="always", **_fast)
def _level8(v, q):
    """The uint8 level (as a float) of linear value ``v``: exact sRGB encoding, rounded."""
    if v <= 0.0:
        return 0.0
    if v >= 1.0:
        return 255.0
    j = int(v * _NQ)
    return q[j, 1] + (1.0 if v >= q[j, 0] else 0.0)


def _make_affine_chunk(cielab: bool):
    """Rows ``start:stop`` of :func:`_make_affine`'s map: the serial body of its parallel
    loop, a function of its own (see there)."""

    @loop_body(nogil=True, fastmath=True)
    def chunk(lab, gain, offset, alpha, out, out_scale, rint, q, start, stop):
        has_alpha = alpha.shape[0] > 0
        quant = q.shape[0] > 0
        # per block: Lab -> linear RGB into a contiguous buffer (a loop that vectorizes),
        # then the levels and the strided stores (scalar)
        buf = np.empty((3, _BLOCK))
        for b0 in range(start, stop, _BLOCK):
            m = min(_BLOCK, stop - b0)
            for j in range(m):
                i = b0 + j
                L = np.float64(lab[i, 0]) * gain[0] + offset[0]
                A = np.float64(lab[i, 1]) * gain[1] + offset[1]
                B = np.float64(lab[i, 2]) * gain[2] + offset[2]
                if cielab:
                    fy = (L + 16.0) * (1.0 / 116.0)
                    fx = A * (1.0 / 500.0) + fy
                    fz = max(fy - B * (1.0 / 200.0), 0.0)
                    X = _finv(fx)
                    Y = _finv(fy)
                    Z = _finv(fz)
                    buf[0, j] = MI[0, 0] * X + MI[0, 1] * Y + MI[0, 2] * Z
                    buf[1, j] = MI[1, 0] * X + MI[1, 1] * Y + MI[1, 2] * Z
                    buf[2, j] = MI[2, 0] * X + MI[2, 1] * Y + MI[2, 2] * Z
                else:
                    lm = _exp(MAI[0, 0] * L + MAI[0, 1] * A + MAI[0, 2] * B) - EPS
                    mm = _exp(MAI[1, 0] * L + MAI[1, 1] * A + MAI[1, 2] * B) - EPS
                    s = _exp(MAI[2, 0] * L + MAI[2, 1] * A + MAI[2, 2] * B) - EPS
                    buf[0, j] = MLI[0, 0] * lm + MLI[0, 1] * mm + MLI[0, 2] * s
                    buf[1, j] = MLI[1, 0] * lm + MLI[1, 1] * mm + MLI[1, 2] * s
                    buf[2, j] = MLI[2, 0] * lm + MLI[2, 1] * mm + MLI[2, 2] * s
            for j in range(m):
                i = b0 + j
                for c in range(3):
                    if quant:
                        out[i, c] = _level8(buf[c, j], q)
                        continue
                    v = _encode(buf[c, j]) * out_scale
                    if rint:
                        v = np.floor(v + 0.5)
                    out[i, c] = v
                if has_alpha:
                    out[i, 3] = alpha[i]

    return chunk


# The chunk bodies as module globals, called by name (a closure over a dispatcher would
# break Numba's cache: see _block_kernels).
_affine_lab = _make_affine_chunk(True)
_affine_lalphabeta = _make_affine_chunk(False)


def _make_affine(cielab: bool):
    """``lab * gain + offset`` per channel (CIELAB or lαβ), to sRGB clipped to [0, 1], times
    ``out_scale`` (rounded when ``rint``); ``alpha`` (if not empty) goes to channel 3. With a
    quantization table ``q`` (uint8 output) the level comes from :func:`_level8`."""
    # The parallel loop only calls the serial chunk body: Numba's parfor passes over the
    # whole body had doubled the compile (as in _block_kernels).

    @njit(parallel=True, **_fast)
    def kernel(lab, gain, offset, alpha, out, out_scale, rint, q, n_chunks):
        n = lab.shape[0]
        step = (n + n_chunks - 1) // n_chunks
        for k in prange(n_chunks):
            start, stop = k * step, min(n, (k + 1) * step)
            if cielab:
                _affine_lab(lab, gain, offset, alpha, out, out_scale, rint, q, start, stop)
            else:
                _affine_lalphabeta(lab, gain, offset, alpha, out, out_scale, rint, q,
                                   start, stop)

    run = sized(kernel)

    def affine(lab, gain, offset, alpha, out, out_scale, rint):
        if np.may_share_memory(out, lab) or np.may_share_memory(out, alpha):
            raise ValueError("out must not overlap lab or alpha (the kernel assumes distinct "
                             "arrays).")
        q = _Q8 if rint and out.dtype == np.uint8 and out_scale == 255.0 else _NO_Q
        n_chunks = max(1, min(lab.shape[0] // 65536 + 1, 4 * get_num_threads()))
        run(lab, gain, offset, alpha, out, out_scale, rint, q, n_chunks)

    affine.__doc__ = _make_affine.__doc__
    affine.kernel = kernel
    return affine


_AFFINE = {"lab": _make_affine(True), "lalphabeta": _make_affine(False)}
lab_affine_to_srgb = _AFFINE["lab"]
