"""The estimator base class shared by every global color transfer.

:class:`ColorTransfer` does everything that is the same for all methods:
validation, dtype and alpha (through :func:`chroma._validate.to_float` and its
``Restore``), the working color space (``space=``), region statistics
(``mask=`` / ``reference_mask``), ``strength``, ``keep_luminance``, hard and
soft output masks, and export as a 3-D LUT (:meth:`ColorTransfer.to_lut`).

Subclass contract
-----------------
A method subclasses :class:`ColorTransfer` and

* stores its parameters in ``__init__`` (scikit-learn style, no validation
  there). The base reads ``space``, ``strength`` (default 1) and
  ``keep_luminance`` (default False) when the subclass has them;
* sets the class attributes ``_spaces`` (allowed working spaces),
  ``_fitted_attr`` (a learned attribute set by ``_fit_pixels``) and, if the
  mapping depends on the statistics of the image being transformed (Reinhard,
  MKL, histogram matching), ``_uses_image_stats = True``;
* implements ``_fit_pixels(ref)``: ``ref`` is a float32 ``(K, 3)`` array of
  reference pixels (only the ``reference_mask`` region) in the working space;
  it stores what it learned in attributes ending in ``_``;
* implements ``_transform_pixels(pixels, stats)``: ``pixels`` is a float32
  ``(N, 3)`` array in the working space (write-able, private to the call: the
  method may work in place), ``stats`` the pixels whose statistics describe
  the image (the ``mask`` region; often the same object as ``pixels``). It
  returns the mapped ``(N, 3)`` float32 pixels in the working space.

A subclass that wants a fused fast path (conversion + statistics + mapping in
one Numba pass) may override ``_transform_rgb(rgb, stats_rgb)`` instead, which
gets and returns float32 ``(N, 3)`` sRGB pixels; it must then apply
``strength`` and ``keep_luminance`` itself (:meth:`ColorTransfer._finish` does
both).

Masks: statistics come from pixels where the mask is >= 0.5; the output is
``mask * transferred + (1 - mask) * image``, and pixels where the mask is 0
come back exactly as they were (same values, same dtype).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from .._validate import _INT_MAX, check_fitted, check_image, check_mask, check_strength, to_float
from ..spaces import SPACES, _convert_float

__all__ = ["ColorTransfer"]

# spaces whose first channel is a lightness (keep_luminance keeps it directly)
_LIGHTNESS_FIRST = ("lab", "lch", "lalphabeta", "ycbcr")


def _select(flat: np.ndarray, mask: np.ndarray | None, name: str) -> np.ndarray:
    """Pixels of ``flat`` where ``mask >= 0.5`` (all of them without a mask)."""
    if mask is None:
        return flat
    sel = mask.reshape(-1) >= 0.5
    if not sel.any():
        raise ValueError(
            f"`{name}` selects no pixels (no value >= 0.5); statistics need a non-empty region."
        )
    return flat[sel]


_NUMBA_MIN_PIXELS = 1 << 14


def _affine_pixels(pixels: np.ndarray, m: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``pixels @ m + b`` on float32 ``(N, 3)`` pixels, in place, float64 arithmetic."""
    m = np.ascontiguousarray(m, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    if pixels.shape[0] >= _NUMBA_MIN_PIXELS:
        from . import _linear_kernels as K

        K.affine(pixels, m, b, 1.0, pixels, 1.0, -np.inf, np.inf, False)
        return pixels
    pixels[...] = pixels.astype(np.float64) @ m + b
    return pixels


def _restore(out: np.ndarray, restore) -> np.ndarray:
    """``restore(out)`` for (M, N, 3) float32 ``out``; one Numba pass for large uint output."""
    levels = _INT_MAX.get(restore.dtype)
    n = out.shape[0] * out.shape[1]
    if levels is None or n < _NUMBA_MIN_PIXELS or out.ndim != 3 or out.shape[-1] != 3:
        return restore(out)
    from . import _linear_kernels as K

    alpha = restore.alpha
    c = 3 if alpha is None else 4
    result = np.empty((*out.shape[:2], c), dtype=restore.dtype)
    a = np.zeros(0, dtype=restore.dtype) if alpha is None else alpha.reshape(-1)
    K.to_uint(np.ascontiguousarray(out).reshape(-1, 3), a, result.reshape(-1, c), levels)
    if restore.channel_axis not in (None, -1, 2):
        result = np.moveaxis(result, -1, restore.channel_axis)
    return result


class ColorTransfer(BaseEstimator):
    """Base class of the global color transfers (see the module docstring).

    Not used directly; subclasses implement ``_fit_pixels`` and
    ``_transform_pixels``.
    """

    _spaces: tuple[str, ...] = SPACES
    _fitted_attr: str = "n_features_in_"
    _uses_image_stats: bool = False
    _default_space: str = "rgb"

    # --- parameters read by the base -------------------------------------------------
    def _space(self) -> str:
        space = getattr(self, "space", self._default_space)
        if space not in self._spaces:
            raise ValueError(
                f"space={space!r} is not supported by {type(self).__name__}; "
                f"choose from {list(self._spaces)}."
            )
        return space

    def _strength(self) -> float:
        return check_strength(getattr(self, "strength", 1.0))

    # --- public API ------------------------------------------------------------------
    def fit(self, reference, *, mask=None, channel_axis: int = -1):
        """Learn the reference's colors.

        Parameters
        ----------
        reference : ndarray
            RGB(A) or gray image; uint8, uint16 or float in [0, 1].
        mask : ndarray of shape (M, N), optional
            Region of `reference` whose statistics are learned (pixels where
            the mask is >= 0.5). Default: the whole image.
        channel_axis : int, optional
            Channel axis of `reference`.

        Returns
        -------
        self
        """
        space = self._space()
        self._strength()  # validate early
        if mask is None and self._fast_ok():
            arr = check_image(reference, name="reference", channel_axis=channel_axis)
            if arr.ndim == 3 and arr.shape[-1] in (3, 4):
                if arr.dtype == np.float16:
                    arr = arr.astype(np.float32)
                levels = _INT_MAX.get(arr.dtype)
                self.n_features_in_ = 3
                self._fit_fast(arr.reshape(-1, arr.shape[-1]), 1.0 / levels if levels else 1.0)
                return self
        x, _ = to_float(reference, name="reference", channel_axis=channel_axis,
                        channels=(3,), gray_to_rgb=True)
        m = None if mask is None else check_mask(mask, x.shape, name="reference_mask")
        ref = _select(x.reshape(-1, 3), m, "reference_mask")
        ref = _convert_float(ref, "rgb", space) if space != "rgb" else np.array(ref)
        self.n_features_in_ = 3
        self._fit_pixels(ref)
        return self

    def transform(self, image, *, mask=None, channel_axis: int = -1):
        """Give `image` the colors learned from the reference.

        Parameters
        ----------
        image : ndarray
            RGB(A) or gray image (gray comes back RGB); uint8, uint16 or float.
        mask : ndarray of shape (M, N), optional
            bool or float in [0, 1]. Statistics of `image` come from pixels
            where it is >= 0.5; the result is blended with `image` by the mask,
            and pixels where it is 0 are returned unchanged.
        channel_axis : int, optional
            Channel axis of `image` and of the result.

        Returns
        -------
        out : ndarray
            Same dtype and alpha as `image`.
        """
        check_fitted(self, self._fitted_attr)
        self._space()
        if mask is None and self._fast_ok():
            out = self._transform_fast(image, channel_axis)
            if out is not None:
                return out
        x, restore = to_float(image, name="image", channel_axis=channel_axis,
                              channels=(3,), gray_to_rgb=True)
        m = None if mask is None else check_mask(mask, x.shape, name="mask")
        flat = x.reshape(-1, 3)
        stats = _select(flat, m, "mask")
        out = self._transform_rgb(flat, stats).reshape(x.shape)
        return self._apply_mask(out, x, m, image, restore, channel_axis)

    def fit_transform(self, reference, image=None, *, mask=None, reference_mask=None,
                      channel_axis: int = -1):
        """``fit(reference).transform(image)``; with one image, transfer it onto itself."""
        self.fit(reference, mask=reference_mask, channel_axis=channel_axis)
        return self.transform(reference if image is None else image, mask=mask,
                              channel_axis=channel_axis)

    def to_lut(self, size: int = 33, image=None, *, mask=None, channel_axis: int = -1):
        """Sample the fitted mapping on a ``size``³ RGB grid.

        Parameters
        ----------
        size : int, optional
            Grid points per axis (2 to 256; 33 is the usual ``.cube`` size).
        image : ndarray, optional
            For methods whose mapping depends on the transformed image's
            statistics (histogram, Reinhard, MKL) the LUT is the mapping for
            this image; required for them.
        mask : ndarray, optional
            Region of `image` for its statistics.
        channel_axis : int, optional
            Channel axis of `image`.

        Returns
        -------
        lut : ndarray of float32, shape (size, size, size, 3)
            ``lut[r, g, b]`` is the output RGB for the input
            ``(r, g, b) / (size - 1)``; apply with :func:`chroma.transfer.apply_lut`.
            Entries are *not* clipped: out-of-gamut values (outside [0, 1])
            are kept so that interpolation stays smooth, and the result is
            clipped after interpolation, as the direct transform clips.
        """
        check_fitted(self, self._fitted_attr)
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not (
            2 <= size <= 256
        ):
            raise ValueError(f"`size` must be an int in [2, 256], got {size!r}.")
        from .lut import identity_lut

        grid = identity_lut(int(size)).reshape(-1, 3)
        if self._uses_image_stats:
            if image is None:
                raise ValueError(
                    f"{type(self).__name__}'s mapping depends on the image's statistics; "
                    "pass image= (the image whose mapping the LUT should hold)."
                )
            x, _ = to_float(image, name="image", channel_axis=channel_axis, channels=(3,),
                            gray_to_rgb=True)
            m = None if mask is None else check_mask(mask, x.shape, name="mask")
            stats = _select(x.reshape(-1, 3), m, "mask")
        else:
            stats = grid
        out = self._transform_rgb(grid.copy(), stats)
        return out.reshape(size, size, size, 3).astype(np.float32, copy=False)

    # --- the affine fast path (no float copy, no color conversion) ---------------------
    def _fast_ok(self) -> bool:
        """Whether :meth:`_fast_affine` may apply (subclasses with an affine RGB map)."""
        return False

    def _fit_fast(self, x2d: np.ndarray, scale: float) -> None:
        """Fit from the caller's RGB(A) pixels ``x2d`` (values ``* scale`` in [0, 1])."""
        raise NotImplementedError  # pragma: no cover - overridden

    def _fast_affine(self, x2d: np.ndarray, scale: float):
        """``(m, b)`` with ``out = (x * scale) @ m + b`` from the image's pixels ``x2d``."""
        return None  # pragma: no cover - overridden

    def _transform_fast(self, image, channel_axis: int):
        """Affine transfer straight from the caller's array to the output dtype (one pass for
        the statistics, one for the map); None when the image is not RGB(A)."""
        arr = check_image(image, name="image", channel_axis=channel_axis)
        if arr.ndim != 3 or arr.shape[-1] not in (3, 4):
            return None
        if arr.dtype == np.float16:
            arr = arr.astype(np.float32)
        levels = _INT_MAX.get(arr.dtype)
        scale = 1.0 / levels if levels else 1.0
        x2d = arr.reshape(-1, arr.shape[-1])
        m, b = self._fast_affine(x2d, scale)
        s = self._strength()
        if s < 1.0:
            m = (1.0 - s) * np.eye(3) + s * m
            b = s * b
        out = np.empty(x2d.shape, dtype=arr.dtype)
        out_scale = float(levels) if levels else 1.0
        m = np.ascontiguousarray(m, dtype=np.float64)
        b = np.ascontiguousarray(b, dtype=np.float64)
        from . import _linear_kernels as K

        fn = K.affine if x2d.shape[0] >= _NUMBA_MIN_PIXELS else K.np_affine
        fn(x2d, m, b, scale, out, out_scale, 0.0, out_scale, levels is not None)
        out = out.reshape(arr.shape)
        if channel_axis not in (-1, 2):
            out = np.moveaxis(out, -1, channel_axis)
        return out

    # --- hooks -----------------------------------------------------------------------
    def _fit_pixels(self, ref: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _transform_pixels(self, pixels: np.ndarray, stats: np.ndarray) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover - abstract

    def _transform_rgb(self, rgb: np.ndarray, stats_rgb: np.ndarray) -> np.ndarray:
        """Map float32 ``(N, 3)`` sRGB pixels; returns float32 ``(N, 3)`` sRGB (unclipped)."""
        space = self._space()
        same = stats_rgb is rgb
        if space == "rgb":
            pixels = rgb.copy()
            stats = pixels if same else stats_rgb
        else:
            pixels = _convert_float(rgb, "rgb", space)
            stats = pixels if same else _convert_float(stats_rgb, "rgb", space)
        original = pixels.copy() if (self._strength() < 1.0 or self._keep_luminance()) else None
        out = self._transform_pixels(pixels, stats)
        out = self._finish(out, original, space)
        if space == "rgb":
            return out
        return _convert_float(out, space, "rgb", clip=False)

    def _keep_luminance(self) -> bool:
        return bool(getattr(self, "keep_luminance", False))

    def _finish(self, out: np.ndarray, original: np.ndarray | None, space: str) -> np.ndarray:
        """Apply ``strength`` and ``keep_luminance`` to ``out`` (working space, in place)."""
        s = self._strength()
        if original is None:
            return out
        if s < 1.0:
            out *= np.float32(s)
            out += np.float32(1.0 - s) * original
        if self._keep_luminance():
            if space in _LIGHTNESS_FIRST:
                out[:, 0] = original[:, 0]
            else:  # swap CIELAB L* back in
                lab = _convert_float(_convert_float(out, space, "rgb", clip=False), "rgb", "lab")
                lab0 = _convert_float(_convert_float(original, space, "rgb", clip=False),
                                      "rgb", "lab")
                lab[:, 0] = lab0[:, 0]
                out = _convert_float(_convert_float(lab, "lab", "rgb", clip=False), "rgb", space)
        return out

    @staticmethod
    def _apply_mask(out, x, m, image, restore, channel_axis):
        """Blend ``out`` into ``x`` by mask ``m``; exact originals where the mask is 0."""
        if m is None:
            return _restore(out, restore)
        w = m[..., None]
        out -= x
        out *= w
        out += x
        result = _restore(out, restore)
        outside = m == 0
        if outside.any():
            original = np.asarray(image)
            if original.ndim == 3 and channel_axis not in (-1, 2):
                original = np.moveaxis(original, channel_axis, -1)
            res = result if result.ndim == 2 or channel_axis in (-1, 2) else np.moveaxis(
                result, channel_axis, -1)
            if original.shape == res.shape and original.dtype == res.dtype:
                res[outside] = original[outside]
        return result
