"""Tile operators for the transfers whose fast image path lives in their own module.

:meth:`chroma.transfers._base.ColorTransfer._tile_operator` sends a method that
overrides ``_transform_image`` here. Each operator measures the whole image
once, in the fixed pixel blocks of :mod:`chroma.transfers._blocks` (the
numbers of the untiled path), and returns the per-tile map; a method or
configuration without one gets None and runs untiled.

* Reinhard in CIELAB (the default) or lαβ: the image's moments come from one
  pass over the caller's pixels (no float copy; a region is counted inside
  each block, no copy of it either); each tile is converted to Lab and mapped
  back to sRGB in the caller's dtype. Without tiles the Lab copy of the whole
  image (3 float32 per pixel) was the peak.
* The affine fast path (MKL, Reinhard in RGB): the map ``x @ m + b`` comes
  from the whole image's moments; tiles go through the same fused kernel.

:func:`streamed_operator` builds the same operators from statistics fed in
pieces (a streamed recipe, :mod:`chroma.pipeline._stream`): the float32
working copy of the image is then never whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from chroma._core.parallel import NUMBA_MIN_PIXELS
from chroma.transfers._base import AffineTransfer, _select

__all__ = ["special_operator", "streamed_operator", "working_chunks"]


def _kind(step) -> str | None:
    """"lab" (Reinhard's fused CIELAB / lαβ path), "affine" (the fused affine map) or None."""
    from chroma.transfers.reinhard import ReinhardTransfer

    if isinstance(step, ReinhardTransfer):
        return "lab" if step.space in ("lab", "lalphabeta") else "affine"
    if isinstance(step, AffineTransfer) and (
            type(step)._transform_image is AffineTransfer._transform_image):
        return "affine"
    return None


def special_operator(step, arr: np.ndarray, sel: np.ndarray | None):
    """The tile operator of `step` on the checked `arr`, or None (run untiled)."""
    kind = _kind(step)
    view = step._rgb_view(arr) if kind is not None and step._fast_ok() else None
    if view is None:
        return None
    x2d, scale, levels = view
    if kind == "lab":
        from chroma.transfers.reinhard import _lab_moments

        mean, std = _lab_moments(x2d, scale, None, step.space, sel)
        return _lab_operator(step, mean, std, scale, levels, x2d.shape[1])
    m, b = step._fast_affine(_select(x2d, sel), scale)
    return _affine_operator(step, m, b, scale, levels, x2d.shape[1], x2d.shape[0])


def working_chunks(arr: np.ndarray, group: int) -> Callable[[], Iterable[np.ndarray]]:
    """The flat float32 working copy of the RGB(A) `arr`, `group` pixels at a time.

    `group` is a whole number of :data:`chroma.transfers._blocks.BLOCK` pixels;
    each piece is :func:`~chroma._core.validate.working_copy` of the rows that
    hold it (elementwise, so the same values as the whole copy), alpha dropped.
    """
    from chroma._core.validate import working_copy

    h, w = arr.shape[:2]
    n = h * w

    def chunks():
        for a in range(0, n, group):
            b = min(n, a + group)
            r0, r1 = a // w, -(-b // w)
            x = working_copy(arr[r0:r1])[0].reshape(-1, 3)
            yield x[a - r0 * w:b - r0 * w]
            del x

    return chunks


def streamed_operator(step, n_pixels: int, chunks: Callable[[], Iterable[np.ndarray]],
                      sel: np.ndarray | None = None) -> Callable | None:
    """``special_operator(step, x, sel)`` for the float32 working copy ``x`` of an RGB image.

    Parameters
    ----------
    step : fitted step
    n_pixels : int
        Pixels of the image.
    chunks : callable
        Yields ``x``'s flat float32 ``(k, 3)`` pixels in consecutive pieces,
        each a whole number of :data:`chroma.transfers._blocks.BLOCK` pixels
        but the last: the blocks, hence the statistics, are those of ``x``.
    sel : ndarray of bool (n_pixels,), optional
        The statistics region (Reinhard in CIELAB or lαβ only: it is counted
        inside each block, as over the whole copy; the affine moments of a
        region are taken over its gathered pixels, so they get None).

    Returns
    -------
    op : callable or None
        The same operator, bit for bit; None when `step` has none here (then
        it needs the whole working copy).
    """
    from chroma.transfers._blocks import combine, lab_partials, mean_std, rgb_partials

    kind = _kind(step)
    if kind is None or not step._fast_ok() or (
            kind == "affine" and (sel is not None or not hasattr(step, "_affine_moments"))):
        return None
    kernel = n_pixels >= NUMBA_MIN_PIXELS  # the whole image's choice, as in memory
    if kind == "lab":
        parts, start = [], 0
        for c in chunks():
            part = None if sel is None else sel[start:start + c.shape[0]]
            parts.append(lab_partials(c, part, 1.0, None, step.space, kernel=kernel))
            start += c.shape[0]
        mean, std = mean_std(parts)
        return _lab_operator(step, mean, std, 1.0, None, 3)
    m, b = step._affine_moments(*combine(
        [rgb_partials(c, None, 1.0, kernel=kernel) for c in chunks()]))
    return _affine_operator(step, m, b, 1.0, None, 3, n_pixels)


def _float_tile(tile: np.ndarray) -> np.ndarray:
    return tile.astype(np.float32) if tile.dtype == np.float16 else tile


def _lab_operator(step, mean, std, scale, levels, channels):
    """Reinhard in CIELAB or lαβ for an image of these moments (the fused kernels)."""
    from chroma.transfers._blocks import lab_partials
    from chroma.transfers.reinhard import _gains, _lab_affine_to_srgb

    space = step.space
    gain = _gains(std, step.std_)
    s = step._strength()
    offset = s * (step.mean_ - mean * gain)
    gain = (1.0 - s) + s * gain
    out_scale, rint = float(levels or 1.0), levels is not None

    def op(tile):
        t2d = _float_tile(tile).reshape(-1, channels)
        lab = np.empty((t2d.shape[0], 3), dtype=np.float32)
        lab_partials(t2d, None, scale, lab, space)  # the conversion (its sums unused)
        out = np.empty(t2d.shape, dtype=t2d.dtype)
        alpha = t2d[:, 3] if channels == 4 else np.zeros(0, dtype=t2d.dtype)
        _lab_affine_to_srgb(lab, gain, offset, alpha, out, out_scale, rint, space)
        return out.reshape((*tile.shape[:2], channels))

    return op


def _affine_operator(step, m, b, scale, levels, channels, n_pixels):
    """The affine map ``x @ m + b`` (at the step's strength) through the fused kernel."""
    s = step._strength()
    if s < 1.0:
        m = (1.0 - s) * np.eye(3) + s * m
        b = s * b
    m = np.ascontiguousarray(m, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    out_scale = float(levels) if levels else 1.0
    from chroma.transfers import _linear_kernels as K

    fn = K.affine if n_pixels >= NUMBA_MIN_PIXELS else K.np_affine

    def op(tile):
        t2d = _float_tile(tile).reshape(-1, channels)
        out = np.empty(t2d.shape, dtype=t2d.dtype)
        fn(t2d, m, b, scale, out, out_scale, 0.0, out_scale, levels is not None)
        return out.reshape((*tile.shape[:2], channels))

    return op
