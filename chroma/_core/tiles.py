"""Row tiles: how much of an image a per-pixel step holds in float32 at a time.

A per-pixel step (a fitted Reinhard, MKL, palette or tone operator, a LUT)
maps each pixel on its own, so the door applies it in bands of whole rows:
tile → float32 → operator → the caller's dtype, written into one output
array allocated once. Peak memory is then the output plus a few tile-sized
temporaries, whatever the image size.

* :func:`set_tile_pixels` / ``CHROMA_TILE_PIXELS``: pixels per tile
  (default :data:`DEFAULT_TILE_PIXELS`, 1 MP: measured in
  ``benchmarks/memory.py``, smaller tiles save little memory and cost
  dispatch time).
* :func:`row_tiles`: the row bands of an image, each at most a quarter of
  it (:func:`tile_pixels_for`). A band never has fewer
  pixels than :data:`chroma._core.parallel.NUMBA_MIN_PIXELS` when the image
  has more, so every tile takes the same kernel (compiled or NumPy twin) that
  the whole image would: results do not depend on the tile size, bit for bit.
* :func:`stat_blocks`: fixed row blocks for the image statistics that a
  method gathers before applying (moments, histograms). They do not depend
  on the tile setting, for the same reason.

Examples
--------
>>> old = set_tile_pixels(20_000)
>>> [(s.start, s.stop) for s in row_tiles(300, 200)]
[(0, 100), (100, 200), (200, 300)]
>>> _ = set_tile_pixels(old)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from chroma._core.parallel import NUMBA_MIN_PIXELS
from chroma._core.validate import env_int

__all__ = [
    "DEFAULT_TILE_PIXELS",
    "ENV_TILE_PIXELS",
    "STAT_BLOCK_PIXELS",
    "apply_tiles",
    "get_tile_pixels",
    "row_tiles",
    "set_tile_pixels",
    "stat_blocks",
    "tile_pixels_for",
]

DEFAULT_TILE_PIXELS = 1 << 20
ENV_TILE_PIXELS = "CHROMA_TILE_PIXELS"
STAT_BLOCK_PIXELS = 1 << 20
MIN_SHARE_PIXELS = 1 << 16
_tile_pixels: int | None = None


def _check_tile(n, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"`{name}` must be an int (pixels per tile), got {type(n).__name__}.")
    if n < 1:
        raise ValueError(f"`{name}` must be a positive number of pixels, got {n}.")
    return int(n)


def set_tile_pixels(n: int | None) -> int | None:
    """Set how many pixels a per-pixel step converts to float32 at a time.

    Parameters
    ----------
    n : int or None
        Pixels per row tile (at least 1; tiles are whole rows and never
        smaller than :data:`~chroma._core.parallel.NUMBA_MIN_PIXELS`);
        ``None`` goes back to ``CHROMA_TILE_PIXELS`` or, without it,
        :data:`DEFAULT_TILE_PIXELS`. Results do not depend on it.

    Returns
    -------
    previous : int or None
        The previous setting (pass it back to restore).

    Examples
    --------
    >>> old = set_tile_pixels(1 << 20)
    >>> get_tile_pixels()
    1048576
    >>> _ = set_tile_pixels(old)
    """
    global _tile_pixels
    if n is not None:
        n = _check_tile(n, "n")
    previous, _tile_pixels = _tile_pixels, n
    return previous


def get_tile_pixels() -> int:
    """The tile size in force: :func:`set_tile_pixels`, else ``CHROMA_TILE_PIXELS``, else default.

    Examples
    --------
    >>> get_tile_pixels() >= 1
    True
    """
    if _tile_pixels is not None:
        return _tile_pixels
    value = env_int(ENV_TILE_PIXELS)
    if value is None:
        return DEFAULT_TILE_PIXELS
    if value < 1:
        raise ValueError(f"{ENV_TILE_PIXELS}={value} must be a positive number of pixels.")
    return value


def _bands(height: int, width: int, pixels: int) -> list[slice]:
    if height <= 0:
        return [slice(0, height)]
    width = max(int(width), 1)
    pixels = max(int(pixels), NUMBA_MIN_PIXELS)
    rows = max(1, -(-pixels // width))
    cuts = list(range(0, height, rows))
    if len(cuts) > 1 and (height - cuts[-1]) * width < NUMBA_MIN_PIXELS:
        cuts.pop()  # a short last band joins the one before: same kernel as the whole image
    return [slice(a, b) for a, b in zip(cuts, [*cuts[1:], height])]


def tile_pixels_for(height: int, width: int) -> int:
    """The tile size for one image: the setting, but at most a quarter of the image.

    A quarter (never below :data:`MIN_SHARE_PIXELS`) keeps a tile's float
    temporaries near the size of the caller's own uint8 image, so a batch
    worker holding one 2 MP image stays within a few times its size.

    Examples
    --------
    >>> tile_pixels_for(4000, 3000) == min(get_tile_pixels(), 3_000_000)
    True
    """
    return min(get_tile_pixels(), max(MIN_SHARE_PIXELS, (height * width) // 4))


def row_tiles(height: int, width: int, tile_pixels: int | None = None) -> list[slice]:
    """Row bands of an ``height`` × ``width`` image, about `tile_pixels` each.

    Without `tile_pixels`, :func:`tile_pixels_for` the image.

    Examples
    --------
    >>> row_tiles(10, 10)
    [slice(0, 10, None)]
    """
    n = (tile_pixels_for(height, width) if tile_pixels is None
         else _check_tile(tile_pixels, "tile_pixels"))
    return _bands(height, width, n)


def stat_blocks(height: int, width: int) -> list[slice]:
    """Fixed row blocks (about :data:`STAT_BLOCK_PIXELS`) for gathering image statistics.

    Examples
    --------
    >>> len(stat_blocks(4000, 3000))
    12
    """
    return _bands(height, width, STAT_BLOCK_PIXELS)


def apply_tiles(arr: np.ndarray, fn: Callable[[np.ndarray], np.ndarray],
                tile_pixels: int | None = None) -> np.ndarray:
    """``fn`` applied to row tiles of `arr`, the results stacked into one array.

    `fn` maps an ``(h, W, ...)`` band to an ``(h, W, ...)`` result of the same
    shape and dtype for every band (a per-pixel operation); the output is
    allocated once, from the first band's result.

    Examples
    --------
    >>> x = np.arange(12.0).reshape(3, 4)
    >>> apply_tiles(x, lambda t: t * 2)[2]
    array([16., 18., 20., 22.])
    """
    tiles = row_tiles(arr.shape[0], arr.shape[1] if arr.ndim > 1 else 1, tile_pixels)
    if len(tiles) == 1:
        return fn(arr)
    out = None
    for rows in tiles:
        part = fn(arr[rows])
        if out is None:
            out = np.empty((arr.shape[0], *part.shape[1:]), dtype=part.dtype)
        out[rows] = part
        del part
    return out
