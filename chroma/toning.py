"""Toning: sepia, duotone and gradient maps by lightness (:func:`tone`, :class:`ToneStep`).

Named tones for backgrounds (``"sepia"``, ``"cyanotype"``...) live in
:data:`chroma.compositing.TONES`; ramp colors are parsed by :func:`chroma.colors.parse_colors`
(a :class:`~chroma.palettes.Palette` works too) and mapped into sRGB by
:mod:`chroma.spaces.gamut`.
"""

from __future__ import annotations

import numpy as np

from chroma._core.base import ColorStep
from chroma._core.validate import check_strength, working_copy
from chroma.colors import parse_colors
from chroma.compositing import apply_step
from chroma.spaces import convert_pixels
from chroma.spaces.gamut import into_gamut, lab_to_srgb_keep_lightness

__all__ = ["TONE_MODES", "ToneStep", "tone"]

TONE_MODES = ("sepia", "duotone", "gradient")


_SEPIA_L = np.array([0.0, 25.0, 50.0, 75.0, 100.0])
_SEPIA_C = np.array([0.0, 18.0, 26.0, 20.0, 8.0])  # chroma of the tint by lightness
_SEPIA_H = np.array([55.0, 60.0, 68.0, 76.0, 85.0])  # hue (degrees): brown shadows, cream lights
_RAMP = 1024


def _tone_ramp(mode: str, colors) -> np.ndarray:
    """(R, 3) in-gamut Lab ramp indexed by input lightness 0..100."""
    t = np.linspace(0.0, 1.0, _RAMP)
    if mode == "sepia":
        if colors is not None:
            raise ValueError("mode='sepia' takes no `colors`; use mode='duotone' or 'gradient'.")
        L = 100.0 * t
        c = np.interp(L, _SEPIA_L, _SEPIA_C)
        h = np.radians(np.interp(L, _SEPIA_L, _SEPIA_H))
        ramp = np.stack([L, c * np.cos(h), c * np.sin(h)], 1)
    else:
        if colors is None:
            raise ValueError(f"mode={mode!r} needs `colors` (e.g. ['#1b2a6b', '#f6d28a']).")
        rgb = parse_colors(colors, name="colors")
        if mode == "duotone" and len(rgb) != 2:
            raise ValueError(f"mode='duotone' needs exactly 2 colors, got {len(rgb)}.")
        if len(rgb) < 2:
            raise ValueError(f"mode='gradient' needs at least 2 colors, got {len(rgb)}.")
        stops = convert_pixels(rgb, "rgb", "lab").astype(np.float64)
        stops = stops[np.argsort(stops[:, 0], kind="stable")]  # dark to light
        pos = np.linspace(0.0, 1.0, len(stops))
        ramp = np.stack([np.interp(t, pos, stops[:, c]) for c in range(3)], 1)
    return into_gamut(ramp)


def tone(image, *, mode: str = "sepia", colors=None, strength: float = 1.0, mask=None,
         channel_axis: int = -1):
    """Tone an image: sepia, duotone, or a gradient map through several colors.

    Each pixel's CIELAB lightness L* picks a color from a ramp:

    * ``"sepia"``: keeps L* and adds a warm tint (brown shadows, cream
      highlights);
    * ``"duotone"`` (2 colors) and ``"gradient"`` (2 or more): the colors,
      sorted dark to light, are spread evenly over L* = 0..100 and
      interpolated in Lab (black maps to the darkest color, white to the
      lightest).

    Ramp colors outside sRGB lose chroma at constant L* and hue, so the
    output lightness is a non-decreasing function of the input lightness:
    lightness order is kept. `strength` blends with the input in Lab.

    Parameters
    ----------
    image : ndarray
        RGB(A) or gray image (gray comes back RGB); uint8, uint16 or float.
    mode : {"sepia", "duotone", "gradient"}, optional
    colors : list of str, array_like of shape (K, 3) or Palette, optional
        The ramp's colors for ``"duotone"`` and ``"gradient"``.
    strength : float, optional
        0 gives the input back, 1 the full toning.
    mask : ndarray of shape (M, N), optional
        Where to tone (bool or float in [0, 1]); 0 leaves pixels unchanged.
    channel_axis : int, optional
        Channel axis of `image` and of the result.

    Returns
    -------
    out : ndarray
        RGB(A), same dtype as `image`.

    Examples
    --------
    >>> ramp = np.linspace(0, 1, 5)[None].repeat(3, 0).T[None]  # grays, dark to light
    >>> tone(ramp, mode="duotone", colors=["#000040", "#ffff80"]).round(2)[0]
    array([[0.  , 0.  , 0.25],
           [0.31, 0.24, 0.34],
           [0.56, 0.5 , 0.41],
           [0.78, 0.75, 0.46],
           [1.  , 1.  , 0.5 ]])
    """
    step = ToneStep(mode, colors=colors, strength=strength).fit()
    return apply_step(step, image, mask=mask, channel_axis=channel_axis)


def _tone_pixels(x: np.ndarray, ramp: np.ndarray, s: float) -> np.ndarray:
    """Tone float32 sRGB (M, N, 3) through an in-gamut Lab ramp, with strength `s`."""
    lab = convert_pixels(x, "rgb", "lab").reshape(-1, 3)
    pos = np.clip(lab[:, 0], 0.0, 100.0) * ((_RAMP - 1) / 100.0)
    i0 = np.minimum(pos.astype(np.int64), _RAMP - 2)
    f = (pos - i0)[:, None]
    toned = ramp[i0] * (1.0 - f) + ramp[i0 + 1] * f
    out_lab = (lab + s * (toned - lab)).astype(np.float32)
    out = convert_pixels(out_lab, "lab", "rgb", clip=False)
    if s < 1.0:  # a blend of two in-gamut colors may leave the gamut: lose chroma, keep L*
        bad = np.flatnonzero(np.any((out < -1e-5) | (out > 1 + 1e-5), axis=1))
        if len(bad):
            out[bad] = lab_to_srgb_keep_lightness(out_lab[bad])
    return np.clip(out, 0.0, 1.0).reshape(x.shape)


class ToneStep(ColorStep):
    """Toning as a step (:func:`tone`): nothing to learn, so ``fit()`` takes no reference.

    Parameters
    ----------
    mode : {"sepia", "duotone", "gradient"}, optional
    colors : list of str, optional
        Ramp colors for ``"duotone"`` / ``"gradient"``.
    strength : float, optional
        0 gives the input back, 1 the full toning.

    Examples
    --------
    >>> img = np.full((2, 2, 3), 0.5)
    >>> ToneStep().fit().transform(img).shape
    (2, 2, 3)
    """

    _fitted_attr = "ramp_"

    def __init__(self, mode: str = "sepia", *, colors=None, strength: float = 1.0):
        self.mode = mode
        self.colors = colors
        self.strength = strength

    def fit(self, reference=None, /, *, reference_mask=None, channel_axis: int = -1) -> ToneStep:
        """Check the parameters and build the ramp; a reference is ignored."""
        if self.mode not in TONE_MODES:
            raise ValueError(
                f"mode={self.mode!r} is not a tone mode; choose from {list(TONE_MODES)}."
            )
        check_strength(self.strength)
        self.ramp_ = _tone_ramp(self.mode, self.colors)
        return self

    def _transform_image(self, arr, sel):
        return self._tile_operator(arr, sel)(arr)

    def _tile_operator(self, arr, sel):
        """Toning is per pixel: the door applies it in row tiles (no statistics)."""
        ramp, s = self.ramp_, check_strength(self.strength)

        def op(tile):
            x, restore = working_copy(tile, channels=(3,), gray_to_rgb=True)
            return restore(_tone_pixels(x, ramp, s))

        return op
