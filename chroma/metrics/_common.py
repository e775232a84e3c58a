"""Helpers shared by the metric modules (private): reading images and Lab arrays."""

from __future__ import annotations

import numpy as np

from chroma._core.validate import to_float


def _lab_pair(lab1, lab2, channel_axis: int) -> tuple[np.ndarray, np.ndarray]:
    arrays = []
    for name, lab in (("lab1", lab1), ("lab2", lab2)):
        x = np.asarray(lab)
        if x.dtype.kind not in "fiu" or x.dtype == np.bool_:
            raise TypeError(
                f"`{name}` must be a float array of CIELAB values, got dtype {x.dtype}."
            )
        if x.ndim < 1 or not -x.ndim <= channel_axis < x.ndim or x.shape[channel_axis] != 3:
            raise ValueError(
                f"`{name}` must have 3 channels (L*, a*, b*) along channel_axis={channel_axis}, "
                f"got shape {x.shape}."
            )
        dtype = np.float32 if x.dtype == np.float32 else np.float64
        if x.dtype.kind == "f" and not np.isfinite(x).all():
            raise ValueError(f"`{name}` contains NaN or infinite values.")
        arrays.append(np.moveaxis(x, channel_axis, -1).astype(dtype, copy=False))
    try:
        a, b = np.broadcast_arrays(*arrays)
    except ValueError:
        raise ValueError(
            f"`lab1` and `lab2` must have broadcastable shapes, got {np.shape(lab1)} and "
            f"{np.shape(lab2)}."
        ) from None
    return a, b


def _rgb(image, name: str) -> np.ndarray:
    """Float32 RGB in [0, 1], shape (M, N, 3) (gray is repeated, alpha dropped)."""
    x, _ = to_float(image, name=name, channels=(3,), gray_to_rgb=True)
    return x


def _lab(image, name: str) -> np.ndarray:
    """CIELAB float32 (M, N, 3) of an RGB image."""
    from chroma.spaces import convert_pixels

    return convert_pixels(_rgb(image, name), "rgb", "lab")


def _same_shape(a: np.ndarray, b: np.ndarray, names: tuple[str, str]) -> None:
    if a.shape[:2] != b.shape[:2]:
        raise ValueError(
            f"`{names[0]}` and `{names[1]}` must have the same height and width, got "
            f"{a.shape[:2]} and {b.shape[:2]}."
        )


def _pixels(x: np.ndarray, max_pixels: int | None, rng: np.random.Generator) -> np.ndarray:
    flat = x.reshape(-1, x.shape[-1])
    if max_pixels is not None and len(flat) > max_pixels:
        flat = flat[rng.choice(len(flat), max_pixels, replace=False)]
    return flat.astype(np.float64)


def _space_pixels(image, name, space, max_pixels, rng) -> np.ndarray:
    if space == "rgb":
        x = _lab(image, name)
    elif space == "lab":
        x = np.asarray(image, dtype=np.float64)
        if x.ndim < 2 or x.shape[-1] != 3:
            raise ValueError(f"`{name}` must be a Lab array of shape (..., 3), got {x.shape}.")
    else:
        raise ValueError(f"space={space!r} is not supported; choose from ['lab', 'rgb'].")
    return _pixels(x, max_pixels, rng)
