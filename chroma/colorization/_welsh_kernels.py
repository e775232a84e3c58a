"""Numba kernel for :mod:`chroma.colorization.welsh` (private).

Its NumPy twin is :func:`chroma.colorization.welsh._match_numpy`; the tests compare
the two. Importing this module compiles nothing: the kernel compiles (or loads
from Numba's on-disk cache) on first call.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True, nogil=True)
def match(target_l, target_sd, sample_l, sample_sd, weight):  # pragma: no cover - jitted
    """Index of the best sample for each pixel.

    Minimizes ``weight * (l - l_s)**2 + (1 - weight) * (sd - sd_s)**2`` in
    float64; ties go to the lowest index (as ``np.argmin``).

    Parameters
    ----------
    target_l, target_sd : float64 (P,)
    sample_l, sample_sd : float64 (S,)
    weight : float

    Returns
    -------
    idx : int64 (P,)
    """
    n = target_l.shape[0]
    m = sample_l.shape[0]
    out = np.empty(n, np.int64)
    w2 = 1.0 - weight
    for i in prange(n):
        tl = target_l[i]
        ts = target_sd[i]
        best = np.inf
        arg = 0
        for j in range(m):
            dl = tl - sample_l[j]
            ds = ts - sample_sd[j]
            d = weight * (dl * dl) + w2 * (ds * ds)
            if d < best:
                best = d
                arg = j
        out[i] = arg
    return out
