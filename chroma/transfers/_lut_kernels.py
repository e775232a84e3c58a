"""Numba kernel for :func:`chroma.transfers.lut.apply_lut` (private).

One pass: read a pixel in its own dtype, scale to [0, 1], interpolate the LUT
(trilinear or tetrahedral), scale to the output range, clip, round for
integer output; channels after the third (alpha) are copied. NumPy twin:
:func:`chroma.transfers.lut._np_apply`.
"""

from __future__ import annotations

import numpy as np

from chroma._core.parallel import numba_module, sized

numba = numba_module()  # chroma's threading layer, selected before the first launch
njit, prange = numba.njit, numba.prange

_opts = dict(cache=True, nogil=True)


@njit(inline="always", **_opts)
def _cell(v, n):
    p = min(max(v, 0.0), 1.0) * (n - 1)
    i = min(int(p), n - 2)
    return i, p - i


@sized
@njit(parallel=True, **_opts)
def apply(x, lut, tetra, in_scale, out, out_scale, rint):
    n = lut.shape[0]
    n_total = x.shape[1]
    for k in prange(x.shape[0]):
        i, r = _cell(np.float64(x[k, 0]) * in_scale, n)
        j, g = _cell(np.float64(x[k, 1]) * in_scale, n)
        m, b = _cell(np.float64(x[k, 2]) * in_scale, n)
        for c in range(3):
            c000 = np.float64(lut[i, j, m, c])
            c111 = np.float64(lut[i + 1, j + 1, m + 1, c])
            if tetra:
                if r > g:
                    if g > b:
                        y = ((1 - r) * c000 + (r - g) * lut[i + 1, j, m, c]
                             + (g - b) * lut[i + 1, j + 1, m, c] + b * c111)
                    elif r > b:
                        y = ((1 - r) * c000 + (r - b) * lut[i + 1, j, m, c]
                             + (b - g) * lut[i + 1, j, m + 1, c] + g * c111)
                    else:
                        y = ((1 - b) * c000 + (b - r) * lut[i, j, m + 1, c]
                             + (r - g) * lut[i + 1, j, m + 1, c] + g * c111)
                else:
                    if b > g:
                        y = ((1 - b) * c000 + (b - g) * lut[i, j, m + 1, c]
                             + (g - r) * lut[i, j + 1, m + 1, c] + r * c111)
                    elif b > r:
                        y = ((1 - g) * c000 + (g - b) * lut[i, j + 1, m, c]
                             + (b - r) * lut[i, j + 1, m + 1, c] + r * c111)
                    else:
                        y = ((1 - g) * c000 + (g - r) * lut[i, j + 1, m, c]
                             + (r - b) * lut[i + 1, j + 1, m, c] + b * c111)
            else:
                c00 = c000 * (1 - b) + lut[i, j, m + 1, c] * b
                c01 = lut[i, j + 1, m, c] * (1 - b) + lut[i, j + 1, m + 1, c] * b
                c10 = lut[i + 1, j, m, c] * (1 - b) + lut[i + 1, j, m + 1, c] * b
                c11 = lut[i + 1, j + 1, m, c] * (1 - b) + c111 * b
                y = (c00 * (1 - g) + c01 * g) * (1 - r) + (c10 * (1 - g) + c11 * g) * r
            y = min(max(y * out_scale, 0.0), out_scale)
            if rint:
                y = np.rint(y)
            out[k, c] = y
        for c in range(3, n_total):
            out[k, c] = x[k, c]
