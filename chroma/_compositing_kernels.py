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
from numba import njit, prange

from chroma.spaces._kernels import M_LIN, M_XYZ, XN, YN, ZN, _f, _finv, _l2s, _mat, _s2l

_opts = dict(cache=True, nogil=True, error_model="numpy")

GAMUT_TOL = 1e-5  # linear-light slack before a color counts as out of gamut
BISECT_STEPS = 12


@njit(inline="always", **_opts)
def _rgb_lab(r, g, b):
    x, y, z = _mat(M_XYZ, _s2l(r), _s2l(g), _s2l(b))
    fx, fy, fz = _f(x / XN), _f(y / YN), _f(z / ZN)
    return 116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)


@njit(inline="always", **_opts)
def _lab_linear(L, a, b):
    fy = (L + 16.0) / 116.0
    fx = a / 500.0 + fy
    fz = fy - b / 200.0
    if fz < 0.0:
        fz = 0.0
    return _mat(M_LIN, _finv(fx) * XN, _finv(fy) * YN, _finv(fz) * ZN)


@njit(inline="always", **_opts)
def _in_gamut(r, g, b):
    lo, hi = -GAMUT_TOL, 1.0 + GAMUT_TOL
    return lo <= r <= hi and lo <= g <= hi and lo <= b <= hi


@njit(inline="always", **_opts)
def _clip01(v):
    if v < 0.0:
        return 0.0
    if v > 1.0:
        return 1.0
    return v


@njit(inline="always", **_opts)
def _lab_srgb_keep_l(L, a, b):
    """CIELAB -> sRGB at constant L*: gray exact, out-of-gamut chroma reduced."""
    y = _finv((L + 16.0) / 116.0)  # linear gray of this L* (R = G = B = Y)
    r, g, bl = y, y, y
    if a != 0.0 or b != 0.0:
        r1, g1, b1 = _lab_linear(L, a, b)
        if _in_gamut(r1, g1, b1):
            r, g, bl = r1, g1, b1
        else:
            lo, hi = 0.0, 1.0
            for _ in range(BISECT_STEPS):
                mid = 0.5 * (lo + hi)
                r1, g1, b1 = _lab_linear(L, a * mid, b * mid)
                if _in_gamut(r1, g1, b1):
                    lo = mid
                    r, g, bl = r1, g1, b1
                else:
                    hi = mid
    return _l2s(_clip01(r)), _l2s(_clip01(g)), _l2s(_clip01(bl))


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
