"""Helpers shared by the mask modules (private): validation, smooth falloffs, Lab."""

from __future__ import annotations

import numbers

import numpy as np

from chroma._core.validate import check_mask, check_scalar, to_float


def _as_mask(mask, name: str = "mask", shape: tuple[int, ...] | None = None) -> np.ndarray:
    """Validate a mask (bool, uint or float in [0, 1]); return float32 (M, N)."""
    if shape is None:
        arr = mask if isinstance(mask, np.ndarray) else np.asarray(mask)
        if arr.ndim == 3 and arr.shape[-1] == 1:
            arr = arr[..., 0]
        if arr.ndim != 2:
            raise ValueError(f"`{name}` must be a 2-D (M, N) mask, got shape {arr.shape}.")
        shape = arr.shape
        mask = arr
    m = check_mask(mask, shape, name=name)
    if m is mask:  # check_mask may return the caller's float32 array: never hand it out
        m = m.copy()
    return m


def _shape2(shape, name: str = "shape") -> tuple[int, int]:
    """(M, N) from an image shape, an image, or a 2-tuple."""
    if isinstance(shape, np.ndarray):
        shape = shape.shape
    try:
        hw = tuple(int(s) for s in tuple(shape)[:2])
    except (TypeError, ValueError):
        raise TypeError(
            f"`{name}` must be an image shape (rows, cols[, channels]) or an array, "
            f"got {shape!r}."
        ) from None
    if len(hw) != 2 or hw[0] <= 0 or hw[1] <= 0:
        raise ValueError(f"`{name}` must give a positive (rows, cols), got {shape!r}.")
    return hw


def _check_nonneg(value, name: str) -> float:
    v = check_scalar(value, name, numbers.Real, low=0)
    if not np.isfinite(v):
        raise ValueError(f"`{name}` must be a finite number >= 0, got {value!r}.")
    return v


def _smoothstep(t: np.ndarray) -> np.ndarray:
    """3t² - 2t³ on t clipped to [0, 1] (in place on a float array it owns)."""
    np.clip(t, 0.0, 1.0, out=t)
    return t * t * (3.0 - 2.0 * t)


def _falloff(dist: np.ndarray, inner: float, falloff: float) -> np.ndarray:
    """1 where dist <= inner, smoothly 0 at dist >= inner + falloff (hard if falloff=0)."""
    if falloff <= 0:
        return (dist <= inner).astype(np.float32)
    t = (inner + falloff - dist) / falloff
    return _smoothstep(t.astype(np.float32, copy=False))


def _band(x: np.ndarray, low: float, high: float, falloff: float) -> np.ndarray:
    """1 on [low, high], smooth ramps of width `falloff` outside it."""
    centre, half = 0.5 * (low + high), 0.5 * (high - low)
    return _falloff(np.abs(x - centre), half, falloff)


def _lab(image, name: str = "image") -> np.ndarray:
    """float32 CIELAB (M, N, 3) of an image (gray is taken as neutral)."""
    from chroma.spaces import convert_pixels

    x, _ = to_float(image, name=name, gray_to_rgb=True)
    return convert_pixels(x, "rgb", "lab")


def _finish(mask: np.ndarray, feather_sigma) -> np.ndarray:
    mask = np.asarray(mask, dtype=np.float32)
    sigma = _check_nonneg(feather_sigma, "feather")
    if sigma > 0:
        from chroma.masks.refinement import feather

        mask = feather(mask, sigma)
    return np.ascontiguousarray(mask, dtype=np.float32)
