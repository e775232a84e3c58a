"""Hints on top of the network: edge-aware propagation of the hints' residuals.

Private helper of :mod:`chroma.colorization.prior` (issue 12). The network's a*b*
(already steered by the hints through its hint channels) is the prior; what
it still misses at the hinted pixels, the *residual* ``hint - prediction``,
is spread to the other pixels by the edge-aware Levin et al. (2004) system of
:mod:`chroma.colorization.scribble`, screened so that it fades with distance:

    (L_uu + lam I) r_u = K_uk r_k,     r = hint - prior at the hinted pixels,

``L`` the graph Laplacian of the lightness affinities (global ``sigma`` in L*
units), ``lam`` the screening (0: plain harmonic interpolation, which would
carry a residual across the whole image). The output is ``prior + r``, with
the hinted pixels set to their hint exactly, so a hint pixel lands on its
hint up to the gamut map and 8-bit rounding. Where no hint is near, the
output is the network's. With many hints this tends to the scribble method
(driven by the hints) and with few to the network (driven by its prior),
which is why it beats both.

Big images are solved on a grid of f x f block means (f a power of 2, the
grid at most ``max_pixels`` pixels; direct sparse LU there, the residuals of
the hints in a block averaged) and the residual is upsampled bilinearly; the
hinted pixels are then set at full resolution.
"""

from __future__ import annotations

import numpy as np

DEFAULT_LAMBDA = 1e-3
DEFAULT_SIGMA = 3.0
# the fitted prior weight is multiplied by this: chosen on the held-out training photos
# (benchmarks/colorization.py select, 10 and 50 random hints)
DEFAULT_SHRINK = 0.7
MAX_PIXELS = 1 << 15


def propagate_residuals(
    lightness: np.ndarray,
    prior_ab: np.ndarray,
    hint_ab: np.ndarray,
    known: np.ndarray,
    *,
    lam: float = DEFAULT_LAMBDA,
    sigma: float = DEFAULT_SIGMA,
    prior_weight: float | None = 1.0,
    prior_shrink: float = DEFAULT_SHRINK,
    max_pixels: int = MAX_PIXELS,
) -> np.ndarray:
    """a*b* (H, W, 2): ``prior_ab`` corrected by the screened propagation of the hints.

    Parameters
    ----------
    lightness : ndarray (H, W)
        CIELAB L* in [0, 100].
    prior_ab : ndarray (H, W, 2)
        The network's a*b*.
    hint_ab : ndarray (H, W, 2)
        Hint a*b* (read where `known`).
    known : ndarray of bool (H, W)
        Hinted pixels.
    lam : float
        Screening (>= 0): the residual of a hint decays over about
        ``1 / sqrt(lam)`` pixels of flat lightness, faster across edges.
    sigma : float
        Affinity width in L* units.
    prior_weight : float or None
        The prior is ``prior_weight * prior_ab`` (1: the network's a*b*; 0: no
        prior, which with ``lam=0`` is the scribble method). None: fitted to the
        hints, the least-squares ``w = <hint, prior> / (<prior, prior> + 25 n)``
        over the ``n`` hinted pixels, clipped to [0, 1]: a prior that the hints
        contradict counts less (the ``25 n`` term, 5 a*b* units per hint, keeps
        a few hints from deciding alone), times `prior_shrink`.
    prior_shrink : float
        Multiplies the fitted weight (``prior_weight=None`` only): below 1 mixes
        in the plain propagation of the hints, whose errors differ from the
        network's.
    max_pixels : int
        Largest grid solved directly; bigger images are solved on a coarser level.

    Examples
    --------
    >>> light = np.full((20, 20), 50.0); light[:, 10:] = 90.0  # two flat halves
    >>> prior, hint = np.zeros((20, 20, 2)), np.zeros((20, 20, 2))
    >>> known = np.zeros((20, 20), bool)
    >>> hint[5, 2] = (30.0, 0.0); known[5, 2] = True  # a red hint on the left half
    >>> ab = propagate_residuals(light, prior, hint, known)
    >>> float(ab[5, 2, 0]), bool(ab[15, 5, 0] > 10), bool(abs(ab[15, 15, 0]) < 1)
    (30.0, True, True)
    """
    prior_ab = np.asarray(prior_ab, np.float32)  # full-size planes stay float32
    known = np.asarray(known, bool)
    if not known.any():
        return prior_ab.copy()
    hint_ab = np.asarray(hint_ab)
    rows, cols = np.nonzero(known)  # hints are sparse: work on their coordinates
    hint_vals = hint_ab[rows, cols].astype(np.float64)
    prior_vals = prior_ab[rows, cols].astype(np.float64)
    if prior_weight is None:
        prior_weight = prior_shrink * fit_prior_weight(prior_vals, hint_vals)
    wgt = float(prior_weight)
    res_vals = hint_vals - wgt * prior_vals
    h, w = known.shape
    f = 1
    while -(-h // f) * -(-w // f) > max_pixels and min(h, w) // f >= 16:
        f *= 2
    y = np.asarray(lightness, np.float64) / 100.0
    if f > 1:  # block means of L*, hint residuals averaged per block
        hc, wc = -(-h // f), -(-w // f)
        yp = np.pad(y, ((0, hc * f - h), (0, wc * f - w)), mode="edge")
        y = yp.reshape(hc, f, wc, f).mean((1, 3))
        cell = (rows // f) * wc + cols // f
        cnt = np.bincount(cell, minlength=hc * wc)
        vals = np.stack([np.bincount(cell, res_vals[:, i], minlength=hc * wc)
                         for i in range(2)], -1)
        kc = cnt > 0
        values = np.zeros((hc * wc, 2))
        values[kc] = vals[kc] / cnt[kc, None]
        r = _solve_screened(y, values.reshape(hc, wc, 2), kc.reshape(hc, wc),
                            sigma / 100.0, lam)
        r = _upsample(r, (h, w), f)
    else:
        values = np.zeros((h, w, 2))
        values[rows, cols] = res_vals
        r = _solve_screened(y, values, known, sigma / 100.0, lam)
    out = r.astype(np.float32, copy=False)
    out += np.float32(wgt) * prior_ab
    out[rows, cols] = hint_vals
    return out


def fit_prior_weight(prior: np.ndarray, hints: np.ndarray) -> float:
    """Least-squares weight of the prior a*b* (K, 2) against the hints' (K, 2), in [0, 1].

    Examples
    --------
    >>> p = np.array([[10.0, 0.0], [0.0, 20.0]])
    >>> round(fit_prior_weight(p, p), 2), fit_prior_weight(p, -p)
    (0.9, 0.0)
    """
    p = np.asarray(prior, np.float64).reshape(-1, 2)
    h = np.asarray(hints, np.float64).reshape(-1, 2)
    w = float((p * h).sum() / ((p * p).sum() + 25.0 * len(p)))
    return min(max(w, 0.0), 1.0)


def _solve_screened(y, values, known, sigma, lam):
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    from chroma.colorization.scribble import _system

    a, rhs, _ = _system(y, values, known, sigma)
    if lam > 0:
        free = (~known).ravel().astype(np.float64)
        a = (a + sp.diags(lam * free, 0, format="csr")).tocsc()
    lu = spla.splu(a.tocsc(), permc_spec="MMD_AT_PLUS_A", options={"SymmetricMode": True})
    return lu.solve(rhs).reshape(*y.shape, 2)


def _upsample(r, shape, f):
    """Bilinear upsampling by the block factor ``f`` (block centers), cropped to ``shape``."""
    from chroma.colorization._infer import resize_plane
    from chroma.colorization._net import import_torch

    torch = import_torch()
    hc, wc = r.shape[:2]
    with torch.inference_mode():
        t = torch.from_numpy(np.ascontiguousarray(np.moveaxis(r, -1, 0), np.float32))[None]
        up = resize_plane(torch, t, (hc * f, wc * f))[0].numpy()
    return np.ascontiguousarray(np.moveaxis(up, 0, -1)[: shape[0], : shape[1]])
