"""The base class shared by every global color transfer.

:class:`ColorTransfer` does what is the same for all methods: the door (one
validation of each image, dtype, alpha and channel axis through
:func:`chroma._core.validate.check_image` and a ``Restore``), the working color
space (``space=``), the statistics region (``reference_mask=`` in ``fit``,
``region=`` in ``transform``), ``strength``, ``keep_luminance`` and export as a
3-D LUT (:meth:`ColorTransfer.to_lut`). It never applies a mask: that is
:func:`chroma.compositing.blend`'s job (see :func:`chroma.transfer`).

Subclass contract
-----------------
A method subclasses :class:`ColorTransfer` and

* stores its parameters in ``__init__`` (no validation there); the base reads
  ``space``, ``strength`` (default 1) and ``keep_luminance`` (default False)
  when the subclass has them; extra checks go in ``_check_params``;
* sets the class attributes ``_spaces`` (allowed working spaces),
  ``_fitted_attr`` (a learned attribute) and, if the mapping depends on the
  statistics of the image being transformed (Reinhard, MKL, histogram
  matching), ``_uses_image_stats = True``;
* implements ``_fit_pixels(ref)``: ``ref`` is a float32 ``(K, 3)`` array of
  reference pixels (only the ``reference_mask`` region) in the working space;
* implements ``_transform_pixels(pixels, stats)``: float32 ``(N, 3)`` pixels in
  the working space (private to the call: may be changed in place) and the
  pixels whose statistics describe the image (the region; often the same
  object). Returns the mapped ``(N, 3)`` float32 pixels.

Fast kernels are chosen *inside*: a subclass may override the internal hooks
``_fit_image(arr, sel)`` and ``_transform_image(arr, sel)``, which get the
caller's array already checked (channels last, its own dtype, alpha included)
and the region as a flat bool selection (or None), and return the result in
the caller's dtype, channels last. The public ``fit`` and ``transform`` are
never overridden.
"""

from __future__ import annotations

import numpy as np

from chroma._core.base import ColorStep
from chroma._core.parallel import NUMBA_MIN_PIXELS as _NUMBA_MIN_PIXELS
from chroma._core.validate import (
    _INT_MAX,
    check_fitted,
    check_image,
    check_region,
    check_scalar,
    check_strength,
    working_copy,
)
from chroma.spaces import SPACES, convert_pixels

__all__ = ["ColorTransfer"]



def _select(flat: np.ndarray, sel: np.ndarray | None) -> np.ndarray:
    """The rows of ``flat`` in the region (all of them without one)."""
    return flat if sel is None else flat[sel]




def _affine_pixels(pixels: np.ndarray, m: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``pixels @ m + b`` on float32 ``(N, 3)`` pixels, in place, float64 arithmetic."""
    m = np.ascontiguousarray(m, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    if pixels.shape[0] >= _NUMBA_MIN_PIXELS:
        from chroma.transfers import _linear_kernels as K

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
    from chroma.transfers import _linear_kernels as K

    alpha = restore.alpha
    c = 3 if alpha is None else 4
    result = np.empty((*out.shape[:2], c), dtype=restore.dtype)
    a = np.zeros(0, dtype=restore.dtype) if alpha is None else alpha.reshape(-1)
    K.to_uint(np.ascontiguousarray(out).reshape(-1, 3), a, result.reshape(-1, c), levels)
    if restore.channel_axis not in (None, -1, 2):
        result = np.moveaxis(result, -1, restore.channel_axis)
    return result


class ColorTransfer(ColorStep):
    """Base class of the global color transfers (see the module docstring).

    Not used directly; subclasses implement ``_fit_pixels`` and
    ``_transform_pixels``.

    Examples
    --------
    A transfer that moves each channel's mean to the reference's:

    >>> class MeanShift(ColorTransfer):
    ...     _fitted_attr = "mean_"
    ...     _uses_image_stats = True
    ...
    ...     def __init__(self, *, space="rgb", strength=1.0):
    ...         self.space = space
    ...         self.strength = strength
    ...
    ...     def _fit_pixels(self, ref):
    ...         self.mean_ = ref.mean(axis=0)
    ...
    ...     def _transform_pixels(self, pixels, stats):
    ...         return pixels + (self.mean_ - stats.mean(axis=0))
    >>> img, ref = np.full((4, 4, 3), 0.25), np.full((2, 2, 3), 0.75)
    >>> out = MeanShift().fit(ref).transform(img)
    >>> out.dtype, round(float(out.mean()), 6)
    (dtype('float64'), 0.75)
    >>> round(float(MeanShift(strength=0.5).fit(ref).transform(img).mean()), 6)
    0.5
    >>> MeanShift(space="hsv").fit(ref)
    Traceback (most recent call last):
    ...
    ValueError: space='hsv' is not supported by MeanShift; choose from [...].
    """

    _spaces: tuple[str, ...] = SPACES
    _fitted_attr: str = "n_features_in_"
    _uses_image_stats: bool = False
    _default_space: str = "rgb"

    @property
    def uses_image_statistics(self) -> bool:
        """Whether the mapping depends on the transformed image's statistics.

        True for histogram matching, Reinhard, MKL, palette, IDT and sliced OT:
        their LUT (:meth:`to_lut`) is the mapping for one given image.
        """
        return self._uses_image_stats

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

    def _keep_luminance(self) -> bool:
        return check_scalar(getattr(self, "keep_luminance", False), "keep_luminance", bool)

    def _check_params(self) -> None:
        """Validate the parameters (at each fit and transform; subclasses extend it)."""
        self._space()
        self._strength()
        self._keep_luminance()

    # --- the door ----------------------------------------------------------------------
    def fit(self, reference, /, *, reference_mask=None, channel_axis: int = -1):
        """Learn the reference's colors.

        Parameters
        ----------
        reference : ndarray
            RGB(A) or gray image; uint8, uint16 or float in [0, 1].
        reference_mask : ndarray of shape (M, N), optional
            Which pixels of `reference` count (where it is >= 0.5; see
            :func:`chroma._core.validate.check_region`). Default: all.
        channel_axis : int, optional
            Channel axis of `reference`.

        Returns
        -------
        self
        """
        self._check_params()
        arr = check_image(reference, name="reference", channel_axis=channel_axis)
        sel = check_region(reference_mask, arr.shape, name="reference_mask")
        self._fit_image(arr, sel)
        return self

    def fit_transform(self, image, reference=None, *, region=None, reference_mask=None,
                      channel_axis: int = -1):
        """``fit(reference).transform(image)``; without a reference, `image` is both."""
        reference = image if reference is None else reference
        self.fit(reference, reference_mask=reference_mask, channel_axis=channel_axis)
        return self.transform(image, region=region, channel_axis=channel_axis)

    def to_lut(self, size: int = 33, image=None, *, region=None, channel_axis: int = -1):
        """Sample the fitted mapping on a ``size`` × ``size`` × ``size`` RGB grid.

        Parameters
        ----------
        size : int, optional
            Grid points per axis (2 to 256; 33 is the usual ``.cube`` size).
        image : ndarray, optional
            For methods whose mapping depends on the transformed image's
            statistics (histogram, Reinhard, MKL) the LUT is the mapping for
            this image; required for them.
        region : ndarray, optional
            Region of `image` for its statistics.
        channel_axis : int, optional
            Channel axis of `image`.

        Returns
        -------
        lut : ndarray of float32, shape (size, size, size, 3)
            ``lut[r, g, b]`` is the output RGB for the input
            ``(r, g, b) / (size - 1)``; apply with :func:`chroma.apply_lut`.
            Entries are *not* clipped: out-of-gamut values (outside [0, 1])
            are kept so that interpolation stays smooth, and the result is
            clipped after interpolation, as the direct transform clips.
        """
        check_fitted(self, self._fitted_attr)
        self._check_params()
        size = check_scalar(size, "size", (int, np.integer), low=2, high=256)
        from chroma.transfers.lut import identity_lut

        grid = identity_lut(int(size)).reshape(-1, 3)
        if self._uses_image_stats:
            if image is None:
                raise ValueError(
                    f"{type(self).__name__}'s mapping depends on the image's statistics; "
                    "pass image= (the image whose mapping the LUT should hold)."
                )
            arr = check_image(image, name="image", channel_axis=channel_axis)
            sel = check_region(region, arr.shape, name="region")
            x, _ = working_copy(arr, channels=(3,), gray_to_rgb=True)
            stats = _select(x.reshape(-1, 3), sel)
        else:
            stats = grid
        out = self._transform_rgb(grid.copy(), stats)
        return out.reshape(size, size, size, 3).astype(np.float32, copy=False)

    # --- internal hooks: checked arrays in, the caller's dtype out (channels last) -------
    def _fit_image(self, arr: np.ndarray, sel: np.ndarray | None) -> None:
        """Fit from a checked reference (channels last, its dtype) and its region."""
        x, _ = working_copy(arr, name="reference", channels=(3,), gray_to_rgb=True)
        ref = _select(x.reshape(-1, 3), sel)
        space = self._space()
        ref = convert_pixels(ref, "rgb", space) if space != "rgb" else np.array(ref)
        self.n_features_in_ = 3
        self._fit_pixels(ref)

    def _transform_image(self, arr: np.ndarray, sel: np.ndarray | None) -> np.ndarray:
        """The effect on a checked image (channels last, its dtype); same dtype back."""
        x, restore = working_copy(arr, channels=(3,), gray_to_rgb=True)
        flat = x.reshape(-1, 3)
        out = self._transform_rgb(flat, _select(flat, sel)).reshape(x.shape)
        return _restore(out, restore)

    def _tile_operator(self, arr: np.ndarray, sel: np.ndarray | None):
        """Row tiles at the door (see :mod:`chroma._core.base`), where the method allows.

        The generic path (a subclass that keeps :meth:`_transform_image`)
        tiles when the method needs no image statistics or gathers them in
        blocks (:meth:`_block_stats`); methods with their own fast image path
        are tiled by :mod:`chroma.transfers._tiled` where that exists.
        """
        if type(self)._transform_image is not ColorTransfer._transform_image:
            from chroma.transfers._tiled import special_operator

            return special_operator(self, arr, sel)
        return self._generic_tile_operator(arr, sel)

    def _generic_tile_operator(self, arr: np.ndarray, sel: np.ndarray | None):
        """Tiles of :meth:`_transform_rgb`, with the statistics of :meth:`_block_stats`."""
        stats = self._block_stats(arr, sel) if self._uses_image_stats else None
        if self._uses_image_stats and stats is None:
            return None

        def op(tile):
            x, restore = working_copy(tile, channels=(3,), gray_to_rgb=True)
            flat = x.reshape(-1, 3)
            out = self._transform_rgb(flat, flat if stats is None else stats)
            return _restore(out.reshape(x.shape), restore)

        return op

    def _block_stats(self, arr: np.ndarray, sel: np.ndarray | None):
        """The image statistics gathered over :func:`chroma._core.tiles.stat_blocks`, or None.

        None (the default) means the method needs all the image's pixels at
        once; a subclass returns an object its ``_transform_pixels`` accepts
        in place of the statistics pixels.
        """
        return None

    def _fit_pixels(self, ref: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _transform_pixels(self, pixels: np.ndarray, stats: np.ndarray) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover - abstract

    def _transform_rgb(self, rgb: np.ndarray, stats_rgb: np.ndarray) -> np.ndarray:
        """Map float32 ``(N, 3)`` sRGB pixels; returns float32 ``(N, 3)`` sRGB.

        Unclipped, except with ``keep_luminance``: then the result is the
        mapped color's a*b* at the input's CIELAB L*, brought into sRGB by the
        one gamut map (:func:`chroma.spaces.gamut.lab_to_srgb_keep_lightness`),
        so L* is kept to float rounding whatever the transfer did to chroma.
        """
        space = self._space()
        same = stats_rgb is rgb
        gathered = not isinstance(stats_rgb, np.ndarray)  # from _block_stats: as it is
        if space == "rgb":
            pixels = rgb.copy()
            stats = pixels if same else stats_rgb
        else:
            pixels = convert_pixels(rgb, "rgb", space)
            stats = pixels if same else (
                stats_rgb if gathered else convert_pixels(stats_rgb, "rgb", space))
        s = self._strength()
        original = pixels.copy() if s < 1.0 else None
        out = self._transform_pixels(pixels, stats)
        if original is not None:
            out *= np.float32(s)
            out += np.float32(1.0 - s) * original
        if self._keep_luminance():
            from chroma.spaces.gamut import lab_to_srgb_keep_lightness

            lab = out if space == "lab" else convert_pixels(out, space, "lab", clip=False)
            lab = np.ascontiguousarray(lab, dtype=np.float32)
            lab[:, 0] = convert_pixels(rgb, "rgb", "lab")[:, 0]
            return lab_to_srgb_keep_lightness(lab)
        if space == "rgb":
            return out
        return convert_pixels(out, space, "rgb", clip=False)


class ChainTransfer(ColorTransfer):
    """An iterative distribution transfer (IDT, sliced OT): a chain of 1-D maps.

    Subclasses have ``max_pixels`` and ``sample_seed_`` and implement
    ``_learn_chain(sample) -> dict``: the maps learned from a float32
    ``(K, 3)`` sample of the image's pixels (in the working space), drawn by
    :func:`chroma.transfers._maps.sample_rows`. Applying the chain is the same
    for all, and per pixel: the door applies it in row tiles, with the chain
    learned first from the sample alone (:meth:`_block_stats`), so no float
    copy of the whole image is made and the result is the untiled one, bit
    for bit.
    """

    def _learn_chain(self, sample: np.ndarray) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def _sample_size(self) -> int:
        from chroma.transfers._maps import check_int

        return check_int(self.max_pixels, "max_pixels", 1)

    def _chain(self, stats: np.ndarray) -> dict:
        """The chain for an image whose statistics pixels (working space) are `stats`."""
        from chroma.transfers._maps import sample_rows

        rng = np.random.default_rng(self.sample_seed_)
        return self._learn_chain(sample_rows(stats, self._sample_size(), rng))

    def _block_stats(self, arr: np.ndarray, sel: np.ndarray | None) -> dict | None:
        """The chain learned from the sample :meth:`_chain` would draw, read from `arr` itself.

        Only the sampled pixels are converted to float and to the working
        space, with the kernel (Numba or NumPy) that converting all the
        statistics pixels would take, so the chain is the untiled one.
        """
        from chroma.transfers._maps import sample_index

        n = arr.shape[0] * arr.shape[1]
        rows = arr.reshape(n, -1)
        region = None if sel is None else np.flatnonzero(sel)
        n_stats = n if region is None else len(region)
        if n_stats == 0:
            return None  # the untiled path says what is wrong
        rng = np.random.default_rng(self.sample_seed_)
        idx = sample_index(n_stats, self._sample_size(), rng)
        if region is not None:
            idx = region if idx is None else region[idx]
        picked = rows if idx is None else rows[idx]
        x, _ = working_copy(picked.reshape(len(picked), 1, rows.shape[1]), channels=(3,),
                            gray_to_rgb=True)
        sample = x.reshape(-1, 3)
        space = self._space()
        if space != "rgb":
            backend = "numba" if n_stats >= _NUMBA_MIN_PIXELS else "numpy"
            sample = convert_pixels(sample, "rgb", space, backend=backend)
        return self._learn_chain(np.ascontiguousarray(sample, dtype=np.float32))

    def _tile_operator(self, arr: np.ndarray, sel: np.ndarray | None):
        if getattr(self, "regrain", False):
            return None  # regrain solves over the whole image
        return self._generic_tile_operator(arr, sel)

    def _transform_pixels(self, pixels: np.ndarray, stats) -> np.ndarray:
        from chroma.transfers import _ot_kernels as K

        chain = stats if isinstance(stats, dict) else self._chain(stats)
        pixels = np.ascontiguousarray(pixels, dtype=np.float32)
        return K.apply_chain(pixels, chain, out=pixels)  # in place: the base gave us a copy


class AffineTransfer(ColorTransfer):
    """A transfer whose map is affine in RGB (MKL, Reinhard in RGB): one fused pass.

    Subclasses implement ``_fast_ok()``, ``_fit_fast(x2d, scale)`` (learn from
    the caller's pixels times `scale`) and ``_fast_affine(x2d, scale) -> (m, b)``
    (the map ``out = x @ m + b`` for an image with these pixels).
    """

    def _fast_ok(self) -> bool:  # pragma: no cover - overridden
        return False

    def _fit_fast(self, x2d: np.ndarray, scale: float) -> None:  # pragma: no cover
        raise NotImplementedError

    def _fast_affine(self, x2d: np.ndarray, scale: float):  # pragma: no cover
        raise NotImplementedError

    @staticmethod
    def _rgb_view(arr: np.ndarray):
        """``(x2d, scale, levels)`` for an RGB(A) array, else None (gray goes the slow way)."""
        if arr.ndim != 3 or arr.shape[-1] not in (3, 4):
            return None
        if arr.dtype == np.float16:
            arr = arr.astype(np.float32)
        levels = _INT_MAX.get(arr.dtype)
        return arr.reshape(-1, arr.shape[-1]), (1.0 / levels if levels else 1.0), levels

    def _fit_image(self, arr, sel):
        view = self._rgb_view(arr) if self._fast_ok() else None
        if view is None:
            return super()._fit_image(arr, sel)
        x2d, scale, _ = view
        self.n_features_in_ = 3
        self._fit_fast(_select(x2d, sel), scale)

    def _transform_image(self, arr, sel):
        view = self._rgb_view(arr) if self._fast_ok() else None
        if view is None:
            return super()._transform_image(arr, sel)
        x2d, scale, levels = view
        m, b = self._fast_affine(_select(x2d, sel), scale)
        s = self._strength()
        if s < 1.0:
            m = (1.0 - s) * np.eye(3) + s * m
            b = s * b
        out = np.empty(x2d.shape, dtype=x2d.dtype)
        out_scale = float(levels) if levels else 1.0
        m = np.ascontiguousarray(m, dtype=np.float64)
        b = np.ascontiguousarray(b, dtype=np.float64)
        from chroma.transfers import _linear_kernels as K

        fn = K.affine if x2d.shape[0] >= _NUMBA_MIN_PIXELS else K.np_affine
        fn(x2d, m, b, scale, out, out_scale, 0.0, out_scale, levels is not None)
        return out.reshape((*arr.shape[:2], x2d.shape[1]))
