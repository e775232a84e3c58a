"""Numba kernels for the linear transfers (private): affine maps.

``(N, C)`` pixel arrays of any float or uint dtype and any strides; arithmetic
in float64. NumPy twin: :func:`np_affine`. The pixel moments are gathered in
fixed blocks (:mod:`chroma.transfers._blocks`).
"""

from __future__ import annotations

import numpy as np

from chroma._core.parallel import numba_module, sized

numba = numba_module()  # chroma's threading layer, selected before the first launch
njit, prange = numba.njit, numba.prange

_opts = dict(cache=True, nogil=True)


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
