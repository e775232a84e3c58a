"""Shared helpers of IDT and sliced OT: 1-D quantile maps along directions (private).

Both methods move pixels along directions by monotone 1-D maps
``T = Q_ref o F_img`` (the image's CDF followed by the reference's quantile
function along that direction). A map is stored as its values on a uniform
grid of ``B + 1`` nodes over the range of the image's projections, so that
it applies to any pixel (a sample, the whole image, a LUT grid) in O(1); the
pixel kernels are in :mod:`chroma.transfers._ot_kernels`.
"""

from __future__ import annotations

import numbers

import numpy as np

N_LEVELS = 1025  # quantile levels stored per direction for the reference


def levels() -> np.ndarray:
    return np.linspace(0.0, 1.0, N_LEVELS)


def quantiles_from_hist(hist: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Quantile functions ``(m, N_LEVELS)`` of histograms ``(m, bins)`` over [lo, hi].

    The CDF is taken piecewise linear inside each bin (exact at the edges);
    a direction with ``lo == hi`` (a constant projection) gives a constant.
    """
    m, bins = hist.shape
    u = levels()
    out = np.empty((m, N_LEVELS))
    for j in range(m):
        if not hi[j] > lo[j]:
            out[j] = lo[j]
            continue
        c = np.concatenate([[0.0], np.cumsum(hist[j], dtype=np.float64)])
        c /= c[-1]
        e = np.clip(np.searchsorted(c, u, side="left"), 1, bins)
        c0, c1 = c[e - 1], c[e]
        f = np.where(c1 > c0, (u - c0) / np.where(c1 > c0, c1 - c0, 1.0), 0.0)
        width = (hi[j] - lo[j]) / bins
        out[j] = lo[j] + (e - 1 + f) * width
    return out


def quantiles_from_sorted(s: np.ndarray) -> np.ndarray:
    """Quantile functions ``(m, N_LEVELS)`` of sorted samples ``(m, n)`` (linear, type 7)."""
    n = s.shape[1]
    pos = levels() * (n - 1)
    i = np.minimum(pos.astype(np.int64), max(n - 2, 0))
    f = pos - i
    if n == 1:
        return np.repeat(s[:, :1], N_LEVELS, axis=1)
    return s[:, i] * (1.0 - f) + s[:, i + 1] * f


def tables_from_cdf(cdf: np.ndarray, q_ref: np.ndarray) -> np.ndarray:
    """Map values ``Q_ref(cdf)`` for CDF values ``(m, B + 1)`` at the grid nodes."""
    u = levels()
    return np.stack([np.interp(cdf[j], u, q_ref[j]) for j in range(len(cdf))])


def constant_rows(tables: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                  q_ref: np.ndarray) -> None:
    """Directions where the image is constant go to the reference's mean (in place).

    A point mass is transported onto the mean of the target (its barycentre).
    """
    for j in np.flatnonzero(~(hi > lo)):
        tables[j] = _mean_of_quantiles(q_ref[j])


def _mean_of_quantiles(q: np.ndarray) -> float:
    return float(np.mean(0.5 * (q[1:] + q[:-1])))


def sample_rows(x: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """A float32 C-contiguous copy of ``size`` random rows of ``x`` (all rows if fewer).

    Stratified: one random row in each of ``size`` equal runs of rows, so the
    sample covers the whole image and needs no sort.
    """
    idx = sample_index(len(x), size, rng)
    if idx is None:
        return np.array(x, dtype=np.float32, order="C")
    return np.ascontiguousarray(x[idx], dtype=np.float32)


def sample_index(n: int, size: int, rng: np.random.Generator) -> np.ndarray | None:
    """The rows :func:`sample_rows` takes out of `n` (None: all of them, in order).

    Examples
    --------
    >>> idx = sample_index(10, 5, np.random.default_rng(0))
    >>> idx.tolist() == sorted(idx.tolist()), len(idx), sample_index(4, 5, None)
    (True, 5, None)
    """
    if n <= size:
        return None
    stride = n / size
    idx = (np.arange(size) * stride).astype(np.int64)
    idx += rng.integers(0, max(int(stride), 1), size)
    return idx


def check_int(value, name: str, low: int, high: int | None = None) -> int:
    """An int in [low, high] or a clear error (see :func:`chroma._core.validate.check_scalar`)."""
    from chroma._core.validate import check_scalar

    return check_scalar(value, name, numbers.Integral, low=low, high=high)


def add_step(chain: dict, k: int, cdf: np.ndarray, lo: np.ndarray, hi: np.ndarray,
             reference_quantiles: np.ndarray, sample: np.ndarray) -> None:
    """Store step `k` of an iterative transfer's chain and move `sample` through it.

    `cdf` is the (P, B+1) CDF of the sample's projections on the grid between
    `lo` and `hi`; the step maps it onto `reference_quantiles`. The sample is
    moved (in place) only when a later step will need it.
    """
    from chroma.transfers import _ot_kernels as K

    tables = tables_from_cdf(cdf, reference_quantiles)
    constant_rows(tables, lo, hi, reference_quantiles)
    chain["lo"][k], chain["hi"][k], chain["tables"][k] = lo, hi, tables
    if k + 1 < len(chain["lo"]):
        K.apply_chain(sample, {key: value[k : k + 1] for key, value in chain.items()},
                      out=sample)
