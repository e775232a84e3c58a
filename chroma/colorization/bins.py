"""Quantized a*b* space for the colorization prior (Zhang, Isola & Efros 2016).

The a*b* plane is cut into cells of a 10-unit grid; the cells that hold at least
one sRGB color (at any lightness) are the *bins*. Each pixel's color becomes a
soft distribution over its 5 nearest bins (Gaussian, sigma = 5), the network
predicts such a distribution, and the *annealed mean* turns it back into one
a*b* value. Rare colors are up-weighted in the loss by *rebalancing weights*
computed from the empirical prior over bins.

The bin centers are computed here from a dense sRGB sample with
:mod:`chroma.spaces` (no file needed; the result is cached). With chroma's
D65 CIELAB, the sRGB gamut covers 262 cells of the grid; Zhang et al. report
313 for their (wider) gamut computation.

References
----------
.. [1] R. Zhang, P. Isola, A. A. Efros, "Colorful Image Colorization", ECCV 2016.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = [
    "GRID",
    "SIGMA",
    "ab_bins",
    "annealed_mean",
    "encode_hard",
    "encode_soft",
    "prior_from_counts",
    "rebalance_weights",
]

GRID = 10.0  # a*b* grid step
SIGMA = 5.0  # Gaussian width of the soft encoding
N_NEIGHBORS = 5  # bins per soft-encoded pixel


@lru_cache(maxsize=1)
def _bins_cached(samples: int) -> np.ndarray:
    from chroma.spaces import _convert_float

    g = np.linspace(0.0, 1.0, samples, dtype=np.float32)
    rgb = np.stack(np.meshgrid(g, g, g, indexing="ij"), axis=-1).reshape(-1, 3)
    ab = _convert_float(rgb, "rgb", "lab", backend="numpy")[:, 1:].astype(np.float64)
    cells = np.unique(np.rint(ab / GRID).astype(np.int64), axis=0)  # sorted by a, then b
    centers = (cells * GRID).astype(np.float32)
    centers.setflags(write=False)
    return centers


def ab_bins(samples: int = 96) -> np.ndarray:
    """Centers of the in-gamut a*b* cells of the 10-unit grid.

    Parameters
    ----------
    samples : int, optional
        Samples per sRGB axis (``samples**3`` colors are converted).

    Returns
    -------
    centers : ndarray of float32, shape (Q, 2)
        a*, b* of each bin, sorted by a* then b* (read-only).

    Examples
    --------
    >>> bins = ab_bins()
    >>> bins.shape
    (262, 2)
    >>> bool((bins % 10 == 0).all())
    True
    """
    return _bins_cached(int(samples))


def encode_hard(ab: np.ndarray, bins: np.ndarray | None = None) -> np.ndarray:
    """Index of the nearest bin of each a*b* pair.

    Parameters
    ----------
    ab : ndarray, shape (..., 2)
        a*, b* values.
    bins : ndarray, shape (Q, 2), optional
        Bin centers (default :func:`ab_bins`).

    Returns
    -------
    index : ndarray of int64, shape (...)

    Examples
    --------
    >>> bins = ab_bins()
    >>> int(encode_hard(np.array([0.0, 0.0]))) == int(np.flatnonzero((bins == 0).all(1))[0])
    True
    """
    from scipy.spatial import cKDTree

    bins = ab_bins() if bins is None else bins
    ab = np.asarray(ab, dtype=np.float64)
    _, idx = cKDTree(bins).query(ab.reshape(-1, 2))
    return idx.astype(np.int64).reshape(ab.shape[:-1])


def encode_soft(
    ab: np.ndarray,
    bins: np.ndarray | None = None,
    *,
    n_neighbors: int = N_NEIGHBORS,
    sigma: float = SIGMA,
) -> np.ndarray:
    """Soft encoding: Gaussian weights on the nearest bins, summing to 1.

    Parameters
    ----------
    ab : ndarray, shape (..., 2)
        a*, b* values.
    bins : ndarray, shape (Q, 2), optional
        Bin centers (default :func:`ab_bins`).
    n_neighbors : int, optional
        Number of nearest bins that get weight.
    sigma : float, optional
        Gaussian width, in a*b* units.

    Returns
    -------
    z : ndarray of float32, shape (..., Q)

    Examples
    --------
    >>> z = encode_soft(np.array([[12.0, -31.0]]))
    >>> float(z.sum()), int((z > 0).sum())
    (1.0, 5)
    """
    from scipy.spatial import cKDTree

    bins = ab_bins() if bins is None else bins
    ab = np.asarray(ab, dtype=np.float64)
    flat = ab.reshape(-1, 2)
    d, idx = cKDTree(bins).query(flat, k=n_neighbors)
    d = d.reshape(len(flat), -1)
    idx = idx.reshape(len(flat), -1)
    w = np.exp(-(d**2) / (2 * sigma**2))
    w /= w.sum(axis=1, keepdims=True)
    z = np.zeros((len(flat), len(bins)), dtype=np.float32)
    np.put_along_axis(z, idx, w.astype(np.float32), axis=1)
    return z.reshape(*ab.shape[:-1], len(bins))


def prior_from_counts(
    counts: np.ndarray, bins: np.ndarray | None = None, *, sigma: float = SIGMA
) -> np.ndarray:
    """Smooth per-bin counts with a Gaussian over a*b* and normalize to a distribution.

    Parameters
    ----------
    counts : ndarray, shape (Q,)
        Non-negative (soft) counts of each bin in the training data.
    bins : ndarray, shape (Q, 2), optional
        Bin centers.
    sigma : float, optional
        Smoothing width in a*b* units (0 for none).

    Returns
    -------
    prior : ndarray of float64, shape (Q,)
        Sums to 1.

    Examples
    --------
    >>> p = prior_from_counts(np.arange(262.0))
    >>> round(float(p.sum()), 6)
    1.0
    """
    bins = ab_bins() if bins is None else bins
    counts = np.asarray(counts, dtype=np.float64)
    if counts.shape != (len(bins),):
        raise ValueError(f"`counts` must have shape ({len(bins)},), got {counts.shape}.")
    if (counts < 0).any() or counts.sum() <= 0:
        raise ValueError("`counts` must be non-negative with a positive sum.")
    p = counts / counts.sum()
    if sigma > 0:
        d2 = ((bins[:, None, :].astype(np.float64) - bins[None, :, :]) ** 2).sum(-1)
        k = np.exp(-d2 / (2 * sigma**2))
        p = k @ p
    return p / p.sum()


def rebalance_weights(prior: np.ndarray, *, lam: float = 0.5) -> np.ndarray:
    """Class-rebalancing weights ``w ∝ ((1 - lam) p + lam / Q)^-1`` with ``E_p[w] = 1``.

    Parameters
    ----------
    prior : ndarray, shape (Q,)
        Empirical distribution over bins (sums to 1).
    lam : float, optional
        Weight of the uniform distribution in the mix (Zhang et al. use 0.5).

    Returns
    -------
    w : ndarray of float64, shape (Q,)

    Examples
    --------
    >>> p = np.array([0.7, 0.2, 0.1])
    >>> w = rebalance_weights(p)
    >>> round(float((p * w).sum()), 6), bool(w[2] > w[0])
    (1.0, True)
    """
    p = np.asarray(prior, dtype=np.float64)
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"`lam` must be in [0, 1], got {lam!r}.")
    w = 1.0 / ((1.0 - lam) * p + lam / len(p))
    return w / (p * w).sum()


def annealed_mean(
    probs: np.ndarray, bins: np.ndarray | None = None, *, temperature: float = 0.38, axis=-1
) -> np.ndarray:
    """Annealed mean of a distribution over bins: ``E[ab]`` under ``p^(1/T)`` renormalized.

    ``T = 1`` is the plain mean (desaturated), ``T -> 0`` the mode (vivid,
    patchy). Zhang et al. use ``T = 0.38``.

    Parameters
    ----------
    probs : ndarray, shape (..., Q) along `axis`
        Probabilities over bins.
    bins : ndarray, shape (Q, 2), optional
        Bin centers.
    temperature : float, optional
        Annealing temperature, > 0.
    axis : int, optional
        Axis of the bins.

    Returns
    -------
    ab : ndarray of float32, shape (..., 2)

    Examples
    --------
    >>> bins = ab_bins()
    >>> p = encode_soft(np.array([30.0, 40.0]))
    >>> np.round(annealed_mean(p, temperature=1e-3))
    array([30., 40.], dtype=float32)
    """
    bins = ab_bins() if bins is None else bins
    if not temperature > 0:
        raise ValueError(f"`temperature` must be > 0, got {temperature!r}.")
    p = np.moveaxis(np.asarray(probs, dtype=np.float64), axis, -1)
    logp = np.log(np.clip(p, 1e-30, None)) / temperature
    logp -= logp.max(axis=-1, keepdims=True)
    q = np.exp(logp)
    q /= q.sum(axis=-1, keepdims=True)
    return (q @ bins.astype(np.float64)).astype(np.float32)
