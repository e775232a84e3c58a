"""Validation at the door: one place for every public function.

Conventions
-----------
* Images are NumPy arrays, channels last by default (``channel_axis=-1``);
  shapes ``(M, N)`` (gray), ``(M, N, 1)``, ``(M, N, 3)`` (RGB) or ``(M, N, 4)``
  (RGB + alpha), or ``(M, N, 2)`` (gray + alpha).
* The range follows the dtype: uint8 in [0, 255], uint16 in [0, 65535],
  float in [0, 1]. Inside chroma everything works on a float32 copy in
  [0, 1]; :func:`to_float` makes it and returns a :class:`Restore` that puts a
  result back into the caller's dtype, channel axis and alpha.
* Masks are float32 ``(M, N)`` in [0, 1] once checked (bool is accepted).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

__all__ = [
    "NotFittedError",
    "Restore",
    "check_fitted",
    "check_image",
    "check_mask",
    "check_random_state",
    "check_region",
    "check_scalar",
    "check_strength",
    "env_int",
    "region_of",
    "to_channel_axis",
    "to_float",
    "working_copy",
]

_INT_MAX = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}
_FLOAT_KINDS = (np.float16, np.float32, np.float64)


class NotFittedError(ValueError, AttributeError):
    """Raised when an estimator is used before ``fit``.

    It subclasses ``ValueError`` and ``AttributeError`` like scikit-learn's,
    so code that catches either keeps working.
    """


def check_image(
    image,
    *,
    name: str = "image",
    channel_axis: int | None = -1,
    channels: tuple[int, ...] | None = None,
    allow_nan: bool = False,
) -> np.ndarray:
    """Check an image and return it channels-last (a view, never a copy).

    Parameters
    ----------
    image : array_like
        uint8, uint16 or float (16, 32 or 64 bit) array.
    name : str
        Name of the argument, used in error messages.
    channel_axis : int or None
        Axis of the channels; ``None`` means a 2-D gray image.
    channels : tuple of int, optional
        Allowed channel counts after moving the channel axis last (a 2-D
        image counts as 1). Defaults to (1, 2, 3, 4).
    allow_nan : bool
        Whether NaN and infinity are accepted in float input.

    Returns
    -------
    image : ndarray
        Shape ``(M, N)`` or ``(M, N, C)``.

    Examples
    --------
    >>> check_image(np.zeros((3, 4, 2, 5)), name="x")
    Traceback (most recent call last):
    ...
    ValueError: `x` must be a 2-D gray or 3-D channels-last image, got shape (3, 4, 2, 5).
    >>> check_image(np.zeros((3, 2, 2)), channel_axis=0).shape
    (2, 2, 3)
    """
    if not isinstance(image, np.ndarray):
        if isinstance(image, (str, bytes)) or (not hasattr(image, "__array__") and not isinstance(
            image, (list, tuple)
        )):
            raise TypeError(
                f"`{name}` must be a NumPy array, got {type(image).__name__}. "
                "Read files with chroma.read_image(path)."
            )
        image = np.asarray(image)
    dtype = image.dtype
    if dtype == np.bool_ or not (dtype in _INT_MAX or dtype.type in _FLOAT_KINDS):
        raise TypeError(
            f"`{name}` must be uint8, uint16 or float (16/32/64-bit), got dtype {dtype}. "
            "Convert it first, e.g. image.astype(np.float32) / 255."
        )
    if channel_axis is None:
        if image.ndim != 2:
            raise ValueError(
                f"`{name}` must be 2-D when channel_axis=None, got shape {image.shape}."
            )
    else:
        if image.ndim == 2:
            pass  # gray without a channel axis is always welcome
        elif image.ndim == 3:
            if not -3 <= channel_axis <= 2:
                raise ValueError(
                    f"channel_axis={channel_axis} is out of range for `{name}` of shape "
                    f"{image.shape}."
                )
            if channel_axis not in (-1, 2):
                image = np.moveaxis(image, channel_axis, -1)
        else:
            raise ValueError(
                f"`{name}` must be a 2-D gray or 3-D channels-last image, got shape "
                f"{image.shape}."
            )
    n_channels = 1 if image.ndim == 2 else image.shape[-1]
    allowed = channels if channels is not None else (1, 2, 3, 4)
    if n_channels not in allowed:
        hint = " For a 2-D gray image pass channel_axis=None." if image.ndim == 3 else ""
        raise ValueError(
            f"`{name}` must have {' or '.join(map(str, allowed))} channels along "
            f"channel_axis={channel_axis}, got shape {image.shape}.{hint}"
        )
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"`{name}` is empty: shape {image.shape}.")
    if dtype.kind == "f" and not allow_nan:
        _check_float_range(image, name)  # also refuses NaN and infinities
    return image


#: how far outside [0, 1] a float image may stray (rounding of a computation) before it
#: is taken for data on another scale
FLOAT_RANGE_SLACK = 0.01


def all_finite(a: np.ndarray) -> bool:
    """Whether every value of float array `a` is finite: one pass, no temporary.

    A finite sum proves it (NaN and infinities propagate); only a sum that is not
    finite (a NaN, an infinity, or an overflow of huge values) is checked value by value.

    Examples
    --------
    >>> all_finite(np.array([0.0, 1.0])), all_finite(np.array([0.0, np.nan]))
    (True, False)
    >>> all_finite(np.full(4, 3e38, np.float32))  # the sum overflows; the values are finite
    True
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.add.reduce(a, axis=None)):
            return True
    return bool(np.isfinite(a).all())


def _check_float_range(image: np.ndarray, name: str) -> None:
    """Float images hold finite values in [0, 1]; the classic slip (uint8 data as float, no
    / 255) is refused. NaN propagates through min and max, infinities show in them: the
    two passes the range needs check finiteness too."""
    lo, hi = float(image.min()), float(image.max())
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(
            f"`{name}` contains NaN or infinite values; replace them first "
            "(e.g. np.nan_to_num)."
        )
    if lo < -FLOAT_RANGE_SLACK or hi > 1.0 + FLOAT_RANGE_SLACK:
        hint = (" It looks like 0..255 data: divide by 255 (or pass the uint8 array)."
                if hi > 1.5 else "")
        raise ValueError(
            f"`{name}` is a float image with values in [{lo:.4g}, {hi:.4g}]; float images must "
            f"lie in [0, 1].{hint} For example: image.astype(np.float32) / 255."
        )


@dataclass(frozen=True)
class Restore:
    """How to turn a float32 working array back into the caller's image.

    Attributes
    ----------
    dtype : numpy.dtype
        Output dtype (the input's; float16 comes back as float32).
    channel_axis : int or None
        The caller's channel axis.
    gray2d : bool
        Whether the input was a 2-D array without a channel axis.
    alpha : ndarray or None
        The input's alpha channel, in its own dtype, to re-attach.
    clip : bool
        Whether float output is clipped to [0, 1] (integer output always is).
    """

    dtype: np.dtype
    channel_axis: int | None
    gray2d: bool
    alpha: np.ndarray | None
    clip: bool = True

    def __call__(self, out: np.ndarray) -> np.ndarray:
        """Convert ``out`` (float, ``(M, N)`` or ``(M, N, C)``, range [0, 1])."""
        out = np.asarray(out)
        if out.ndim == 3 and out.shape[-1] == 1 and self.gray2d and self.alpha is None:
            out = out[..., 0]
        out = from_float(out, self.dtype, clip=self.clip)
        if self.alpha is not None:
            if out.ndim == 2:
                out = out[..., None]
            out = np.concatenate([out, self.alpha[..., None]], axis=-1)
        if out.ndim == 3 and self.channel_axis not in (None, -1, 2):
            out = np.moveaxis(out, -1, self.channel_axis)
        return out


def from_float(x: np.ndarray, dtype: np.dtype, *, clip: bool = True) -> np.ndarray:
    """Convert a float array in [0, 1] to ``dtype``, rounding integers to nearest.

    Examples
    --------
    >>> from_float(np.array([0.0, 0.5, 1.2]), np.dtype(np.uint8))
    array([  0, 128, 255], dtype=uint8)
    """
    dtype = np.dtype(dtype)
    if dtype in _INT_MAX:
        scale = _INT_MAX[dtype]
        y = np.multiply(x, scale, dtype=np.float32)
        np.clip(y, 0, scale, out=y)
        np.rint(y, out=y)
        return y.astype(dtype)
    if dtype == np.float16:
        dtype = np.dtype(np.float32)
    y = x.astype(dtype, copy=x.dtype != dtype)
    if clip:
        np.clip(y, 0, 1, out=y)
    return y


def to_float(
    image,
    *,
    name: str = "image",
    channel_axis: int | None = -1,
    channels: tuple[int, ...] | None = None,
    gray_to_rgb: bool = False,
    clip: bool = True,
) -> tuple[np.ndarray, Restore]:
    """Validate ``image`` and return a float32 working copy plus a :class:`Restore`.

    The alpha channel (the 2nd of 2 or the 4th of 4 channels) is split off and
    kept in the :class:`Restore`, so work never touches it.

    Parameters
    ----------
    image : array_like
        The caller's image.
    name : str
        Argument name for errors.
    channel_axis : int or None
        See :func:`check_image`.
    channels : tuple of int, optional
        Allowed color channel counts *after* alpha is split off (e.g. ``(3,)``
        for functions that need RGB). Default: 1 or 3.
    gray_to_rgb : bool
        Repeat a gray image to 3 channels (the output is then RGB).
    clip : bool
        Whether :class:`Restore` clips float output to [0, 1].

    Returns
    -------
    x : ndarray of float32, shape (M, N, C)
        A fresh copy in [0, 1] (C = 1 or 3); writing to it never touches ``image``.
    restore : Restore
        ``restore(x)`` gives the caller's dtype, channel axis and alpha back.

    Examples
    --------
    >>> img = np.array([[[255, 0, 0, 128]]], dtype=np.uint8)
    >>> x, restore = to_float(img)
    >>> x
    array([[[1., 0., 0.]]], dtype=float32)
    >>> restore(x * 0.5)
    array([[[128,   0,   0, 128]]], dtype=uint8)
    """
    arr = check_image(image, name=name, channel_axis=channel_axis)
    x, restore = working_copy(arr, name=name, channels=channels, gray_to_rgb=gray_to_rgb,
                              clip=clip, shape=np.shape(image))
    if channel_axis not in (None, -1, 2):
        from dataclasses import replace

        restore = replace(restore, channel_axis=channel_axis)
    return x, restore


def to_channel_axis(out: np.ndarray, channel_axis: int | None) -> np.ndarray:
    """Move a channels-last result's channels to `channel_axis` (the door's way back out).

    Examples
    --------
    >>> to_channel_axis(np.zeros((4, 5, 3)), 0).shape
    (3, 4, 5)
    """
    if out.ndim == 3 and channel_axis not in (None, -1, 2):
        return np.moveaxis(out, -1, channel_axis)
    return out


def working_copy(
    arr: np.ndarray,
    *,
    name: str = "image",
    channels: tuple[int, ...] | None = None,
    gray_to_rgb: bool = False,
    clip: bool = True,
    shape: tuple[int, ...] | None = None,
) -> tuple[np.ndarray, Restore]:
    """The float32 working copy of an array :func:`check_image` already accepted.

    Like :func:`to_float` without the checks (they were made at the door); the
    :class:`Restore` returns channels last.
    """
    gray2d = arr.ndim == 2
    if gray2d:
        arr = arr[..., None]
    n = arr.shape[-1]
    alpha = None
    if n in (2, 4):
        alpha = arr[..., -1].copy()
        arr = arr[..., :-1]
    allowed = channels if channels is not None else (1, 3)
    c = arr.shape[-1]
    if gray_to_rgb and c == 1:
        c = 3
    if c not in allowed:
        raise ValueError(
            f"`{name}` must have {' or '.join(map(str, allowed))} color channels "
            f"(plus an optional alpha), got shape {shape if shape is not None else arr.shape}."
        )
    dtype = arr.dtype
    if dtype in _INT_MAX:
        x = arr.astype(np.float32)
        x *= np.float32(1.0 / _INT_MAX[dtype])
    else:
        x = np.array(arr, dtype=np.float32, copy=True)
    if gray_to_rgb and x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    x = np.ascontiguousarray(x)
    restore = Restore(dtype=dtype, channel_axis=-1, gray2d=gray2d, alpha=alpha, clip=clip)
    return x, restore


def check_mask(mask, shape: tuple[int, ...], *, name: str = "mask") -> np.ndarray:
    """Check a mask against an image shape; return float32 ``(M, N)`` in [0, 1].

    Parameters
    ----------
    mask : array_like
        bool, or float/uint in [0, 1] (uint8 / uint16 are scaled by their max),
        of shape ``(M, N)`` or ``(M, N, 1)``.
    shape : tuple
        The image's shape; only its first two entries (channels-last) are used.
    name : str
        Argument name for errors.

    Examples
    --------
    >>> check_mask(np.array([[True, False]]), (1, 2, 3))
    array([[1., 0.]], dtype=float32)
    >>> check_mask(np.ones((2, 2)), (1, 2))
    Traceback (most recent call last):
    ...
    ValueError: `mask` must have the image's height and width (1, 2), got shape (2, 2).
    """
    if not isinstance(mask, np.ndarray):
        if isinstance(mask, (str, bytes)):
            raise TypeError(
                f"`{name}` must be an array; to load a mask file use "
                "chroma.masks.from_file(path)."
            )
        mask = np.asarray(mask)
    if mask.ndim == 3 and mask.shape[-1] == 1:
        mask = mask[..., 0]
    hw = tuple(shape[:2])
    if mask.ndim != 2 or mask.shape != hw:
        raise ValueError(
            f"`{name}` must have the image's height and width {hw}, got shape {mask.shape}."
        )
    if mask.dtype == np.bool_:
        return mask.astype(np.float32)
    if mask.dtype in _INT_MAX:
        return mask.astype(np.float32) / np.float32(_INT_MAX[mask.dtype])
    if mask.dtype.kind not in "fiu":
        raise TypeError(f"`{name}` must be bool or numeric, got dtype {mask.dtype}.")
    m = mask.astype(np.float32)
    if not np.isfinite(m).all():
        raise ValueError(f"`{name}` contains NaN or infinite values.")
    lo, hi = float(m.min()), float(m.max())
    if lo < 0 or hi > 1:
        raise ValueError(f"`{name}` values must lie in [0, 1], got range [{lo:g}, {hi:g}].")
    return m


def check_scalar(
    x,
    name: str,
    kind: type | tuple[type, ...] = numbers.Real,
    *,
    low: float | None = None,
    high: float | None = None,
    include_low: bool = True,
    include_high: bool = True,
):
    """Check a scalar option: its type, then its range (after scikit-learn's).

    Parameters
    ----------
    x : object
        The value.
    name : str
        The parameter's name, for the message.
    kind : type or tuple of types, optional
        Accepted types: ``numbers.Real``, ``numbers.Integral``, ``bool``, ``str``...
        ``bool`` is refused where a number is expected.
    low, high : float, optional
        Bounds; ``None`` for none.
    include_low, include_high : bool, optional
        Whether the bounds are allowed values.

    Returns
    -------
    x : object
        The value, as a Python ``int``/``float``/``bool`` for numbers.

    Raises
    ------
    TypeError
        `x` has the wrong type.
    ValueError
        `x` is outside the range (or NaN).

    Examples
    --------
    >>> check_scalar(3, "n_colors", numbers.Integral, low=1)
    3
    >>> check_scalar(0, "n_colors", numbers.Integral, low=1)
    Traceback (most recent call last):
    ...
    ValueError: `n_colors` must be >= 1, got 0.
    >>> check_scalar("2", "n_colors", numbers.Integral, low=1)
    Traceback (most recent call last):
    ...
    TypeError: `n_colors` must be an int, got str ('2').
    """
    kinds = kind if isinstance(kind, tuple) else (kind,)
    numeric = any(k in (numbers.Real, numbers.Integral, int, float) for k in kinds)
    if (isinstance(x, bool) and bool not in kinds) or not isinstance(x, kinds):
        names = {numbers.Real: "a number", numbers.Integral: "an int", int: "an int",
                 float: "a number", bool: "a bool", str: "a str"}
        expected = " or ".join(names.get(k, k.__name__) for k in kinds)
        raise TypeError(f"`{name}` must be {expected}, got {type(x).__name__} ({x!r}).")
    if isinstance(x, bool):
        return bool(x)
    if not numeric or isinstance(x, str):
        return x
    value = int(x) if isinstance(x, numbers.Integral) else float(x)
    if value != value:
        raise ValueError(f"`{name}` must be a number, got NaN.")
    if low is not None and (value < low or (value == low and not include_low)):
        op = ">=" if include_low else ">"
        if high is None:
            raise ValueError(f"`{name}` must be {op} {low:g}, got {x!r}.")
        raise ValueError(f"`{name}` must be in {'[' if include_low else '('}{low:g}, "
                         f"{high:g}{']' if include_high else ')'}, got {x!r}.")
    if high is not None and (value > high or (value == high and not include_high)):
        op = "<=" if include_high else "<"
        if low is None:
            raise ValueError(f"`{name}` must be {op} {high:g}, got {x!r}.")
        raise ValueError(f"`{name}` must be in {'[' if include_low else '('}{low:g}, "
                         f"{high:g}{']' if include_high else ')'}, got {x!r}.")
    return value


def check_region(region, shape: tuple[int, ...], *, name: str = "region") -> np.ndarray | None:
    """The pixels statistics come from: a flat bool selection, or None for all.

    A `region` is a mask (bool or [0, 1]) read as a set: the pixels where it is
    ``>= 0.5``; if none are, those where it is ``> 0``. This is the one rule by
    which a soft ``mask=`` also chooses the region of image statistics.

    Examples
    --------
    >>> check_region(np.array([[0.2, 0.7]]), (1, 2)).tolist()
    [False, True]
    >>> check_region(np.array([[0.2, 0.0]]), (1, 2)).tolist()
    [True, False]
    >>> check_region(np.zeros((1, 2)), (1, 2))
    Traceback (most recent call last):
    ...
    ValueError: `region` is 0 everywhere: statistics need a non-empty region.
    """
    if region is None:
        return None
    return region_of(check_mask(region, shape, name=name), name=name)


def region_of(mask: np.ndarray, *, name: str = "region") -> np.ndarray:
    """:func:`check_region` for a mask that :func:`check_mask` already accepted."""
    m = mask.reshape(-1)
    sel = m >= 0.5
    if not sel.any():
        sel = m > 0
        if not sel.any():
            raise ValueError(f"`{name}` is 0 everywhere: statistics need a non-empty region.")
    return sel


def check_strength(strength, *, name: str = "strength") -> float:
    """Check a blend strength in [0, 1].

    Examples
    --------
    >>> check_strength(1.5)
    Traceback (most recent call last):
    ...
    ValueError: `strength` must be a number in [0, 1], got 1.5.
    """
    if isinstance(strength, bool) or not isinstance(strength, numbers.Real):
        raise TypeError(f"`{name}` must be a number in [0, 1], got {type(strength).__name__}.")
    s = float(strength)
    if not 0.0 <= s <= 1.0:  # NaN fails too
        raise ValueError(f"`{name}` must be a number in [0, 1], got {strength!r}.")
    return s


def check_random_state(seed) -> np.random.Generator:
    """Turn ``None``, an int or a Generator into a ``numpy.random.Generator``.

    Examples
    --------
    >>> int(check_random_state(0).integers(10)) == int(check_random_state(0).integers(10))
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (numbers.Integral, np.integer)):
        return np.random.default_rng(seed)
    if isinstance(seed, np.random.RandomState):
        return np.random.default_rng(seed.randint(0, 2**31 - 1))
    raise TypeError(
        f"`random_state` must be None, an int or a numpy Generator, got {type(seed).__name__}."
    )


def check_fitted(estimator, attribute: str) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has ``attribute``."""
    if not hasattr(estimator, attribute):
        raise NotFittedError(
            f"{type(estimator).__name__} is not fitted; call fit(reference) first."
        )


def env_int(name: str) -> int | None:
    """The whole number in environment variable `name`, or None when it is unset or blank.

    The one reader of chroma's numeric settings (``CHROMA_MAX_PIXELS``,
    ``CHROMA_TILE_PIXELS``, ``CHROMA_NUM_THREADS``); each caller checks the range.
    Underscores are allowed (``179_000_000``).

    Examples
    --------
    >>> import os
    >>> os.environ["CHROMA_EXAMPLE"] = "1_000"
    >>> env_int("CHROMA_EXAMPLE"), env_int("CHROMA_UNSET_EXAMPLE")
    (1000, None)
    >>> os.environ["CHROMA_EXAMPLE"] = "lots"
    >>> env_int("CHROMA_EXAMPLE")
    Traceback (most recent call last):
    ...
    ValueError: environment variable CHROMA_EXAMPLE must be a whole number, got 'lots'
    >>> del os.environ["CHROMA_EXAMPLE"]
    """
    import os

    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        return int(text.replace("_", ""))
    except ValueError:
        raise ValueError(
            f"environment variable {name} must be a whole number, got {text!r}"
        ) from None
