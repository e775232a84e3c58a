"""3-D lookup tables: build, apply (trilinear / tetrahedral), read and write ``.cube``."""

from __future__ import annotations

import numpy as np

__all__ = ["identity_lut"]


def identity_lut(size: int = 33) -> np.ndarray:
    """The identity LUT: ``lut[r, g, b] == (r, g, b) / (size - 1)``, float32 (size, size, size, 3).

    Examples
    --------
    >>> identity_lut(2)[1, 0, 1]
    array([1., 0., 1.], dtype=float32)
    """
    axis = np.linspace(0.0, 1.0, size, dtype=np.float32)
    r, g, b = np.meshgrid(axis, axis, axis, indexing="ij")
    return np.stack([r, g, b], axis=-1)
