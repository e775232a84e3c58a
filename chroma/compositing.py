"""Blending two images through a mask, and partial colorization ("color splash").

:func:`blend` mixes a `layer` into a `base` where a mask says so, in one of
three ways:

``"chroma"``
    Keep the base's CIELAB lightness L* everywhere and take the layer's
    a*b* by the mask: recolor without touching light and shade (the
    partial-colorization mode). Out-of-gamut mixes are brought into sRGB by
    reducing chroma at constant L* and hue, never by clipping channels, so
    L* is exact (up to the output's quantization).
``"normal"`` (the default, everywhere a ``mask=`` is taken)
    Alpha blending in linear light (gamma-decoded sRGB), which keeps the
    brightness of a half-way mix right where an sRGB-space mix darkens it.
    Mixing light is linear, so a layer that keeps the base's luminance (a
    colorization, ``keep_luminance=True``) keeps it through a soft edge too.
``"pyramid"``
    Multi-band (Laplacian pyramid) blending, after Burt & Adelson [1]_: each
    frequency band is mixed with a mask blurred to its scale, so a large
    feather joins two images without ghosting or a visible seam.

:func:`splash` keeps the color inside a mask and turns the rest gray (or a
tone such as sepia) at unchanged lightness.

:func:`apply_step` is what every ``mask=`` in chroma means: the step's effect
on the whole image (its image statistics from the mask's region), blended in
by the mask. :func:`chroma.transfer`, :func:`chroma.colorize`,
:func:`chroma.recolor`, :func:`chroma.tone` and each :class:`chroma.Pipeline`
step run these same lines, so a one-step pipeline and the one-call function
give identical arrays. This module is the only code in chroma that applies a
mask.

The chroma blend and the splash run as one fused Numba kernel per pixel
(sRGB → Lab for the inputs, mix, Lab → sRGB) on images of 16 Ki pixels and
more, and in NumPy below that; both paths compute the same thing.

References
----------
.. [1] P. J. Burt, E. H. Adelson, "A Multiresolution Spline with Application
       to Image Mosaics", ACM Trans. Graphics 2(4), 1983.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from chroma._core.base import transform_checked
from chroma._core.parallel import use_numba
from chroma._core.validate import (
    check_image,
    check_mask,
    check_scalar,
    check_strength,
    to_channel_axis,
    to_float,
    working_copy,
)

__all__ = ["DEFAULT_MODE", "MODES", "TONES", "apply_step", "blend", "splash"]

MODES = ("normal", "chroma", "pyramid")
DEFAULT_MODE = "normal"
# a*b* of each named tone at L* = 50 (it fades to neutral toward black and white)
TONES = {
    "gray": (0.0, 0.0),
    "grey": (0.0, 0.0),
    "sepia": (9.3, 19.9),  # C* 22 at hue 65 degrees: warm brown
    "cyanotype": (-8.5, -23.4),  # C* 25 at hue 250 degrees: Prussian blue
}


# --- NumPy twins of the kernels (float64 inside, like the kernels) ------------------------
def _np_rgb_lab(x: np.ndarray) -> np.ndarray:
    from chroma.spaces import _NUMPY_STEPS

    return _NUMPY_STEPS["srgb_to_lab"](x.astype(np.float64))


def _np_lab_srgb_keep_l(lab: np.ndarray) -> np.ndarray:
    """The one gamut map's NumPy twin (:mod:`chroma.spaces.gamut`) on (N, 3) float64."""
    from chroma.spaces.gamut import _np_lab_to_srgb_keep_l

    return _np_lab_to_srgb_keep_l(lab)


def _np_chroma_blend(base: np.ndarray, layer: np.ndarray, mask: np.ndarray, strength: float
                     ) -> np.ndarray:
    """NumPy twin of ``_blend_kernels.chroma_blend``: (N, 3), (N, 3), (N,) -> (N, 3) float32."""
    m = mask.astype(np.float64) * strength
    out = base.astype(np.float32, copy=True)
    idx = np.flatnonzero(m > 0)
    if len(idx):
        lab0, lab1 = _np_rgb_lab(base[idx]), _np_rgb_lab(layer[idx])
        mm = m[idx, None]
        lab = np.concatenate([lab0[:, :1], lab0[:, 1:] + mm * (lab1[:, 1:] - lab0[:, 1:])], 1)
        out[idx] = _np_lab_srgb_keep_l(lab)
    return out


def _np_splash(image: np.ndarray, mask: np.ndarray, tone_a: float, tone_b: float,
               strength: float) -> np.ndarray:
    """NumPy twin of ``_blend_kernels.splash``."""
    m = mask.astype(np.float64)
    out = image.astype(np.float32, copy=True)
    idx = np.flatnonzero(m < 1)
    if len(idx):
        lab = _np_rgb_lab(image[idx])
        L, a, b = lab[:, 0], lab[:, 1], lab[:, 2]
        w = np.maximum(4.0e-4 * L * (100.0 - L), 0.0)
        bg_a = a + strength * (tone_a * w - a)
        bg_b = b + strength * (tone_b * w - b)
        mm = m[idx]
        lab = np.stack([L, bg_a + mm * (a - bg_a), bg_b + mm * (b - bg_b)], -1)
        out[idx] = _np_lab_srgb_keep_l(lab)
    return out


def _chroma_blend_flat(base, layer, mask, strength, backend="auto"):
    if use_numba(len(base), backend):
        from chroma import _compositing_kernels as K
        out = np.empty_like(base)
        K.chroma_blend(base, layer, mask, float(strength), out)
        return out
    return _np_chroma_blend(base, layer, mask, strength)


_INT_MAX = {np.dtype(np.uint8): 255, np.dtype(np.uint16): 65535}


def _fast_path(image, channel_axis: int, backend: str, *others, dtypes=None) -> bool:
    """RGB of one of `dtypes`, channels last, no alpha (and `others` alike): direct kernels."""
    dtypes = _INT_MAX if dtypes is None else dtypes
    a = image if isinstance(image, np.ndarray) else None
    if a is None or a.dtype not in dtypes or a.ndim != 3 or a.shape[-1] != 3:
        return False
    if channel_axis not in (-1, 2) or a.shape[0] == 0 or a.shape[1] == 0:
        return False
    if any(not isinstance(o, np.ndarray) or o.shape != a.shape or o.dtype != a.dtype
           for o in others):
        return False
    return use_numba(a.shape[0] * a.shape[1], backend)


_FLOAT32 = (np.dtype(np.float32),)


_LUTS: dict = {}


def _lut(maxval: int) -> np.ndarray:
    if maxval not in _LUTS:
        from chroma import _compositing_kernels as K
        _LUTS[maxval] = K.decode_lut(maxval)
    return _LUTS[maxval]


def _splash_flat(image, mask, tone_a, tone_b, strength, backend="auto"):
    if use_numba(len(image), backend):
        from chroma import _compositing_kernels as K
        out = np.empty_like(image)
        K.splash(image, mask, float(tone_a), float(tone_b), float(strength), out)
        return out
    return _np_splash(image, mask, tone_a, tone_b, strength)


# --- linear light and pyramids ------------------------------------------------------------
def _to_linear(x: np.ndarray) -> np.ndarray:
    from chroma.spaces import _np_srgb_to_linear, convert_pixels

    if x.shape[-1] == 3:
        return convert_pixels(x, "rgb", "linear")
    return _np_srgb_to_linear(x.astype(np.float64)).astype(np.float32)


def _from_linear(x: np.ndarray) -> np.ndarray:
    from chroma.spaces import _np_linear_to_srgb, convert_pixels

    x = np.clip(x, 0.0, 1.0)
    if x.shape[-1] == 3:
        return convert_pixels(x, "linear", "rgb")
    return _np_linear_to_srgb(x.astype(np.float64)).astype(np.float32)


def _down(x: np.ndarray) -> np.ndarray:
    from scipy.ndimage import gaussian_filter

    sigma = (1.0, 1.0, 0.0) if x.ndim == 3 else 1.0
    return gaussian_filter(x, sigma, mode="reflect")[::2, ::2]


def _up(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    from scipy.ndimage import zoom

    factors = [t / s for t, s in zip(shape[:2], x.shape[:2])] + [1.0] * (x.ndim - 2)
    out = zoom(x, factors, order=1, mode="nearest", grid_mode=True)
    return out[: shape[0], : shape[1]]


def _default_levels(h: int, w: int) -> int:
    n = 0
    while min(h, w) >> (n + 1) >= 8 and n < 8:
        n += 1
    return n


def _pyramid_blend(a: np.ndarray, b: np.ndarray, m: np.ndarray, levels: int) -> np.ndarray:
    """Laplacian-pyramid blend of float (M, N, C) arrays by mask (M, N)."""
    ga, gb, gm = [a], [b], [m[..., None]]
    for _ in range(levels):
        ga.append(_down(ga[-1]))
        gb.append(_down(gb[-1]))
        gm.append(_down(gm[-1]))
    out = ga[-1] + gm[-1] * (gb[-1] - ga[-1])
    for k in range(levels - 1, -1, -1):
        shape = ga[k].shape
        la = ga[k] - _up(ga[k + 1], shape)
        lb = gb[k] - _up(gb[k + 1], shape)
        out = _up(out, shape) + la + gm[k] * (lb - la)
    return out


# --- public ---------------------------------------------------------------------------------
def blend(
    base,
    layer,
    mask=None,
    *,
    mode: str = DEFAULT_MODE,
    strength: float = 1.0,
    levels: int | None = None,
    channel_axis: int = -1,
    backend: str = "auto",
) -> np.ndarray:
    """Blend `layer` into `base` where `mask` is on.

    Parameters
    ----------
    base : ndarray
        The image to change (gray or RGB, optional alpha; uint8, uint16 or
        float). The output has its dtype, shape and alpha.
    layer : ndarray
        Same height and width as `base`; any supported dtype. If it has an
        alpha channel, the alpha multiplies the mask.
    mask : ndarray of shape (M, N), optional
        bool or [0, 1] (uint8/uint16 scaled by their maximum); ``None`` means
        everywhere. NaN or a size other than the base's is an error.
    mode : {"normal", "chroma", "pyramid"}, optional
        See the module docstring; ``"normal"`` (linear light) is the default
        of every ``mask=`` in chroma. ``"chroma"`` gives an RGB result even
        for a gray `base` (the gray takes the layer's colors).
    strength : float in [0, 1], optional
        Multiplies the mask.
    levels : int, optional
        Pyramid depth for ``mode="pyramid"`` (default: halve until the short
        side is under 16 pixels, at most 8 times).
    channel_axis : int, optional
        Channel axis of `base`, `layer` and the output.
    backend : {"auto", "numba", "numpy"}, optional
        For ``mode="chroma"``: the fused Numba kernel (auto: 16 Ki pixels
        and up) or its NumPy twin.

    Returns
    -------
    out : ndarray
        Where the mask is 0, ``out`` equals `base` exactly; where it is 1 (and
        `layer` has `base`'s dtype), `layer`.

    Examples
    --------
    >>> base = np.full((2, 2, 3), 0.5, dtype=np.float32)          # mid gray
    >>> layer = np.zeros((2, 2, 3), dtype=np.float32); layer[..., 0] = 1  # red
    >>> out = blend(base, layer, np.array([[1, 0], [0, 0]], bool), mode="chroma")
    >>> out[0, 0].round(3), out[1, 1]                              # red, untouched
    (array([1.   , 0.024, 0.006], dtype=float32), array([0.5, 0.5, 0.5], dtype=float32))
    >>> from chroma.spaces import convert                          # at the base's L*
    >>> convert(out, "rgb", "lab")[:, :, 0].round(2)
    array([[53.39, 53.39],
           [53.39, 53.39]], dtype=float32)
    >>> blend(base, layer, mode="normal").round(2)[0, 0]
    array([1., 0., 0.], dtype=float32)
    """
    _check_mode(mode)
    strength = check_strength(strength)
    if mode == "chroma" and _fast_path(base, channel_axis, backend, layer, dtypes=_FLOAT32):
        from chroma import _compositing_kernels as K

        check_image(base, name="base")  # NaN and infinity
        check_image(layer, name="layer")
        m = (np.ones(base.shape[:2], np.float32) if mask is None
             else check_mask(mask, base.shape, name="mask"))
        out = np.empty_like(base)
        K.chroma_blend(np.ascontiguousarray(base).reshape(-1, 3),
                       np.ascontiguousarray(layer).reshape(-1, 3),
                       np.ascontiguousarray(m).reshape(-1), strength, out.reshape(-1, 3))
        return np.clip(out, 0.0, 1.0, out=out)
    if mode == "chroma" and _fast_path(base, channel_axis, backend, layer):
        from chroma import _compositing_kernels as K

        m = (np.ones(base.shape[:2], np.float32) if mask is None
             else check_mask(mask, base.shape, name="mask"))
        maxval = _INT_MAX[base.dtype]
        out = np.empty_like(base)
        K.chroma_blend_int(np.ascontiguousarray(base).reshape(-1, 3),
                           np.ascontiguousarray(layer).reshape(-1, 3),
                           np.ascontiguousarray(m).reshape(-1), strength, _lut(maxval),
                           float(maxval), out.reshape(-1, 3))
        return out
    arr = check_image(base, name="base", channel_axis=channel_axis)
    if mode != "pyramid":
        return to_channel_axis(_blend_in_tiles(arr, layer, mask, mode, strength, channel_axis,
                                               backend), channel_axis)
    x, restore = working_copy(arr, name="base")
    y, lrest = to_float(layer, name="layer", channel_axis=channel_axis)
    if y.shape[:2] != x.shape[:2]:
        raise ValueError(
            f"`layer` must have the height and width of `base` {x.shape[:2]}, got "
            f"{y.shape[:2]}; resize it first."
        )
    m = (np.ones(x.shape[:2], np.float32) if mask is None
         else check_mask(mask, x.shape, name="mask"))
    if lrest.alpha is not None:
        scale = 1.0 if lrest.alpha.dtype.kind == "f" else float(np.iinfo(lrest.alpha.dtype).max)
        m = m * np.clip(lrest.alpha.astype(np.float32) / np.float32(scale), 0.0, 1.0)
    if strength < 1.0:
        m = m * np.float32(strength)
    if mode == "chroma" and x.shape[-1] == 1 and y.shape[-1] == 1:
        return to_channel_axis(arr.copy(), channel_axis)  # neither has color: nothing to take
    out, restore = _blend_float(x, y, m, mode, restore, levels=levels, backend=backend)
    return to_channel_axis(_exact_outside(restore(out), arr, m == 0), channel_axis)


def _blend_in_tiles(arr, layer, mask, mode, strength, channel_axis, backend) -> np.ndarray:
    """:func:`blend` for the per-pixel modes, in row tiles (the same array as one tile)."""
    from chroma._core.tiles import row_tiles

    lay = check_image(layer, name="layer", channel_axis=channel_axis)
    if lay.shape[:2] != arr.shape[:2]:
        raise ValueError(
            f"`layer` must have the height and width of `base` {arr.shape[:2]}, got "
            f"{lay.shape[:2]}; resize it first."
        )
    m = None if mask is None else check_mask(mask, arr.shape, name="mask")
    def colorless(a):
        return a.ndim == 2 or a.shape[-1] in (1, 2)

    if mode == "chroma" and colorless(arr) and colorless(lay):
        return arr.copy()  # neither has color: nothing to take
    out = None
    for rows in row_tiles(*arr.shape[:2]):
        x, restore = working_copy(arr[rows], name="base")
        y, lrest = working_copy(lay[rows], name="layer")
        mt = np.ones(x.shape[:2], np.float32) if m is None else m[rows]
        if lrest.alpha is not None:
            a = lrest.alpha
            scale = 1.0 if a.dtype.kind == "f" else float(np.iinfo(a.dtype).max)
            mt = mt * np.clip(a.astype(np.float32) / np.float32(scale), 0.0, 1.0)
        if strength < 1.0:
            mt = mt * np.float32(strength)
        part, restore = _blend_float(x, y, mt, mode, restore, backend=backend)
        result = _exact_outside(restore(part), arr[rows], mt == 0)
        del x, y, part
        if out is None:
            out = np.empty((arr.shape[0], *result.shape[1:]), dtype=result.dtype)
        out[rows] = result
    return out


def _check_mode(mode) -> str:
    if mode not in MODES:
        raise ValueError(f"mode={mode!r} is not a blend mode; choose from {list(MODES)}.")
    return mode


def _blend_float(x, y, m, mode, restore, *, levels=None, backend="auto"):
    """Blend float32 working arrays (M, N, C) by the float mask `m` (M, N), or everywhere.

    Returns ``(out, restore)``: `restore` turns RGB when a gray base takes color.
    Where ``m == 0`` the base comes back exactly, where ``m == 1`` the layer.
    """
    if m is None:
        m = np.ones(x.shape[:2], np.float32)
    h, w = x.shape[:2]
    if x.shape[-1] != y.shape[-1] or (mode == "chroma" and x.shape[-1] == 1):
        if x.shape[-1] == 1:
            x = np.repeat(x, 3, axis=-1)
            restore = _as_rgb(restore)
        if y.shape[-1] == 1:
            y = np.repeat(y, 3, axis=-1)
    if mode == "chroma":
        mf = np.ascontiguousarray(m, dtype=np.float32).reshape(-1)
        out = _chroma_blend_flat(np.ascontiguousarray(x).reshape(-1, 3),
                                 np.ascontiguousarray(y).reshape(-1, 3), mf, 1.0, backend)
        out = out.reshape(h, w, 3)
    else:
        la, lb = _to_linear(x), _to_linear(y)
        if mode == "normal":
            out = la + m[..., None] * (lb - la)
        else:
            if levels is None:
                levels = _default_levels(h, w)
            levels = check_scalar(levels, "levels", numbers.Integral, low=0)
            out = _pyramid_blend(la, lb, m, levels)
        out = _from_linear(out)
        one = m == 1  # full effect: the layer itself
        out[one] = np.clip(y[one], 0.0, 1.0)
    zero = m == 0  # untouched pixels are the base's, bit for bit
    out[zero] = x[zero]
    return out, restore


def _exact_outside(out: np.ndarray, arr: np.ndarray, untouched: np.ndarray) -> np.ndarray:
    """Copy the caller's own pixels (channels last) where nothing was applied.

    The float32 working copy is exact for uint8, uint16 and float32; this makes
    float64 (and float16 turned float32) exact as well.
    """
    if not untouched.any() or out.shape[:2] != arr.shape[:2]:
        return out
    src = arr if arr.ndim == 3 else arr[..., None]
    dst = out if out.ndim == 3 else out[..., None]
    if src.shape[-1] == dst.shape[-1]:
        dst[untouched] = src[untouched]
    elif src.shape[-1] in (1, 2) and dst.shape[-1] in (3, 4):  # gray turned RGB
        dst[untouched, :3] = src[untouched, :1]
        if src.shape[-1] == 2 and dst.shape[-1] == 4:
            dst[untouched, 3] = src[untouched, 1]
    return out


# --- the one meaning of mask= -----------------------------------------------------------
def _layer(step, x: np.ndarray, sel) -> np.ndarray:
    """The step's effect on a checked array (channels last), its region a bool selection.

    chroma's steps get the array straight through their internal hook (checked
    once, at the door); any other object with ``transform(image)`` is called
    with the region when its ``transform`` takes one.
    """
    if getattr(step, "_transform_image", None) is not None:
        return transform_checked(step, x, sel)
    if sel is None or not _takes_region(step):
        return np.asarray(step.transform(x))
    return np.asarray(step.transform(x, region=sel.reshape(x.shape[:2])))


def _takes_region(step) -> bool:
    import inspect

    try:
        return "region" in inspect.signature(step.transform).parameters
    except (TypeError, ValueError):
        return False


def _region(m: np.ndarray | None):
    """The statistics region of a float mask (see check_region); None for everywhere."""
    if m is None:
        return None
    from chroma._core.validate import region_of

    return region_of(m, name="mask")


def _apply_layers(arr: np.ndarray, layers) -> np.ndarray:
    """Run ``(step, mask, mode, strength)`` layers in order on a checked array.

    `arr` is channels last in the caller's dtype; masks are float (M, N) or None
    (everywhere). One chroma step without a mask runs straight on `arr` (its
    fast kernels, the caller's dtype); otherwise every step gets the float32
    working copy, there is one ``Restore`` at the end, and pixels no mask
    reached come back bit for bit.
    """
    first = layers[0][0]
    if (len(layers) == 1 and layers[0][1] is None and layers[0][3] == 1.0
            and hasattr(first, "_transform_image")):
        return _layer(first, arr, None)  # the step's own kernels, in the caller's dtype
    if len(layers) == 1 and layers[0][2] != "pyramid":
        out = _apply_one_in_tiles(arr, *layers[0])
        if out is not None:
            return out
    x, restore = working_copy(arr)
    cur = x
    untouched = np.ones(arr.shape[:2], bool)
    for step, m, mode, strength in layers:
        if strength < 1.0:
            m = (_uniform(arr.shape[:2], strength, mode) if m is None
                 else m * np.float32(strength))
        if m is not None and not (m > 0).any():
            continue  # this layer lands nowhere
        y = _layer(step, cur, _region(m))
        y = y if y.ndim == 3 else y[..., None]
        if y.shape[:2] != cur.shape[:2]:
            raise ValueError(
                f"{type(step).__name__} changed the image size from {cur.shape[:2]} to "
                f"{y.shape[:2]}; steps must keep it."
            )
        if y.dtype != np.float32:
            y = working_copy(y, name="step output")[0]
        elif y.shape[-1] in (2, 4):  # a step that added alpha: drop it
            y = y[..., :-1]
        if m is None and y.shape[-1] >= cur.shape[-1]:
            if y.shape[-1] != cur.shape[-1]:
                restore = _as_rgb(restore)
            cur = np.clip(y, 0.0, 1.0, out=y if y is not cur else None)
            del y
            untouched[:] = False
            continue
        if mode != "pyramid" and y.shape[-1] == cur.shape[-1]:
            # a per-pixel blend: in row tiles, over cur (private: the working copy or a
            # step's output)
            from chroma._core.tiles import row_tiles

            for rows in row_tiles(*cur.shape[:2]):
                cur[rows] = _blend_float(cur[rows], y[rows], m[rows], mode, restore)[0]
        else:
            cur, restore = _blend_float(cur, y, m, mode, restore)
        del y
        untouched &= m <= 0
    return _exact_outside(restore(cur), arr, untouched)


def _uniform(shape, strength: float, mode: str) -> np.ndarray:
    """A mask of one value: a read-only broadcast view (no memory) for the per-pixel modes."""
    if mode == "pyramid":
        return np.full(shape, strength, np.float32)
    return np.broadcast_to(np.float32(strength), shape)


#: statistics blocks per piece of the working copy that a masked Reinhard converts at a time
_CHUNK_BLOCKS = 32


def _apply_one_in_tiles(arr: np.ndarray, step, m, mode: str, strength: float):
    """One masked layer in row tiles (None when the step has no tile operator).

    The step's statistics are those of the whole float32 working copy (its
    region from the mask), as in :func:`_apply_layers`; the step's map, the
    blend (per pixel in the "normal" and "chroma" modes) and the Restore then
    run tile by tile into one output, so the layer's full-size float
    temporaries are never held at once. Same result as one tile, bit for bit.
    Reinhard in CIELAB or lαβ on a color image gathers those statistics from
    the working copy converted a few blocks at a time
    (:func:`chroma.transfers._tiled.streamed_operator`), so the copy is never
    whole either; other steps get it whole.
    """
    from dataclasses import replace

    from chroma._core.tiles import row_tiles

    plan = getattr(step, "_tile_operator", None)
    if plan is None or getattr(step, "_transform_image", None) is None:
        return None
    if strength < 1.0:
        m = _uniform(arr.shape[:2], strength, mode) if m is None else m * np.float32(strength)
    if m is None or not (m > 0).any():
        return None
    sel = _region(m)
    x = op = None
    if arr.ndim == 3 and arr.shape[-1] in (3, 4):
        from chroma.transfers._blocks import BLOCK
        from chroma.transfers._tiled import streamed_operator, working_chunks

        op = streamed_operator(step, sel.shape[0], working_chunks(arr, _CHUNK_BLOCKS * BLOCK),
                               sel)
    if op is None:
        x, restore = working_copy(arr)
        op = plan(x, sel)
        if op is None:
            return None
    out = None
    for rows in row_tiles(*arr.shape[:2]):
        if x is None:
            xt, part = working_copy(arr[rows])
        else:
            xt = x[rows]
            part = replace(restore, alpha=None if restore.alpha is None else restore.alpha[rows])
        y = op(xt)
        y = y if y.ndim == 3 else y[..., None]
        if y.dtype != np.float32:
            y = working_copy(y, name="step output")[0]
        elif y.shape[-1] in (2, 4):  # a step that added alpha: drop it
            y = y[..., :-1]
        mt = m[rows]
        cur, part = _blend_float(xt, y, mt, mode, part)
        result = _exact_outside(part(cur), arr[rows], mt <= 0)
        del y, cur
        if out is None:
            out = np.empty((arr.shape[0], *result.shape[1:]), dtype=result.dtype)
        out[rows] = result
    return out


def _land(x, y, m, restore, arr, channel_axis, *, mode: str = DEFAULT_MODE) -> np.ndarray:
    """Blend a function's float32 effect `y` into its working copy `x` by the mask `m`.

    For the one-call functions that are not steps (recolor, replace_color):
    `arr` is the checked input (channels last), `restore` its working copy's.
    """
    if m is None:
        return to_channel_axis(restore(np.clip(y, 0.0, 1.0)), channel_axis)
    out, restore = _blend_float(x, y, m, mode, restore)
    return to_channel_axis(_exact_outside(restore(out), arr, m == 0), channel_axis)


def apply_step(step, image, *, mask=None, mode: str = DEFAULT_MODE, strength: float = 1.0,
               channel_axis: int = -1) -> np.ndarray:
    """A fitted step's effect on `image`, landing where `mask` says.

    These are the lines behind every ``mask=`` in chroma: the step transforms
    the whole image, with its image statistics from the mask's region (where
    the mask is >= 0.5), and the result is blended in by the mask with
    :func:`blend` (`mode`, default ``"normal"``, linear light).

    Parameters
    ----------
    step : fitted step
        Anything with ``transform(image, region=...)`` (see :mod:`chroma._core.base`).
    image : ndarray
        The image; uint8, uint16 or float, gray or RGB, optional alpha.
    mask : ndarray of shape (M, N), optional
        bool or [0, 1]; None: everywhere.
    mode : {"normal", "chroma", "pyramid"}, optional
        How the effect is blended in.
    strength : float in [0, 1], optional
        Multiplies the mask.
    channel_axis : int, optional
        Channel axis of `image` and of the result.

    Returns
    -------
    out : ndarray
        `image`'s dtype and alpha (gray may come back RGB); pixels where the
        mask is 0 are `image`'s, bit for bit.

    Examples
    --------
    >>> from chroma.transfers.reinhard import ReinhardTransfer
    >>> rng = np.random.default_rng(0)
    >>> img = rng.random((8, 8, 3)); ref = rng.random((8, 8, 3)) * 0.5
    >>> mask = np.zeros((8, 8)); mask[:4] = 1; mask[4] = 0.5
    >>> out = apply_step(ReinhardTransfer().fit(ref), img, mask=mask)
    >>> bool((out[5:] == img[5:]).all()), bool((out[:4] != img[:4]).any())
    (True, True)
    """
    _check_mode(mode)
    strength = check_strength(strength)
    arr = check_image(image, name="image", channel_axis=channel_axis)
    m = None if mask is None else check_mask(mask, arr.shape, name="mask")
    return to_channel_axis(_apply_layers(arr, [(step, m, mode, strength)]), channel_axis)


def _as_rgb(restore):
    """A Restore that returns RGB (keeps alpha) for a gray input turned color."""
    from dataclasses import replace

    return replace(restore, gray2d=False)


def _tone_ab(background) -> tuple[float, float]:
    """a*b* at L* = 50 for a background name, hex color or RGB triple."""
    if isinstance(background, str) and background.lower() in TONES:
        return TONES[background.lower()]
    from chroma.colors import parse_colors as _parse_colors
    from chroma.spaces import convert_pixels

    try:
        rgb = _parse_colors(background)
    except (ValueError, TypeError) as err:
        raise ValueError(
            f"background={background!r} is neither a tone ({sorted(TONES)}) nor a color "
            f"('#rrggbb' or an RGB triple): {err}"
        ) from None
    if len(rgb) != 1:
        raise ValueError(f"background must be one color, got {background!r}.")
    lab = convert_pixels(rgb, "rgb", "lab")[0]
    return float(lab[1]), float(lab[2])


def splash(
    image,
    mask,
    *,
    background="gray",
    strength: float = 1.0,
    channel_axis: int = -1,
    backend: str = "auto",
) -> np.ndarray:
    """Color splash: keep the color inside `mask`, gray (or tone) the rest.

    Lightness L* is never changed: outside the mask a*b* go to 0 (gray) or
    to a tone; inside they are the image's own; a soft mask mixes the two.

    Parameters
    ----------
    image : ndarray
        RGB image (optional alpha, kept); uint8, uint16 or float.
    mask : ndarray of shape (M, N), or dict
        Where to keep the color (bool or [0, 1]), or a mask spec for
        :func:`chroma.masks.from_spec` such as ``{"hue": [40, 40]}``.
        An all-zero mask turns the whole image gray (or toned); an all-one
        mask returns the image unchanged (bit for bit).
    background : str or color, optional
        ``"gray"``, ``"sepia"``, ``"cyanotype"``, or any color (``"#rrggbb"``
        or an RGB triple) whose a*b* tint the background: at full strength
        at L* = 50, fading to neutral toward black and white.
    strength : float in [0, 1], optional
        How far the background goes to gray / the tone (0 leaves it as is).
    channel_axis : int, optional
        Channel axis of the image and the output.
    backend : {"auto", "numba", "numpy"}, optional
        The fused Numba kernel (auto: 16 Ki pixels and up) or its NumPy twin.

    Returns
    -------
    out : ndarray
        Same shape, dtype and alpha as `image`.

    Examples
    --------
    >>> img = np.array([[[200, 30, 30], [30, 30, 200]]], dtype=np.uint8)
    >>> splash(img, np.array([[1, 0]], dtype=bool))   # red kept, blue turned gray
    array([[[200,  30,  30],
            [ 66,  66,  66]]], dtype=uint8)
    """
    strength = check_strength(strength)
    tone_a, tone_b = _tone_ab(background)
    if not isinstance(mask, Mapping) and _fast_path(image, channel_axis, backend,
                                                    dtypes=_FLOAT32):
        from chroma import _compositing_kernels as K
        check_image(image)
        m = check_mask(mask, image.shape, name="mask")
        out = np.empty_like(image)
        K.splash(np.ascontiguousarray(image).reshape(-1, 3), np.ascontiguousarray(m).reshape(-1),
                 tone_a, tone_b, strength, out.reshape(-1, 3))
        return np.clip(out, 0.0, 1.0, out=out)
    if not isinstance(mask, Mapping) and _fast_path(image, channel_axis, backend):
        from chroma import _compositing_kernels as K
        m = check_mask(mask, image.shape, name="mask")
        maxval = _INT_MAX[image.dtype]
        out = np.empty_like(image)
        K.splash_int(np.ascontiguousarray(image).reshape(-1, 3), np.ascontiguousarray(m)
                     .reshape(-1), tone_a, tone_b, strength, _lut(maxval), float(maxval),
                     out.reshape(-1, 3))
        return out
    x, restore = to_float(image, channel_axis=channel_axis)
    if isinstance(mask, Mapping):
        from chroma.masks import from_spec

        mask = from_spec(mask, x)
    m = check_mask(mask, x.shape, name="mask")
    h, w = x.shape[:2]
    if x.shape[-1] == 1:  # gray in: a gray background changes nothing, a tone makes RGB
        if tone_a == 0 and tone_b == 0:
            return restore(x)
        x = np.repeat(x, 3, axis=-1)
        restore = _as_rgb(restore)
    out = _splash_flat(x.reshape(-1, 3), np.ascontiguousarray(m).reshape(-1), tone_a, tone_b,
                       strength, backend)
    return restore(out.reshape(h, w, 3))

