"""Tile operators for the transfers whose fast image path lives in their own module.

:meth:`chroma.transfers._base.ColorTransfer._tile_operator` sends a method that
overrides ``_transform_image`` here. Each operator measures the whole image
once, with the same kernels as the untiled path (so the numbers are the
same), and returns the per-tile map; a method or configuration without one
gets None and runs untiled.

* Reinhard in CIELAB (the default) or lαβ: the image's moments come from one
  pass over the caller's pixels (no float copy); each tile is converted to Lab
  and mapped back to sRGB in the caller's dtype. Without tiles the Lab copy of
  the whole image (3 float32 per pixel) was the peak.
* The affine fast path (MKL, Reinhard in RGB): the map ``x @ m + b`` comes
  from the whole image's moments; tiles go through the same fused kernel.
"""

from __future__ import annotations

import numpy as np

from chroma._core.parallel import NUMBA_MIN_PIXELS
from chroma.transfers._base import AffineTransfer, _select

__all__ = ["special_operator"]


def special_operator(step, arr: np.ndarray, sel: np.ndarray | None):
    """The tile operator of `step` on the checked `arr`, or None (run untiled)."""
    from chroma.transfers.reinhard import ReinhardTransfer

    if isinstance(step, ReinhardTransfer):
        if step.space in ("lab", "lalphabeta"):
            return _reinhard_lab(step, arr, sel)
        return _affine(step, arr, sel)
    if isinstance(step, AffineTransfer) and (
            type(step)._transform_image is AffineTransfer._transform_image):
        return _affine(step, arr, sel)
    return None


def _float_tile(tile: np.ndarray) -> np.ndarray:
    return tile.astype(np.float32) if tile.dtype == np.float16 else tile


def _reinhard_lab(step, arr, sel):
    """Reinhard in CIELAB or lαβ (the fused kernels of :mod:`chroma.transfers.reinhard`)."""
    from chroma.transfers.reinhard import (
        _gains,
        _lab_affine_to_srgb,
        _lab_moments,
    )

    view = step._rgb_view(arr) if step._fast_ok() else None
    if view is None:
        return None
    space = step.space

    def moments(x, scale, lab=None):
        return _lab_moments(x, scale, lab, space)

    x2d, scale, levels = view
    if sel is None:
        mean, std = moments(x2d, scale)
    else:  # the region's pixels, in fixed blocks: no copy of the whole region
        mean, std = _region_lab_moments(arr, x2d, sel, scale, moments)
    gain = _gains(std, step.std_)
    s = step._strength()
    offset = s * (step.mean_ - mean * gain)
    gain = (1.0 - s) + s * gain
    channels = x2d.shape[1]
    out_scale, rint = float(levels or 1.0), levels is not None

    def op(tile):
        t2d = _float_tile(tile).reshape(-1, channels)
        lab = np.empty((t2d.shape[0], 3), dtype=np.float32)
        moments(t2d, scale, lab)
        out = np.empty(t2d.shape, dtype=t2d.dtype)
        alpha = t2d[:, 3] if channels == 4 else np.zeros(0, dtype=t2d.dtype)
        _lab_affine_to_srgb(lab, gain, offset, alpha, out, out_scale, rint, space)
        return out.reshape((*tile.shape[:2], channels))

    return op


def _region_lab_moments(arr, x2d, sel, scale, lab_moments):
    """CIELAB mean and std of the region's pixels, gathered over fixed row blocks.

    Each block's moments come from the fused kernel; blocks are merged with
    Chan et al.'s pairwise update (stable, and the same for every tile size).
    """
    from chroma._core.tiles import stat_blocks

    width = arr.shape[1]
    n, mean, m2 = 0, np.zeros(3), np.zeros(3)
    for rows in stat_blocks(arr.shape[0], width):
        a, b = rows.start * width, rows.stop * width
        picked = np.ascontiguousarray(x2d[a:b][sel[a:b]])
        k = picked.shape[0]
        if not k:
            continue
        mb, sb = lab_moments(picked, scale)
        total = n + k
        delta = mb - mean
        mean = mean + delta * (k / total)
        m2 = m2 + sb**2 * k + delta**2 * (n * k / total)
        n = total
    return mean, np.sqrt(m2 / max(n, 1))


def _affine(step, arr, sel):
    view = step._rgb_view(arr) if step._fast_ok() else None
    if view is None:
        return None
    x2d, scale, levels = view
    m, b = step._fast_affine(_select(x2d, sel), scale)
    s = step._strength()
    if s < 1.0:
        m = (1.0 - s) * np.eye(3) + s * m
        b = s * b
    m = np.ascontiguousarray(m, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    out_scale = float(levels) if levels else 1.0
    channels = x2d.shape[1]
    from chroma.transfers import _linear_kernels as K

    fn = K.affine if x2d.shape[0] >= NUMBA_MIN_PIXELS else K.np_affine

    def op(tile):
        t2d = _float_tile(tile).reshape(-1, channels)
        out = np.empty(t2d.shape, dtype=t2d.dtype)
        fn(t2d, m, b, scale, out, out_scale, 0.0, out_scale, levels is not None)
        return out.reshape((*tile.shape[:2], channels))

    return op
