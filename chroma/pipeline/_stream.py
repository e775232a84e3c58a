"""Recipes in row tiles: a multi-pass execution whose memory does not grow with the steps.

:func:`chroma.compositing._apply_layers` runs a recipe of several steps on the
float32 working copy of the whole image and holds each step's full-size
output: for a 2 MP photo and Reinhard followed by histogram matching, 18x the
decoded uint8 image. Here the same layers run tile by tile, in passes:

* pass 0: the first step's operator. Reinhard's and the affine transfers'
  statistics are sums over fixed pixel blocks (:mod:`chroma.transfers._blocks`),
  so they are gathered from the float32 working copy a few blocks at a time
  (:func:`chroma.transfers._tiled.streamed_operator`): the same numbers as the
  door takes over the whole copy, and no full-size float copy. Another first
  step gets the whole working copy (``_tile_operator``), dropped after.
  On several threads the blocks are fed in one piece (the whole copy, as
  before): its release raises glibc's dynamic mmap and trim thresholds above
  the 256 Ki-pixel tiles' temporaries; fed in pieces, they were unmapped and
  faulted in again at every tile (27 500 minor page faults per 2 MP recipe,
  a quarter of its time). On one thread (a pool worker) tiles are small and
  the pieces cost nothing.
* one pass per later step that needs statistics of its *input* (histogram
  matching: the histogram of the image as the steps before it left it): every
  tile is recomputed through the steps fitted so far and only the counts are
  kept. Counts add up exactly across tiles.
* the last pass recomputes every tile through all the steps, blends, and
  restores it into one output in the caller's dtype.

Every number is the one the in-memory execution computes (same kernels, same
statistics, per-pixel maps and blends), so the result is the same bit for bit
(tests/pipeline/test_stream.py). A recipe this cannot run (masks, the pyramid
blend, a step without a tile operator or with statistics that do not add up
across tiles) gets None and runs in memory.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from chroma._core.validate import working_copy

__all__ = ["stream_layers", "stream_tile_pixels"]

#: pixels per tile of the streamed execution: large enough for a parallel kernel launch
#: when chroma runs on several threads; small (its temporaries are a few tiles) on one
PARALLEL_TILE_PIXELS = 1 << 18
SERIAL_TILE_PIXELS = 1 << 16


def stream_tile_pixels(n_pixels: int) -> int:
    """Pixels per tile for an image of `n_pixels`.

    :data:`PARALLEL_TILE_PIXELS` when chroma runs on several threads (a
    smaller tile would run its kernels on one); on one thread (a worker of a
    process pool) :data:`SERIAL_TILE_PIXELS`, and at most a sixteenth of the
    image, so that the tile temporaries stay small beside the image. Results
    do not depend on it, bit for bit.

    Examples
    --------
    >>> import chroma
    >>> old = chroma.set_num_threads(1)
    >>> stream_tile_pixels(2_000_000) == SERIAL_TILE_PIXELS, stream_tile_pixels(400_000)
    (True, 25000)
    >>> _ = chroma.set_num_threads(None)
    """
    from chroma._core.parallel import get_num_threads

    if get_num_threads() > 1:
        return PARALLEL_TILE_PIXELS
    return min(SERIAL_TILE_PIXELS, n_pixels // 16)


def _first_ok(layer) -> bool:
    step, m, _mode, strength = layer
    return (m is None and strength == 1.0
            and getattr(step, "_tile_operator", None) is not None
            and getattr(step, "_transform_image", None) is not None)


def _later_ok(layer) -> bool:
    step, m, mode, strength = layer
    return m is None and mode in ("normal", "chroma") and strength > 0.0 and (
        _HistogramStats.accepts(step))


def stream_layers(arr: np.ndarray, layers, *, tile_pixels: int | None = None):
    """The layers of :func:`chroma.compositing._apply_layers`, in row tiles; or None.

    Parameters
    ----------
    arr : ndarray
        Checked image, channels last, RGB without alpha.
    layers : list of (step, mask, mode, strength)
        As for ``_apply_layers``: at least two; the first unmasked at full
        strength with a tile operator, the others unmasked histogram matching.
    tile_pixels : int, optional
        Pixels per row tile (default :func:`stream_tile_pixels`); tiles never
        have fewer than ``NUMBA_MIN_PIXELS`` (the kernels the whole image takes).

    Returns
    -------
    out : ndarray or None
        ``_apply_layers(arr, layers)``, bit for bit; None when the layers do
        not qualify (then run them in memory).
    """
    from chroma._core.tiles import row_tiles

    if (arr.ndim != 3 or arr.shape[-1] != 3 or len(layers) < 2 or not _first_ok(layers[0])
            or not all(_later_ok(layer) for layer in layers[1:])):
        return None
    h, w = arr.shape[:2]
    if h * w < 2 * SERIAL_TILE_PIXELS:  # one tile: nothing to save
        return None
    later = [_HistogramStats(step, h * w) for step, *_ in layers[1:]]
    if not all(stats.streamable for stats in later):  # e.g. the exact float sort
        return None
    tile_pixels = tile_pixels or stream_tile_pixels(h * w)
    restore = working_copy(arr[:1])[1]  # the caller's dtype (RGB: no alpha to keep)
    first = _first_operator(layers[0][0], arr, tile_pixels)
    if first is None:
        return None
    tiles = row_tiles(h, w, tile_pixels)
    fitted: list = []  # (map, mode, strength) of the later layers fitted so far
    for stats, (_step, _m, mode, strength) in zip(later, layers[1:]):
        for rows in tiles:
            stats.add(_run_tile(arr[rows], first, fitted, restore))
        fitted.append((stats.operator(), mode, strength))
    out = None
    for rows in tiles:
        part = _run_tile(arr[rows], first, fitted, restore)
        result = restore(part)
        if out is None:
            out = np.empty((h, *result.shape[1:]), dtype=result.dtype)
        out[rows] = result
        del part, result
    return out


def _first_operator(step, arr: np.ndarray, tile_pixels: int):
    """The first step's tile operator, its statistics those of the whole working copy."""
    from chroma._core.parallel import get_num_threads
    from chroma.transfers._blocks import BLOCK
    from chroma.transfers._tiled import streamed_operator, working_chunks

    n = arr.shape[0] * arr.shape[1]
    # whole blocks, about a tile; on several threads the whole image (see the module)
    group = n if get_num_threads() > 1 else max(1, tile_pixels // BLOCK) * BLOCK
    op = streamed_operator(step, n, working_chunks(arr, group))
    if op is None:
        x = working_copy(arr)[0]
        op = step._tile_operator(x, None)  # its statistics: the whole working copy
    return op


def _float_layer(y: np.ndarray) -> np.ndarray:
    """A step's output as ``_apply_layers`` takes it: float32, channels last, no alpha."""
    y = y if y.ndim == 3 else y[..., None]
    if y.dtype != np.float32:
        y = working_copy(y, name="step output")[0]
    elif y.shape[-1] in (2, 4):
        y = y[..., :-1]
    return y


def _run_tile(tile: np.ndarray, first, fitted, restore) -> np.ndarray:
    """One row tile through the first step and the fitted later ones (float32 result)."""
    from chroma.compositing import _blend_float, _uniform

    xt = working_copy(tile)[0]
    y = _float_layer(first(xt))
    if y.shape != xt.shape:
        raise ValueError(f"the first step changed a tile from {xt.shape} to {y.shape}")
    del xt
    cur = np.clip(y, 0.0, 1.0, out=y)
    part = replace(restore, alpha=None)
    for op, mode, strength in fitted:
        y = op(cur)
        if strength == 1.0:
            cur = np.clip(y, 0.0, 1.0, out=y)
        else:
            cur = _blend_float(cur, y, _uniform(cur.shape[:2], strength, mode), mode, part)[0]
        del y
    return cur


class _HistogramStats:
    """Histogram matching's statistics of its input, gathered tile by tile.

    The same counts as :func:`chroma.transfers.histogram._match` takes over the
    whole image: the exact bucket counts of 4096, then 131072 buckets over
    [0, 1] (usable when no bucket mixes two values), else the binned counts;
    all integers, summed across tiles. The map is the one ``_match`` applies.
    """

    def __init__(self, step, n_pixels: int):
        from chroma.transfers import histogram as H

        self.step = step
        self.n_pixels = n_pixels
        self.mode = H._resolve_mode(step.mode, np.float32, n_pixels)
        self.n_bins = int(step.n_bins)
        # bucket sizes still possible: n_levels -> [counts, values] (dropped when mixed)
        self.levels = ({n: [None, None] for n in (4096, H._N_BUCKETS)}
                       if self.mode == "levels" else {})
        self.counts = None
        self.n_bad = 0
        #: the whole image would take the sort-free levels or the binned path (not the sort)
        self.streamable = self.mode in ("levels", "binned")

    @staticmethod
    def accepts(step) -> bool:
        from chroma.transfers.histogram import HistogramMatcher

        if type(step) is not HistogramMatcher:
            return False
        try:
            step._check_params()
        except (TypeError, ValueError):
            return False
        return (step._fast() and getattr(step, "quantiles_", None) is not None
                and step.n_channels_ in (1, 3))

    def _quantiles(self):
        q = self.step.quantiles_
        return q * 3 if self.step.n_channels_ == 1 else q

    def add(self, cur: np.ndarray) -> None:
        from chroma.transfers import _histogram_kernels as K
        from chroma.transfers import histogram as H

        x2d = cur.reshape(-1, 3)
        empty = np.zeros(0, dtype=bool)
        lo = np.zeros(3)
        for n_levels in list(self.levels):
            counts, values, pure = K.level_counts(
                x2d, empty, lo, H._bin_geometry(lo, np.ones(3), n_levels), n_levels)
            acc = self.levels[n_levels]
            if pure and acc[0] is not None:
                both = (acc[0] > 0) & (counts > 0)
                pure = bool(np.all(acc[1][both] == values[both]))
                if pure:
                    values = np.where(acc[0] > 0, acc[1], values)
                    counts = acc[0] + counts
            if pure:
                self.levels[n_levels] = [counts, values]
            else:  # a mixed bucket here is mixed in the whole image
                del self.levels[n_levels]
        # the binned counts, in every tile: a bucket size pure so far may mix in a later one
        counts_float = H._kernels(self.n_pixels, "auto")[3]
        scale = H._bin_geometry(lo, np.ones(3), self.n_bins)
        counts, n_bad = counts_float(x2d, empty, lo, scale, self.n_bins)
        self.counts = counts if self.counts is None else self.counts + counts
        self.n_bad += int(n_bad)

    def operator(self):
        """The per-tile map ``cur -> matched`` (float32, clipped to [0, 1])."""
        from chroma.transfers import _histogram_kernels as K
        from chroma.transfers import histogram as H

        s = self.step._strength()
        quantiles = self._quantiles()
        lo = np.zeros(3)
        if self.levels:  # the first bucket size that stayed pure, as _levels picks it
            n_levels = next(iter(self.levels))
            counts, values = self.levels[n_levels]
            scale = H._bin_geometry(lo, np.ones(3), n_levels)
            t_lo, t_hi = H._levels_tables(counts, quantiles, 3)

            def op(cur):
                x2d = cur.reshape(-1, 3)
                out = np.empty_like(x2d)
                K.map_levels(x2d, lo, scale, values, t_lo, t_hi, out, s, True)
                return out.reshape(cur.shape)

            return op
        if self.n_bad:
            raise H._not_finite("image")
        map_float = H._kernels(self.n_pixels, "auto")[4]
        scale = H._bin_geometry(lo, np.ones(3), self.n_bins)
        table = H._binned_table(lo, scale, self.counts, quantiles, s, self.n_bins)

        def op(cur):
            x2d = cur.reshape(-1, 3)
            out = np.empty_like(x2d)
            map_float(x2d, lo, scale, table, out, True)
            return out.reshape(cur.shape)

        return op
