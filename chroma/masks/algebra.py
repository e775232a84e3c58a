"""Mask algebra: fuzzy NOT, OR, AND, AND NOT (pointwise 1 - m, max, min)."""

from __future__ import annotations

import numpy as np

from chroma.masks._common import _as_mask

__all__ = ["intersect", "invert", "subtract", "union"]


def invert(mask) -> np.ndarray:
    """``1 - mask``.

    Examples
    --------
    >>> invert(np.array([[0.0, 0.25, 1.0]]))
    array([[1.  , 0.75, 0.  ]], dtype=float32)
    """
    m = _as_mask(mask)
    np.subtract(np.float32(1.0), m, out=m)
    return m


def _combine(masks, fn, what: str) -> np.ndarray:
    if len(masks) == 1 and isinstance(masks[0], (list, tuple)):
        masks = tuple(masks[0])
    if not masks:
        raise ValueError(f"{what} needs at least one mask.")
    out = _as_mask(masks[0], name="masks[0]")
    for i, m in enumerate(masks[1:], 1):
        fn(out, _as_mask(m, name=f"masks[{i}]", shape=out.shape), out=out)
    return out


def union(*masks) -> np.ndarray:
    """Pointwise maximum of masks of one shape (fuzzy OR).

    Examples
    --------
    >>> union(np.array([[0.0, 0.7]]), np.array([[0.5, 0.2]]))
    array([[0.5, 0.7]], dtype=float32)
    """
    return _combine(masks, np.maximum, "union")


def intersect(*masks) -> np.ndarray:
    """Pointwise minimum of masks of one shape (fuzzy AND).

    Examples
    --------
    >>> intersect(np.array([[0.0, 0.7]]), np.array([[0.5, 0.2]]))
    array([[0. , 0.2]], dtype=float32)
    """
    return _combine(masks, np.minimum, "intersect")


def subtract(mask, other) -> np.ndarray:
    """``mask`` AND NOT ``other``: ``min(mask, 1 - other)``.

    Examples
    --------
    >>> subtract(np.array([[1.0, 1.0, 0.2]]), np.array([[0.0, 0.75, 0.0]]))
    array([[1.  , 0.25, 0.2 ]], dtype=float32)
    """
    a = _as_mask(mask)
    b = _as_mask(other, name="other", shape=a.shape)
    return np.minimum(a, 1.0 - b, out=a)
