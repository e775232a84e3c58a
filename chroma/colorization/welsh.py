"""Colorization from a reference photo (Welsh, Ashikhmin & Mueller 2002).

"Transferring Color to Greyscale Images": every target pixel takes the
chromaticity of the reference pixel whose lightness and neighbourhood
lightness spread are closest to its own, while keeping its own lightness.

1. *Luminance remapping*: the reference's lightness is shifted and scaled to
   the target's mean and standard deviation, so the two are comparable.
2. A *jittered sample* of the reference: the reference is cut into a grid of
   about `n_samples` cells and one random pixel is drawn from each (the paper
   uses about 200).
3. For each target pixel, the sample minimizing
   ``weight * (L - L_s)^2 + (1 - weight) * (sd - sd_s)^2`` is chosen, where
   ``sd`` is the standard deviation of lightness in a `window` x `window`
   neighbourhood (5 x 5 and 50/50 weighting in the paper).
4. The sample's a*b* are copied; the target's lightness is kept exactly.

The paper works in Ruderman's lαβ and copies α, β; chroma works in CIELAB
(L*, a*, b*) and copies a*, b*, so that the kept lightness is the perceptual
L* that the rest of chroma (masks, metrics, the CNN colorizer) uses. Colors
that fall outside the sRGB gamut at the target's lightness lose chroma, never
lightness. The matching runs as a parallel Numba kernel (a NumPy twin gives
the same indices).

References
----------
.. [1] T. Welsh, M. Ashikhmin, K. Mueller, "Transferring Color to Greyscale
       Images", ACM SIGGRAPH 2002 (ACM TOG 21(3)), 277-280.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import scipy.ndimage as ndi

from chroma._core.validate import check_mask, check_random_state, to_float
from chroma.colorization._guided import compose, read_lightness
from chroma.spaces import _convert_float

__all__ = ["welsh_colorize"]

_BACKENDS = ("auto", "numba", "numpy")
_NUMBA_MIN_PIXELS = 1 << 12


def welsh_colorize(
    image,
    reference,
    *,
    reference_mask=None,
    n_samples: int = 200,
    window: int = 5,
    weight: float = 0.5,
    random_state=None,
    channel_axis: int = -1,
    backend: str = "auto",
) -> np.ndarray:
    """Colorize a gray image with the colors of a reference photo (Welsh et al. 2002).

    Parameters
    ----------
    image : ndarray (M, N), (M, N, 1), (M, N, 2), (M, N, 3) or (M, N, 4)
        Gray or color target (its CIELAB lightness is used); alpha is kept.
    reference : ndarray (P, Q, 3) or (P, Q, 4)
        Color source; any size. Its alpha, if any, is ignored (use
        `reference_mask`).
    reference_mask : ndarray (P, Q), optional
        Sample only the reference pixels where the mask is > 0.5 (e.g. "take
        the colors of the sky").
    n_samples : int, optional
        Size of the jittered sample of reference pixels.
    window : int, optional
        Odd side of the square neighbourhood for the lightness spread.
    weight : float, optional
        Weight of the lightness difference (1 - `weight` goes to the spread).
    random_state : None, int or numpy Generator, optional
        Seed for the jittered sample; the same seed gives the same output.
    channel_axis : int, optional
        Channel axis of `image`, `reference` and the output.
    backend : {"auto", "numba", "numpy"}, optional
        Matching kernel; ``"auto"`` uses Numba from 4 Ki pixels on.

    Returns
    -------
    out : ndarray
        RGB (plus alpha if `image` had it) in the dtype of `image`, with the
        lightness of `image`.

    References
    ----------
    .. [1] T. Welsh, M. Ashikhmin, K. Mueller, "Transferring Color to
           Greyscale Images", ACM SIGGRAPH 2002.

    Examples
    --------
    >>> gray = np.linspace(0.2, 0.8, 24, dtype=np.float32).reshape(4, 6)
    >>> ref = np.zeros((5, 5, 3), np.uint8); ref[...] = (200, 60, 40)
    >>> out = welsh_colorize(gray, ref, random_state=0)
    >>> out.shape, out.dtype
    ((4, 6, 3), dtype('float32'))
    >>> bool((out[..., 0] > out[..., 2]).all())  # every pixel got the reference's red
    True
    """
    n_samples = _check_int(n_samples, "n_samples", 1)
    window = _check_int(window, "window", 1)
    if window % 2 == 0:
        raise ValueError(f"`window` must be an odd int >= 1, got {window}.")
    if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or not 0 <= weight <= 1:
        raise ValueError(f"`weight` must be a number in [0, 1], got {weight!r}.")
    if backend not in _BACKENDS:
        raise ValueError(f"backend={backend!r} is not supported; choose from {list(_BACKENDS)}.")
    lightness, restore = read_lightness(image, channel_axis=channel_axis)
    ref, _ = to_float(reference, name="reference", channel_axis=channel_axis, gray_to_rgb=True)
    valid = None
    if reference_mask is not None:
        valid = check_mask(reference_mask, ref.shape, name="reference_mask") > 0.5
        if not valid.any():
            raise ValueError("`reference_mask` selects no pixel (no value > 0.5).")
    rng = check_random_state(random_state)
    ab = _welsh_ab(lightness, ref, valid, n_samples, window, float(weight), rng, backend)[0]
    return restore(compose(lightness, ab))


def _check_int(v, name: str, lo: int) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"`{name}` must be an int >= {lo}, got {type(v).__name__}.")
    if v < lo:
        raise ValueError(f"`{name}` must be an int >= {lo}, got {v}.")
    return int(v)


def _local_std(lightness: np.ndarray, window: int) -> np.ndarray:
    """Standard deviation of lightness in a window x window neighbourhood (reflected edges)."""
    x = lightness.astype(np.float64)
    if window == 1:
        return np.zeros_like(x)
    mean = ndi.uniform_filter(x, window, mode="reflect")
    sq = ndi.uniform_filter(x * x, window, mode="reflect")
    return np.sqrt(np.maximum(sq - mean * mean, 0.0))


def _jittered_sample(valid: np.ndarray, n: int, rng: np.random.Generator):
    """Rows and cols of about `n` pixels: one random valid pixel per cell of a grid.

    The grid has ``gy x gx >= n`` cells shaped like the image; empty cells are
    skipped, a surplus is thinned at random and a shortfall (sparse masks) is
    topped up with random valid pixels.
    """
    h, w = valid.shape
    n_valid = int(valid.sum())
    if n >= n_valid:
        rows, cols = np.nonzero(valid)
        return rows, cols
    gy = min(h, max(1, round(math.sqrt(n * h / w))))
    gx = min(w, max(1, math.ceil(n / gy)))
    ye = np.linspace(0, h, gy + 1).round().astype(int)
    xe = np.linspace(0, w, gx + 1).round().astype(int)
    full = bool(valid.all())
    picks = []
    for i in range(gy):
        for j in range(gx):
            y0, y1, x0, x1 = ye[i], ye[i + 1], xe[j], xe[j + 1]
            if y1 <= y0 or x1 <= x0:
                continue
            if full:
                picks.append((rng.integers(y0, y1), rng.integers(x0, x1)))
                continue
            nz = np.flatnonzero(valid[y0:y1, x0:x1])
            if len(nz):
                r, c = divmod(int(nz[rng.integers(len(nz))]), x1 - x0)
                picks.append((y0 + r, x0 + c))
    flat = np.array([r * w + c for r, c in picks], dtype=np.int64)
    if len(flat) > n:
        flat = np.sort(rng.choice(flat, n, replace=False))
    elif len(flat) < n:
        rest = np.setdiff1d(np.flatnonzero(valid.ravel()), flat)
        flat = np.sort(np.concatenate([flat, rng.choice(rest, n - len(flat), replace=False)]))
    return np.divmod(flat, w)


def _match_numpy(target_l, target_sd, sample_l, sample_sd, weight, chunk=1 << 15):
    """NumPy twin of :func:`chroma.colorization._welsh_kernels.match`."""
    out = np.empty(len(target_l), np.int64)
    w2 = 1.0 - weight
    for s in range(0, len(target_l), chunk):
        dl = target_l[s : s + chunk, None] - sample_l[None, :]
        ds = target_sd[s : s + chunk, None] - sample_sd[None, :]
        d = weight * (dl * dl) + w2 * (ds * ds)
        out[s : s + chunk] = d.argmin(1)
    return out


def _welsh_ab(lightness, ref, valid, n_samples, window, weight, rng, backend):
    """a*b* (M, N, 2) for the target, plus the sample rows, cols and per-pixel index."""
    ref_lab = _convert_float(ref, "rgb", "lab")
    ref_l = ref_lab[..., 0].astype(np.float64)
    if valid is None:
        valid = np.ones(ref_l.shape, bool)
    # 1. luminance remapping to the target's mean and std
    mu_t, sd_t = float(lightness.mean()), float(lightness.std())
    sel = ref_l[valid]
    mu_r, sd_r = float(sel.mean()), float(sel.std())
    scale = sd_t / sd_r if sd_r > 1e-6 else 1.0
    ref_l = (ref_l - mu_r) * scale + mu_t
    # 2. jittered sample
    rows, cols = _jittered_sample(valid, n_samples, rng)
    sample_l = np.ascontiguousarray(ref_l[rows, cols])
    sample_sd = np.ascontiguousarray(_local_std(ref_l, window)[rows, cols])
    sample_ab = ref_lab[rows, cols, 1:]
    # 3. best match per target pixel
    target_l = lightness.astype(np.float64).ravel()
    target_sd = _local_std(lightness, window).ravel()
    use_numba = backend == "numba" or (
        backend == "auto" and target_l.size >= _NUMBA_MIN_PIXELS
    )
    if use_numba:
        from chroma.colorization import _welsh_kernels

        idx = _welsh_kernels.match(target_l, target_sd, sample_l, sample_sd, weight)
    else:
        idx = _match_numpy(target_l, target_sd, sample_l, sample_sd, weight)
    # 4. copy a*b*
    ab = sample_ab[idx].reshape(*lightness.shape, 2)
    return ab, rows, cols, idx.reshape(lightness.shape)
