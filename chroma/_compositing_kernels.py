"""Numba kernels for :mod:`chroma.compositing` (private).

Fused per-pixel kernels: sRGB -> CIELAB for the inputs, a mix of a*b*, and
CIELAB -> sRGB for the output, in one pass over memory. Their plain-NumPy
twins are ``_np_chroma_blend`` and ``_np_splash`` in :mod:`chroma.compositing`; the
tests compare the two. Importing this module compiles nothing.

Lightness is kept exactly: a mixed color that falls outside the sRGB gamut
is brought in by scaling its a*b* toward gray (bisection at constant L* and
hue), never by clipping channels; a result with a* = b* = 0 is written as
an exact gray (R = G = B).
"""

from __future__ import annotations

import numpy as np

from chroma._core.parallel import numba_module
from chroma.spaces._gamut_kernels import _lab_srgb_keep_l  # the one gamut map
from chroma.spaces._kernels import M_XYZ, XN, YN, ZN, _f, _mat, _s2l

numba = numba_module()  # chroma's threading layer, selected before the first launch
njit, prange = numba.njit, numba.prange

_opts = dict(cache=True, nogil=True, error_model="numpy")

@njit(inline="always", **_opts)
def _rgb_lab(r, g, b):
    x, y, z = _mat(M_XYZ, _s2l(r), _s2l(g), _s2l(b))
    fx, fy, fz = _f(x / XN), _f(y / YN), _f(z / ZN)
    return 116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)


@njit(parallel=True, **_opts)
def chroma_blend(base, layer, mask, strength, out):
    """out = base's L* with a*b* = (1 - m) base + m layer, m = mask * strength."""
    for i in prange(base.shape[0]):
        m = np.float64(mask[i]) * strength
        if m <= 0.0:
            out[i, 0], out[i, 1], out[i, 2] = base[i, 0], base[i, 1], base[i, 2]
            continue
        L, a0, b0 = _rgb_lab(np.float64(base[i, 0]), np.float64(base[i, 1]),
                             np.float64(base[i, 2]))
        _, a1, b1 = _rgb_lab(np.float64(layer[i, 0]), np.float64(layer[i, 1]),
                             np.float64(layer[i, 2]))
        r, g, b = _lab_srgb_keep_l(L, a0 + m * (a1 - a0), b0 + m * (b1 - b0))
        out[i, 0], out[i, 1], out[i, 2] = r, g, b


@njit(parallel=True, **_opts)
def splash(image, mask, tone_a, tone_b, strength, out):
    """Color where mask = 1; outside, a*b* moved by `strength` toward a tone.

    The tone is ``(tone_a, tone_b) * 4 L (100 - L) / 100²``: full at L* = 50,
    neutral at black and white.
    """
    for i in prange(image.shape[0]):
        m = np.float64(mask[i])
        if m >= 1.0:
            out[i, 0], out[i, 1], out[i, 2] = image[i, 0], image[i, 1], image[i, 2]
            continue
        L, a, b = _rgb_lab(np.float64(image[i, 0]), np.float64(image[i, 1]),
                           np.float64(image[i, 2]))
        w = 4.0e-4 * L * (100.0 - L)
        if w < 0.0:
            w = 0.0
        bg_a = a + strength * (tone_a * w - a)
        bg_b = b + strength * (tone_b * w - b)
        r, g, bl = _lab_srgb_keep_l(L, bg_a + m * (a - bg_a), bg_b + m * (b - bg_b))
        out[i, 0], out[i, 1], out[i, 2] = r, g, bl


# --- integer images: decode through a lookup table, round on output ----------------------
def decode_lut(maxval: int) -> np.ndarray:
    """Linear-light value of each code 0..maxval (float64)."""
    v = np.arange(maxval + 1, dtype=np.float64) / maxval
    return np.where(v > 0.04045, ((v + 0.055) / 1.055) ** 2.4, v / 12.92)


@njit(inline="always", **_opts)
def _lin_lab(r, g, b):
    x, y, z = _mat(M_XYZ, r, g, b)
    fx, fy, fz = _f(x / XN), _f(y / YN), _f(z / ZN)
    return 116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)


@njit(inline="always", **_opts)
def _encode(v, maxval):
    return np.floor(v * maxval + 0.5)


@njit(parallel=True, **_opts)
def chroma_blend_int(base, layer, mask, strength, lut, maxval, out):
    """:func:`chroma_blend` for uint8/uint16 (N, 3) arrays; `out` has the base's dtype."""
    for i in prange(base.shape[0]):
        m = np.float64(mask[i]) * strength
        if m <= 0.0:
            out[i, 0], out[i, 1], out[i, 2] = base[i, 0], base[i, 1], base[i, 2]
            continue
        L, a0, b0 = _lin_lab(lut[base[i, 0]], lut[base[i, 1]], lut[base[i, 2]])
        _, a1, b1 = _lin_lab(lut[layer[i, 0]], lut[layer[i, 1]], lut[layer[i, 2]])
        r, g, b = _lab_srgb_keep_l(L, a0 + m * (a1 - a0), b0 + m * (b1 - b0))
        out[i, 0] = _encode(r, maxval)
        out[i, 1] = _encode(g, maxval)
        out[i, 2] = _encode(b, maxval)


@njit(parallel=True, **_opts)
def splash_int(image, mask, tone_a, tone_b, strength, lut, maxval, out):
    """:func:`splash` for uint8/uint16 (N, 3) arrays."""
    for i in prange(image.shape[0]):
        m = np.float64(mask[i])
        if m >= 1.0:
            out[i, 0], out[i, 1], out[i, 2] = image[i, 0], image[i, 1], image[i, 2]
            continue
        L, a, b = _lin_lab(lut[image[i, 0]], lut[image[i, 1]], lut[image[i, 2]])
        w = 4.0e-4 * L * (100.0 - L)
        if w < 0.0:
            w = 0.0
        bg_a = a + strength * (tone_a * w - a)
        bg_b = b + strength * (tone_b * w - b)
        r, g, bl = _lab_srgb_keep_l(L, bg_a + m * (a - bg_a), bg_b + m * (b - bg_b))
        out[i, 0] = _encode(r, maxval)
        out[i, 1] = _encode(g, maxval)
        out[i, 2] = _encode(bl, maxval)
