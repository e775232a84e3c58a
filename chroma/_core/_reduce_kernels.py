"""Serial Numba reductions over the per-chunk partials of chroma's parallel kernels (private).

Written as loops in functions compiled *without* ``parallel``: inside a ``parallel=True``
kernel, ``acc.sum(axis=0)`` or ``lo[:, c].min()`` become parallel reductions that Numba's
parfor passes take seconds to compile (the Reinhard moments kernel compiled in 9.4 s with
``acc.sum(axis=0)``, 3.5 s with :func:`sum_rows`; ``benchmarks/first_call.py``), for a few
dozen numbers. Importing this module compiles nothing.
"""

from __future__ import annotations

import numpy as np

from chroma._core.parallel import numba_module

numba = numba_module()

_opts = dict(cache=True, nogil=True)


@numba.njit(**_opts)
def sum_rows(a):
    """``a.sum(axis=0)`` of a 2-D array, in row order (float64 or int64 as ``a``)."""
    out = np.zeros(a.shape[1], a.dtype)
    for k in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[j] += a[k, j]
    return out


@numba.njit(**_opts)
def sum_first(a):
    """``a.sum(axis=0)`` of a 3-D array, in order."""
    out = np.zeros((a.shape[1], a.shape[2]), a.dtype)
    for k in range(a.shape[0]):
        for j in range(a.shape[1]):
            for b in range(a.shape[2]):
                out[j, b] += a[k, j, b]
    return out


@numba.njit(**_opts)
def min_rows(a):
    """``a.min(axis=0)`` of a 2-D float array."""
    out = a[0].copy()
    for k in range(1, a.shape[0]):
        for j in range(a.shape[1]):
            out[j] = min(out[j], a[k, j])
    return out


@numba.njit(**_opts)
def max_rows(a):
    """``a.max(axis=0)`` of a 2-D float array."""
    out = a[0].copy()
    for k in range(1, a.shape[0]):
        for j in range(a.shape[1]):
            out[j] = max(out[j], a[k, j])
    return out
