"""Histogram matching: give each channel of an image the reference's distribution.

Each value goes to the reference's value at the same quantile. Three modes:

``"exact"`` for uint8 / uint16 (the default for them)
    Counts per level, one lookup table per channel: exact and fast. Output
    levels are *rounded* to the nearest integer (scikit-image truncates).
``"exact"`` for float
    Quantile interpolation on the sorted values (scikit-image's algorithm):
    a value's quantile is the fraction of pixels ``<=`` it, and the output is
    the reference's inverse CDF there, linearly interpolated.
``"binned"``
    The image and the reference are histogrammed in ``n_bins`` equal bins
    (over [0, 1] for RGB, between minimum and maximum in other spaces); the
    CDFs are piecewise linear, so a value's quantile is interpolated inside
    its bin. Two passes over the pixels, no sort. It differs from the exact
    mapping by about one bin width (``1 / n_bins``): its Wasserstein distance
    to the reference can exceed the exact mapping's by that much.
``"auto"`` for float (the default)
    Exact. Large float images (256 Ki pixels and more) are first counted in
    131072 equal buckets between their minimum and maximum; when no bucket
    holds two different values (float images made from 8- to 16-bit data),
    the buckets are the sorted unique values and the exact mapping costs two
    passes, no sort. Otherwise a large image falls back to ``"binned"``. For
    three colors of every pixel the count tests nothing; each bucket keeps one
    of its values, and the buckets' purity is checked afterwards, read-only: by
    the map itself for the image (a look-up by bucket), by one more pass for the
    reference.

The exact float mapping equals :func:`skimage.exposure.match_histograms`
(same quantiles, same :func:`numpy.interp`).

The alpha channel is never matched; it is copied through.
"""

from __future__ import annotations

import numbers

import numpy as np

from chroma._core.parallel import NUMBA_MIN_PIXELS as _NUMBA_MIN_PIXELS
from chroma._core.validate import check_scalar
from chroma.transfers._base import ColorTransfer

__all__ = ["HistogramMatcher", "match_histograms"]

_LEVELS = {np.dtype(np.uint8): 256, np.dtype(np.uint16): 65536}
_MODES = ("auto", "exact", "binned")

_EXACT_MAX_PIXELS = 1 << 18  # "auto" sorts float images up to this size
_N_BUCKETS = 1 << 17  # buckets of the sort-free exact float path (16-bit data: one level each)


def _resolve_mode(mode: str, dtype, n_pixels: int) -> str:
    """``"auto"``: exact for uint and for float images up to 256 Ki pixels; above that
    ``"levels"`` (exact when the values fit the buckets, else binned)."""
    if mode != "auto":
        return mode
    if np.dtype(dtype) in _LEVELS or n_pixels <= _EXACT_MAX_PIXELS:
        return "exact"
    return "levels"


def _interp(q, values, cdf):
    """scikit-image's quantile interpolation (np.interp) where the CDF strictly increases
    (exact fits), the piecewise-linear inverse CDF otherwise (binned fits)."""
    if len(cdf) < 2 or bool(np.all(np.diff(cdf) > 0)):
        return np.interp(q, cdf, values)
    return _inv_cdf(q, values, cdf)


def _levels(x2d, n_colors, sel, fixed=False, check=None):
    """Bucket counts of the float colors of ``x2d`` (Numba), or None when a bucket is mixed.

    Buckets span [0, 1] for images (``fixed``), else each channel's min..max; 4096 buckets
    first (they stay in cache; enough for 8-bit data), :data:`_N_BUCKETS` if one is mixed.
    Returns ``(lo, scale, counts, values)`` per-channel arrays.

    Three colors of every pixel (:func:`_fast3`) are counted without a check, in the image's
    float type, and then checked: by ``check(lo, scale, counts, values)`` (True when pure;
    ``values`` in the image's float type), by default a read-only pass over the pixels.
    """
    from chroma.transfers import _histogram_kernels as K

    if fixed:
        lo, hi = np.zeros(n_colors), np.ones(n_colors)
    else:
        lo, hi = K.minmax(x2d, sel, n_colors)
    fast = _fast3(x2d, n_colors, sel)
    if fast and check is None:
        def check(lo, scale, counts, values):
            return K.bucket_check3(x2d, lo, scale, values) == 0
    for n_levels in (4096, _N_BUCKETS):
        scale = _bin_geometry(lo, hi, n_levels)
        if fast:
            counts, values = K.bucket_counts3(x2d, lo, scale, n_levels)
            if check(lo, scale, counts, values):
                return lo, scale, counts, values.astype(np.float64)
            continue
        counts, values, pure = K.level_counts(x2d, sel, lo, scale, n_levels)
        if pure:
            return lo, scale, counts, values
    return None


def _fast3(x2d, n_colors, sel) -> bool:
    """Whether the kernels of the common case apply: 3 float colors, every pixel."""
    return n_colors == 3 and not sel.shape[0] and x2d.dtype.kind == "f"


def _map_fast3(x2d, lo, scale, counts, values, quantiles, out, s, clip) -> bool:
    """The sort-free exact map when every pixel was counted, and whether it is exact.

    Each pixel's value should be its bucket's (``values``, the image's float type): then
    strength and clipping go into one table per channel (float64 arithmetic, as
    ``K.map_levels``) and the map is a look-up by bucket. The kernel counts the pixels whose
    value is not their bucket's; when there are any, ``out`` is not the map (False).
    """
    from chroma.transfers import _histogram_kernels as K

    _, t_hi = _levels_tables(counts, quantiles, 3)
    v = values.astype(np.float64)
    with np.errstate(invalid="ignore"):  # empty buckets (value inf) are never looked up
        m = (1.0 - s) * v + s * t_hi if s < 1.0 else t_hi
    m = np.where(counts > 0, m, 0.0)
    if clip:
        np.clip(m, 0.0, 1.0, out=m)
    return K.bucket_map3(x2d, lo, scale, values, np.ascontiguousarray(m.astype(out.dtype)),
                         out) == 0


# --- NumPy twins of the kernels ------------------------------------------------------------
def _np_counts_int(x, sel, n_colors, n_levels):
    if sel.shape[0]:
        x = x[sel]
    return np.stack(
        [np.bincount(x[:, c], minlength=n_levels) for c in range(n_colors)]
    ).astype(np.int64)


def _np_lut_int(x, lut, out):
    n_colors = lut.shape[0]
    for c in range(n_colors):
        out[:, c] = lut[c][x[:, c]]
    out[:, n_colors:] = x[:, n_colors:]


def _np_minmax(x, sel, n_colors):
    if sel.shape[0]:
        x = x[sel]
    x = x[:, :n_colors].astype(np.float64)
    return x.min(axis=0), x.max(axis=0)


def _dt(x):
    """Arithmetic dtype of the float kernels: the input's float type, else float64."""
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)


def _np_counts_float(x, sel, lo, scale, n_bins):
    dt = _dt(x)
    lo, scale = lo.astype(dt), scale.astype(dt)
    finite = np.isfinite(x[:, : len(lo)])
    n_bad = int((~finite).sum())
    if sel.shape[0]:
        x, finite = x[sel], finite[sel]
    counts = []
    for c in range(len(lo)):
        v = x[finite[:, c], c].astype(dt)
        j = np.clip(((v - lo[c]) * scale[c]).astype(np.int64), 0, n_bins - 1)
        counts.append(np.bincount(j, minlength=n_bins))
    return np.stack(counts).astype(np.int64), n_bad


def _np_map_float(x, lo, scale, table, out, clip):
    dt = _dt(x)
    lo, scale, table = lo.astype(dt), scale.astype(dt), table.astype(dt)
    start, slope = table[:, :-1], np.diff(table, axis=1)
    n_colors = len(lo)
    n_bins = table.shape[1] - 1
    for c in range(n_colors):
        top = np.nextafter(dt.type(n_bins), dt.type(0))
        t = np.clip((x[:, c].astype(dt) - lo[c]) * scale[c], 0, top)
        fl = np.floor(t)
        j = fl.astype(np.int64)
        v = start[c, j] + (t - fl) * slope[c, j]
        out[:, c] = np.clip(v, 0, 1) if clip else v
    out[:, n_colors:] = x[:, n_colors:]


def _kernels(n: int, backend: str):
    """The kernel set: Numba for large inputs (or when asked), NumPy twins otherwise."""
    if backend == "numba" or (backend == "auto" and n >= _NUMBA_MIN_PIXELS):
        from chroma.transfers import _histogram_kernels as K
        return K.counts_int, K.lut_int, K.minmax, K.counts_float, K.map_float
    return _np_counts_int, _np_lut_int, _np_minmax, _np_counts_float, _np_map_float


# --- quantile functions -------------------------------------------------------------------
def _inv_cdf(q, values, cdf):
    """The value at quantile ``q`` of a distribution given as a piecewise-linear CDF.

    ``cdf[k]`` is the fraction of the mass at or below ``values[k]``
    (non-decreasing, last = 1). Quantiles below ``cdf[0]`` give ``values[0]``.
    """
    q = np.asarray(q, dtype=np.float64)
    j = np.clip(np.searchsorted(cdf, q, side="left"), 0, len(cdf) - 1)
    jm = np.maximum(j - 1, 0)
    c0, c1 = cdf[jm], cdf[j]
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(c1 > c0, (q - c0) / (c1 - c0), 1.0)
    f = np.clip(f, 0.0, 1.0)
    return values[jm] + f * (values[j] - values[jm])


def _quantiles_from_counts(counts, values):
    """(values, cdf) keeping only the populated levels (scikit-image's unique values)."""
    keep = counts > 0
    n = counts.sum()
    return values[keep].astype(np.float64), np.cumsum(counts[keep]) / n


def _bin_geometry(lo, hi, n_bins):
    """``scale`` per channel so that bin = (v - lo) * scale; 0 for a constant channel."""
    span = hi - lo
    return np.where(span > 0, n_bins / np.where(span > 0, span, 1.0), 0.0)


def _not_finite(name):
    return ValueError(
        f"`{name}` contains NaN or infinite values; replace them first (e.g. np.nan_to_num)."
    )


def _range(x2d, sel, n_colors, fixed, minmax):
    """Binning range per channel: [0, 1] for images in [0, 1] (``fixed``), else min..max."""
    if fixed:
        return np.zeros(n_colors), np.ones(n_colors)
    return minmax(x2d, sel, n_colors)


def _fit_quantiles(x2d, n_colors, sel, mode, n_bins, backend, *, fixed=False,
                   name="reference"):
    """Per-channel (values, cdf) of the reference pixels ``x2d[:, :n_colors]`` (values in [0, 1]
    for images, working-space units otherwise)."""
    counts_int, _, minmax, counts_float, _ = _kernels(x2d.shape[0], backend)
    if x2d.dtype in _LEVELS:  # integer levels are always counted exactly
        levels = _LEVELS[x2d.dtype]
        counts = counts_int(x2d, sel, n_colors, levels)
        grid = np.arange(levels) / (levels - 1)
        return [_quantiles_from_counts(counts[c], grid) for c in range(n_colors)]
    if mode in ("exact", "levels") and not fixed and not np.isfinite(x2d[:, :n_colors]).all():
        raise _not_finite(name)
    lv = None
    if mode == "levels" or (mode == "exact" and counts_int is not _np_counts_int):
        lv = _levels(x2d, n_colors, sel, fixed)
        if lv is not None:
            _, _, counts, values = lv
            keep = counts > 0
            return [(values[c][keep[c]], np.cumsum(counts[c][keep[c]]) / counts[c].sum())
                    for c in range(n_colors)]
        mode = "binned" if mode == "levels" else mode
    if mode == "exact":
        xs = x2d[sel] if sel.shape[0] else x2d
        out = []
        for c in range(n_colors):
            values, counts = np.unique(np.asarray(xs[:, c], dtype=np.float64),
                                       return_counts=True)
            out.append((values, np.cumsum(counts) / counts.sum()))
        return out
    scale_to = 1.0 / (_LEVELS[x2d.dtype] - 1) if x2d.dtype in _LEVELS else 1.0
    if not fixed and x2d.dtype.kind == "f" and not np.isfinite(x2d[:, :n_colors]).all():
        raise _not_finite(name)
    lo, hi = _range(x2d, sel, n_colors, fixed, minmax)
    scale = _bin_geometry(lo, hi, n_bins)
    counts, n_bad = counts_float(x2d, sel, lo, scale, n_bins)
    if n_bad:
        raise _not_finite(name)
    out = []
    for c in range(n_colors):
        if scale[c] == 0:
            out.append((np.array([lo[c] * scale_to]), np.array([1.0])))
            continue
        edges = lo[c] + np.arange(n_bins + 1) / scale[c]
        cdf = np.concatenate([[0.0], np.cumsum(counts[c])]) / counts[c].sum()
        out.append((edges * scale_to, cdf))
    return out


def _match(x2d, n_colors, sel, quantiles, *, mode, n_bins, strength, out, clip, backend,
           fixed=False, name="image"):
    """Map the colors of ``x2d`` (N, Ctot) into ``out`` (N, Ctot); alpha is copied.

    Image statistics come from the rows in ``sel`` (length 0: all rows). ``quantiles`` holds
    the reference's (values, cdf) per channel, values in the float units of the output.
    """
    counts_int, lut_int, minmax, counts_float, map_float = _kernels(x2d.shape[0], backend)
    s = strength
    if x2d.dtype in _LEVELS:  # exact: counts + one LUT per channel
        levels = _LEVELS[x2d.dtype]
        counts = counts_int(x2d, sel, n_colors, levels)
        grid = np.arange(levels) / (levels - 1)
        lut = np.empty((n_colors, levels), dtype=out.dtype)
        maxv = levels - 1 if out.dtype in _LEVELS else 1.0
        for c in range(n_colors):
            q = np.cumsum(counts[c]) / max(counts[c].sum(), 1)
            mapped = _inv_cdf(q, *quantiles[c])
            if s < 1.0:
                mapped = (1.0 - s) * grid + s * mapped
            v = mapped * maxv
            if clip or out.dtype in _LEVELS:
                v = np.clip(v, 0, maxv)
            lut[c] = np.rint(v) if out.dtype in _LEVELS else v
        lut_int(x2d, lut, out)
        return out
    if mode in ("exact", "levels") and not fixed and not np.isfinite(x2d[:, :n_colors]).all():
        raise _not_finite(name)
    if mode == "levels" or (mode == "exact" and counts_int is not _np_counts_int):
        if _fast3(x2d, n_colors, sel):  # the map checks the buckets as it goes
            def check(lo, scale, counts, values):
                return _map_fast3(x2d, lo, scale, counts, values, quantiles, out, s, clip)

            if _levels(x2d, n_colors, sel, fixed, check) is not None:
                return out
            lv = None
        else:
            lv = _levels(x2d, n_colors, sel, fixed)
        if lv is not None:  # exact, sort-free: each bucket is one value
            from chroma.transfers import _histogram_kernels as K

            lo, scale, counts, values = lv
            t_lo, t_hi = _levels_tables(counts, quantiles, n_colors)
            K.map_levels(x2d, lo, scale, values, t_lo, t_hi, out, s, clip)
            return out
        mode = "binned" if mode == "levels" else mode
    if mode == "exact":  # scikit-image's algorithm: sort, unique, interpolate
        stats = x2d[sel] if sel.shape[0] else x2d
        for c in range(n_colors):
            col = np.asarray(x2d[:, c], dtype=np.float64)
            uniq, inverse = np.unique(col, return_inverse=True)
            ranks = np.sort(np.asarray(stats[:, c], dtype=np.float64))
            q = np.searchsorted(ranks, uniq, side="right") / len(ranks)
            mapped = _interp(q, *quantiles[c])
            if s < 1.0:
                mapped = (1.0 - s) * uniq + s * mapped
            v = mapped[inverse.reshape(-1)]
            out[:, c] = np.clip(v, 0.0, 1.0) if clip else v
        out[:, n_colors:] = x2d[:, n_colors:]
        return out
    if not fixed and not np.isfinite(x2d[:, :n_colors]).all():
        raise _not_finite(name)
    lo, hi = _range(x2d, sel, n_colors, fixed, minmax)
    scale = _bin_geometry(lo, hi, n_bins)
    counts, n_bad = counts_float(x2d, sel, lo, scale, n_bins)
    if n_bad:
        raise _not_finite(name)
    map_float(x2d, lo, scale, _binned_table(lo, scale, counts, quantiles, s, n_bins), out,
              clip)
    return out


def _levels_tables(counts, quantiles, n_colors):
    """Targets of the sort-free exact map: each bucket's value at its quantile (``t_hi``)
    and just below it (``t_lo``), from the image's bucket ``counts``."""
    t_lo = np.empty(counts.shape)
    t_hi = np.empty(counts.shape)
    for c in range(n_colors):
        cum = np.cumsum(counts[c])
        t_hi[c] = _interp(cum / cum[-1], *quantiles[c])
        t_lo[c] = _interp((cum - counts[c]) / cum[-1], *quantiles[c])
    return t_lo, t_hi


def _binned_table(lo, scale, counts, quantiles, s, n_bins):
    """The binned map: where each bin edge goes, from the image's bin ``counts``."""
    n_colors = len(lo)
    table = np.empty((n_colors, n_bins + 1))
    for c in range(n_colors):
        edges = lo[c] + np.arange(n_bins + 1) / scale[c] if scale[c] else np.full(n_bins + 1,
                                                                                    lo[c])
        if scale[c]:
            q = np.concatenate([[0.0], np.cumsum(counts[c])]) / counts[c].sum()
        else:  # a constant channel goes to the reference's median
            q = np.full(n_bins + 1, 0.5)
        mapped = _inv_cdf(q, *quantiles[c])
        table[c] = (1.0 - s) * edges + s * mapped if s < 1.0 else mapped
    return table


def _as_2d(arr: np.ndarray) -> np.ndarray:
    """(M, N[, C]) -> (M*N, C) view when possible."""
    if arr.ndim == 2:
        arr = arr[..., None]
    return arr.reshape(-1, arr.shape[-1])


class HistogramMatcher(ColorTransfer):
    """Match each channel's histogram to a reference's (estimator form).

    Parameters
    ----------
    space : {"rgb", "lab", "linear", "ycbcr", "lalphabeta", "xyz"}, optional
        Working space. ``"rgb"`` (default) matches the image's own channels
        and keeps uint images on the exact integer path.
    mode : {"auto", "exact", "binned"}, optional
        ``"auto"`` is exact for uint8/uint16 and for float images up to
        256 Ki pixels; larger float images are exact when their values fit
        the module's buckets (float images from 8- to 16-bit data), else
        binned (see the module docstring).
    n_bins : int, optional
        Bins per channel for the binned mode.
    strength : float in [0, 1], optional
        Blend between the image (0) and the matched image (1).
    keep_luminance : bool, optional
        Keep the image's CIELAB lightness; match only color.

    Attributes
    ----------
    quantiles_ : list of (values, cdf)
        The reference's distribution per channel: ``cdf[k]`` is the fraction
        of reference pixels at or below ``values[k]`` (in [0, 1] for ``"rgb"``).
    n_channels_ : int
        Color channels of the reference (1 for gray, 3 for color).

    Notes
    -----
    A channel whose values are all equal has every pixel at quantile 1 in the
    exact mode (so it maps to the reference's maximum, as in scikit-image) and
    at quantile 0.5 in the binned mode (the reference's median).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ref = rng.integers(100, 200, (16, 16, 3), dtype=np.uint8)
    >>> out = HistogramMatcher().fit(ref).transform(rng.integers(0, 256, (8, 8, 3), np.uint8))
    >>> int(out.min()) >= 100 and int(out.max()) <= 199
    True
    """

    _spaces = ("rgb", "lab", "linear", "ycbcr", "lalphabeta", "xyz")
    _fitted_attr = "quantiles_"
    _uses_image_stats = True

    def __init__(self, space: str = "rgb", *, mode: str = "auto", n_bins: int = 4096,
                 strength: float = 1.0, keep_luminance: bool = False):
        self.space = space
        self.mode = mode
        self.n_bins = n_bins
        self.strength = strength
        self.keep_luminance = keep_luminance

    # -- parameters
    def _check_params(self) -> None:
        super()._check_params()
        if self.mode not in _MODES:
            raise ValueError(f"mode={self.mode!r} is not supported; choose from {list(_MODES)}.")
        check_scalar(self.n_bins, "n_bins", numbers.Integral, low=2, high=1 << 20)

    def _fast(self) -> bool:
        """Whether the fused path (no color conversion, no lightness swap) applies."""
        return self.space == "rgb" and not self.keep_luminance

    # -- fit
    def _fit_image(self, arr, sel):
        if not self._fast():
            super()._fit_image(arr, sel)
            self.n_channels_ = 3
            return
        if arr.dtype == np.float16:
            arr = arr.astype(np.float32)
        x2d = _as_2d(arr)
        n_colors = 3 if x2d.shape[1] >= 3 else 1
        mode = _resolve_mode(self.mode, arr.dtype, x2d.shape[0])
        self.quantiles_ = _fit_quantiles(x2d, n_colors, _sel(sel), mode, int(self.n_bins),
                                         "auto", fixed=True)
        self.n_channels_ = n_colors
        self.n_features_in_ = n_colors

    def _fit_pixels(self, ref: np.ndarray) -> None:
        mode = _resolve_mode(self.mode, ref.dtype, ref.shape[0])
        empty = np.zeros(0, dtype=bool)
        self.quantiles_ = _fit_quantiles(ref, 3, empty, mode, int(self.n_bins), "auto")

    # -- transform
    def _transform_pixels(self, pixels: np.ndarray, stats: np.ndarray) -> np.ndarray:
        # working-space float pixels; base applies strength / keep_luminance afterwards
        mode = _resolve_mode(self.mode, pixels.dtype, pixels.shape[0])
        if stats is pixels:
            x2d, sel = pixels, np.zeros(0, dtype=bool)
        else:  # statistics from another set of pixels: stack them, select the stats rows
            x2d = np.concatenate([pixels, stats])
            sel = np.zeros(len(x2d), dtype=bool)
            sel[len(pixels):] = True
        out = np.empty_like(x2d)
        _match(x2d, 3, sel, self.quantiles_, mode=mode, n_bins=int(self.n_bins), strength=1.0,
               out=out, clip=False, backend="auto")
        return out[: len(pixels)]

    def _transform_image(self, arr, sel):
        if not self._fast():
            return super()._transform_image(arr, sel)
        has_alpha = arr.ndim == 3 and arr.shape[-1] in (2, 4)
        n_colors = 1 if arr.ndim == 2 or arr.shape[-1] <= 2 else 3
        gray2d = arr.ndim == 2
        if arr.dtype == np.float16:
            arr = arr.astype(np.float32)
        quantiles = self.quantiles_
        if n_colors == 1 and self.n_channels_ == 3:  # gray image, color reference
            colors = np.repeat(arr[..., :1] if not gray2d else arr[..., None], 3, axis=-1)
            arr = np.concatenate([colors, arr[..., -1:]], axis=-1) if has_alpha else colors
            n_colors, gray2d = 3, False
        elif n_colors == 3 and self.n_channels_ == 1:  # color image, gray reference
            quantiles = quantiles * 3
        x2d = _as_2d(arr)
        mode = _resolve_mode(self.mode, arr.dtype, x2d.shape[0])
        out = np.empty(x2d.shape, dtype=arr.dtype)
        _match(x2d, n_colors, _sel(sel), quantiles, mode=mode, n_bins=int(self.n_bins),
               strength=self._strength(), out=out, clip=True, backend="auto", fixed=True)
        out = out.reshape((*arr.shape[:2], x2d.shape[1]))
        return out[..., 0] if gray2d else out


def _sel(sel: np.ndarray | None) -> np.ndarray:
    """The kernels' selection convention: length 0 means every pixel."""
    return np.zeros(0, dtype=bool) if sel is None else sel


def match_histograms(
    image,
    reference,
    *,
    mode: str = "auto",
    n_bins: int = 4096,
    space: str = "rgb",
    strength: float = 1.0,
    keep_luminance: bool = False,
    mask=None,
    reference_mask=None,
    channel_axis: int = -1,
):
    """Give each channel of `image` the histogram of the same channel of `reference`.

    Parameters
    ----------
    image : ndarray
        Gray or RGB(A) image; uint8, uint16 or float in [0, 1].
    reference : ndarray
        Gray or RGB(A) image; any size and dtype.
    mode : {"auto", "exact", "binned"}, optional
        See :mod:`chroma.transfers.histogram`. ``"auto"``: exact for uint and for float
        images up to 256 Ki pixels and for larger float images whose values fit the
        buckets (made from 8- to 16-bit data); binned for other large float images.
    n_bins : int, optional
        Bins per channel in the binned mode.
    space : str, optional
        Working space (``"rgb"``, ``"lab"``, ...); see :class:`HistogramMatcher`.
    strength : float in [0, 1], optional
        Blend between `image` (0) and the matched result (1).
    keep_luminance : bool, optional
        Keep `image`'s CIELAB lightness.
    mask, reference_mask : ndarray of shape (M, N), optional
        Regions of `image` / `reference` whose histograms are matched; pixels
        where `mask` is 0 are returned unchanged.
    channel_axis : int, optional
        Channel axis of both images and the result.

    Returns
    -------
    out : ndarray
        Same shape and dtype as `image` (float16 gives float32); alpha copied.

    References
    ----------
    .. [1] R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, histogram
           specification.

    Examples
    --------
    >>> img = np.array([[0, 1, 2, 3]], dtype=np.uint8)
    >>> ref = np.array([[10, 20, 30, 40]], dtype=np.uint8)
    >>> match_histograms(img, ref, channel_axis=None)
    array([[10, 20, 30, 40]], dtype=uint8)
    """
    from chroma.transfers import transfer

    return transfer(image, reference, "histogram", space=space, mode=mode, n_bins=n_bins,
                    strength=strength, keep_luminance=keep_luminance, mask=mask,
                    reference_mask=reference_mask, channel_axis=channel_axis)

