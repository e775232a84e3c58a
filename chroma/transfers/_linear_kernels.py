"""Numba kernels for the linear transfers (private): pixel moments and affine maps.

``(N, C)`` pixel arrays of any float or uint dtype and any strides; arithmetic
in float64. NumPy twins: :func:`chroma.transfers.linear._np_mean_cov` and
:func:`np_affine`.
"""

from __future__ import annotations

import numpy as np

from chroma._core._reduce_kernels import sum_rows
from chroma._core.parallel import numba_module, sized

numba = numba_module()  # chroma's threading layer, selected before the first launch
njit, prange = numba.njit, numba.prange

_opts = dict(cache=True, nogil=True)


@njit(parallel=True, **_opts)
def _sums(x, scale, n_chunks):
    n = x.shape[0]
    # shift by the first pixel: keeps E[xx] - E[x]^2 from cancelling
    s0 = np.float64(x[0, 0]) * scale
    s1 = np.float64(x[0, 1]) * scale
    s2 = np.float64(x[0, 2]) * scale
    acc = np.empty((n_chunks, 9))  # every row written below
    step = (n + n_chunks - 1) // n_chunks
    for k in prange(n_chunks):
        a0 = a1 = a2 = a00 = a01 = a02 = a11 = a12 = a22 = 0.0
        for i in range(k * step, min(n, (k + 1) * step)):
            u = np.float64(x[i, 0]) * scale - s0
            v = np.float64(x[i, 1]) * scale - s1
            w = np.float64(x[i, 2]) * scale - s2
            a0 += u
            a1 += v
            a2 += w
            a00 += u * u
            a01 += u * v
            a02 += u * w
            a11 += v * v
            a12 += v * w
            a22 += w * w
        acc[k, 0] = a0
        acc[k, 1] = a1
        acc[k, 2] = a2
        acc[k, 3] = a00
        acc[k, 4] = a01
        acc[k, 5] = a02
        acc[k, 6] = a11
        acc[k, 7] = a12
        acc[k, 8] = a22
    return sum_rows(acc), np.array([s0, s1, s2])


@sized
def mean_cov(x, scale: float = 1.0):
    """Mean (3,) and population covariance (3, 3) of ``x[:, :3] * scale``, float64."""
    n = x.shape[0]
    n_chunks = max(1, min(n // 65536 + 1, 4 * numba.get_num_threads()))
    acc, shift = _sums(x, float(scale), n_chunks)
    m = acc[:3] / n
    s = acc[3:]
    e = np.array([[s[0], s[1], s[2]], [s[1], s[3], s[4]], [s[2], s[4], s[5]]]) / n
    cov = e - np.outer(m, m)
    return m + shift, cov


@sized
@njit(parallel=True, **_opts)
def affine(x, m, b, scale, out, out_scale, clip_lo, clip_hi, rint):
    """``out[i] = clip(((x[i, :3] * scale) @ m + b) * out_scale)`` (rounded when ``rint``);
    channels after the third (alpha) are copied."""
    n_total = x.shape[1]
    for i in prange(x.shape[0]):
        u = np.float64(x[i, 0]) * scale
        v = np.float64(x[i, 1]) * scale
        w = np.float64(x[i, 2]) * scale
        for c in range(3):
            y = (u * m[0, c] + v * m[1, c] + w * m[2, c] + b[c]) * out_scale
            y = min(max(y, clip_lo), clip_hi)
            if rint:  # y >= 0 here: round half up
                y = np.floor(y + 0.5)
            out[i, c] = y
        for c in range(3, n_total):
            out[i, c] = x[i, c]


def np_affine(x, m, b, scale, out, out_scale, clip_lo, clip_hi, rint):
    """NumPy twin of :func:`affine`."""
    y = (x[:, :3].astype(np.float64) * scale) @ m + b
    y = np.clip(y * out_scale, clip_lo, clip_hi)
    out[:, :3] = np.floor(y + 0.5) if rint else y
    out[:, 3:] = x[:, 3:]


@sized
@njit(parallel=True, **_opts)
def to_uint(x, alpha, out, scale):
    """``out[i, :3] = round(clip(x[i] * scale, 0, scale))``, ``out[i, 3] = alpha[i]`` (if any).

    Float (N, 3) working pixels to the caller's uint dtype in one pass (``from_float`` plus
    re-attaching alpha, without temporaries).
    """
    has_alpha = alpha.shape[0] > 0
    for i in prange(x.shape[0]):
        for c in range(3):
            out[i, c] = np.floor(min(max(np.float64(x[i, c]) * scale, 0.0), scale) + 0.5)
        if has_alpha:
            out[i, 3] = alpha[i]
