"""Pull predicted a*b* toward a reference's colors, lightness band by lightness band.

Private helper of :mod:`chroma.colorization.prior` (``colorize(..., reference=ref)``):
after the network's prediction, the a*b* of the pixels in each lightness band
are moved by 2-D sliced optimal transport [1]_ (Pitié's iterative
distribution transfer: random rotations of the a*b* plane, exact 1-D
quantile matching along both axes) toward the a*b* of the reference's pixels
of about the same lightness. Bands overlap as hat functions of L* centered on
quantiles of the target's L*, so the per-band results are blended linearly
in L* and no step appears at a band edge. Lightness is never changed.

References
----------
.. [1] F. Pitié, A. C. Kokaram, R. Dahyot, "N-dimensional probability density
       function transfer and its application to colour transfer", ICCV 2005.
"""

from __future__ import annotations

import numbers

import numpy as np

from chroma._core.validate import check_random_state, check_strength

__all__ = ["match_ab_by_lightness", "sot_2d"]

MAX_REFERENCE = 20_000  # reference pixels sampled (by weight) once, shared by all bands


def _as_pixels(lab, name: str) -> np.ndarray:
    arr = np.asarray(lab)
    if arr.ndim < 2 or arr.shape[-1] != 3:
        raise ValueError(f"`{name}` must be a Lab array shaped (..., 3), got shape {arr.shape}.")
    if not np.issubdtype(arr.dtype, np.floating):
        raise TypeError(f"`{name}` must be a float Lab array, got dtype {arr.dtype}.")
    return arr.reshape(-1, 3)


def sot_2d(x: np.ndarray, y: np.ndarray, *, n_iter: int = 20, rng=None) -> np.ndarray:
    """Move 2-D points `x` (n, 2) so their distribution matches `y` (m, 2).

    Iterative distribution transfer: each iteration draws a random rotation
    and matches, along each of its two orthogonal axes, the 1-D distribution
    of the projected `x` to that of `y` exactly (quantile matching). Returns
    a new float64 (n, 2) array; `x` is not modified.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(500, 2))
    >>> y = rng.normal(size=(400, 2)) * [3.0, 0.5] + [10.0, -4.0]
    >>> z = sot_2d(x, y, rng=np.random.default_rng(1))
    >>> bool(np.allclose(z.mean(0), y.mean(0), atol=0.3))
    True
    """
    rng = check_random_state(rng)
    z = np.array(x, dtype=np.float64, copy=True)
    y = np.asarray(y, dtype=np.float64)
    n, m = len(z), len(y)
    if n == 0 or m == 0:
        return z
    levels = (np.arange(n) + 0.5) / n
    ref_levels = (np.arange(m) + 0.5) / m
    offset = rng.random()
    for it in range(n_iter):
        # stratified angles in [0, pi/2): a rotation's two axes cover pi/2 each
        theta = (it + offset) * (np.pi / 2) / n_iter + rng.random() * 0.1
        c, s = np.cos(theta), np.sin(theta)
        basis = np.array([[c, s], [-s, c]])
        pz = z @ basis.T
        py = y @ basis.T
        for k in range(2):
            order = np.argsort(pz[:, k])
            target = np.interp(levels, ref_levels, np.sort(py[:, k]))
            delta = np.empty(n)
            delta[order] = target - pz[order, k]
            z += delta[:, None] * basis[k][None, :]
    return z


def _check_bands(n_bands) -> int:
    if isinstance(n_bands, bool) or not isinstance(n_bands, numbers.Integral) or n_bands < 1:
        raise ValueError(f"`n_bands` must be an int >= 1, got {n_bands!r}.")
    return int(n_bands)


def match_ab_by_lightness(
    lab_pred,
    lab_ref,
    *,
    ref_weights=None,
    n_bands: int = 6,
    lightness: str = "rank",
    strength: float = 1.0,
    n_iter: int = 20,
    min_reference: int = 200,
    random_state=0,
) -> np.ndarray:
    """Move the a*b* of `lab_pred` toward the reference's a*b*, per lightness band.

    Parameters
    ----------
    lab_pred : float ndarray (..., 3)
        CIELAB pixels (or an image) whose a*b* are moved; L* is kept exactly.
    lab_ref : float ndarray (..., 3)
        CIELAB pixels (or an image) of the reference.
    ref_weights : array_like, optional
        Non-negative weight per reference pixel (shape ``lab_ref.shape[:-1]``),
        e.g. a ``reference_mask``: the reference is sampled in proportion to it;
        weight 0 excludes a pixel.
    n_bands : int, optional
        Number of lightness bands, centered on quantiles of `lab_pred`'s L*;
        neighbouring bands overlap (hat functions of L*), so the result varies
        smoothly with L*. ``1``: one global match.
    lightness : {"absolute", "rank"}, optional
        How reference pixels fall into the bands: by their own L*
        (``"absolute"``: dark target pixels take the colors of dark reference
        pixels) or by their L* rank (``"rank"``: the reference's L* is first
        mapped onto the target's L* distribution by quantile matching, so every
        band gets the same share of both images and the output's a*b*
        distribution approaches the reference's as a whole, whatever the two
        exposures).
    strength : float in [0, 1], optional
        0 returns the prediction's a*b*, 1 the matched ones; linear in between.
    n_iter : int, optional
        Sliced-transport iterations (two directions each).
    min_reference : int, optional
        A band whose L* interval holds fewer reference pixels borrows the
        `min_reference` reference pixels nearest in L* to its center (the
        whole reference if it is smaller).
    random_state : None, int or numpy.random.Generator, optional
        Seed for the reference sample and the directions.

    Returns
    -------
    out : float32 ndarray, same shape as `lab_pred`
        ``lab_pred`` with moved a*b* and its L* unchanged.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> pred = np.zeros((40, 3), np.float32); pred[:, 0] = np.linspace(10, 90, 40)
    >>> ref = np.zeros((50, 3), np.float32); ref[:, 0] = 50; ref[:, 2] = 40  # all yellow
    >>> out = match_ab_by_lightness(pred, ref)
    >>> bool(np.array_equal(out[:, 0], pred[:, 0])), bool(np.allclose(out[:, 2], 40, atol=1e-3))
    (True, True)
    """
    s = check_strength(strength)
    nb = _check_bands(n_bands)
    if lightness not in ("absolute", "rank"):
        raise ValueError(f"`lightness` must be 'absolute' or 'rank', got {lightness!r}.")
    rng = check_random_state(random_state)
    shape = np.shape(lab_pred)
    pred = _as_pixels(lab_pred, "lab_pred")
    ref = _as_pixels(lab_ref, "lab_ref")
    out = np.array(pred, dtype=np.float32, copy=True)
    if ref_weights is not None:
        w = np.asarray(ref_weights, dtype=np.float64).reshape(-1)
        if w.size != len(ref):
            raise ValueError(f"`ref_weights` must have one weight per reference pixel "
                             f"({len(ref)}), got {w.size}.")
        if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
            raise ValueError("`ref_weights` must be finite, >= 0 and select some pixel.")
    else:
        w = None
    if s == 0.0 or len(pred) == 0:
        return out.reshape(shape)
    if len(ref) == 0:
        raise ValueError("`lab_ref` holds no pixel.")
    # one weighted sample of the reference, shared by all bands
    if w is not None:
        idx = rng.choice(len(ref), size=min(MAX_REFERENCE, int((w > 0).sum())),
                         replace=False, p=w / w.sum())
        ref = ref[np.sort(idx)]
    elif len(ref) > MAX_REFERENCE:
        ref = ref[np.sort(rng.choice(len(ref), size=MAX_REFERENCE, replace=False))]
    ref = ref.astype(np.float64)
    light = pred[:, 0].astype(np.float64)
    if lightness == "rank":
        ranks = (np.argsort(np.argsort(ref[:, 0], kind="stable"), kind="stable") + 0.5)
        ref[:, 0] = np.quantile(light, ranks / len(ref))
    ab = pred[:, 1:].astype(np.float64)
    # band centers: mid-quantiles of the target's L*, strictly increasing
    centers = np.unique(np.quantile(light, (np.arange(nb) + 0.5) / nb))
    matched = np.zeros_like(ab)
    if len(centers) == 1:
        matched[:] = sot_2d(ab, ref[:, 1:], n_iter=n_iter, rng=rng)
    else:
        ext = np.concatenate([[-np.inf], centers, [np.inf]])
        for k in range(len(centers)):
            lo, c, hi = ext[k], ext[k + 1], ext[k + 2]
            # hat weight: 1 at c, 0 at the neighbouring centers; flat beyond the end ones
            sel = np.flatnonzero((light > lo) & (light < hi))
            if sel.size == 0:
                continue
            lt = light[sel]
            wt = np.where(lt <= c,
                          1.0 if np.isinf(lo) else (lt - lo) / (c - lo),
                          1.0 if np.isinf(hi) else (hi - lt) / (hi - c))
            # reference pixels of the band's L* interval (the hat's support)
            rlo = lt.min() if np.isinf(lo) else lo
            rhi = lt.max() if np.isinf(hi) else hi
            rl = ref[:, 0]
            rsel = np.flatnonzero((rl >= rlo) & (rl <= rhi))
            if rsel.size < min(min_reference, len(ref)):
                kk = min(min_reference, len(ref))
                rsel = np.argpartition(np.abs(rl - c), kk - 1)[:kk]
            moved = sot_2d(ab[sel], ref[rsel, 1:], n_iter=n_iter, rng=rng)
            matched[sel] += wt[:, None] * moved
    out[:, 1:] = (ab + s * (matched - ab)).astype(np.float32)
    return out.reshape(shape)
