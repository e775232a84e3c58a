"""Numba kernel that applies a fitted color operator at full resolution (private).

One pass per pixel: sRGB -> L* (kept), the start a*b* read from a 3-D table
over RGB (trilinear), the operator's a*b* offset read from a 3-D volume
(trilinear; over (x, y, L*) for the bilateral grid, over (L*, a*, b*) of the
start for the global LUT, or a per-pixel offset field; the grid's cells hold
a local affine map of a*b*: an offset and a 2x2 gain), and CIELAB -> sRGB at
constant L* (chroma reduced toward gray when out of gamut). Its plain-NumPy
twin is :func:`chroma.stylization._operators.apply_numpy`; the tests compare them.
An operator with a ``blur`` (the grid's ``change_blur``) runs in two passes
instead: each row's a*b* change (to the gamut-mapped color), convolved along x
(a Gaussian), then the input's a*b* plus that change convolved along y, through
the gamut map again (a blend of in-gamut colors at other L* may leave it). An
operator with a ``gamut_blur`` runs the same two passes on the gamut map's own
change (the chroma it removes), added back to the operator's unmapped a*b*.
Importing this module compiles nothing.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# the one "keep L*, lower chroma" gamut map and the sRGB/Lab helpers (chroma.compositing's kernels)
from chroma._compositing_kernels import _encode, _lin_lab, _rgb_lab, decode_lut
from chroma.spaces._gamut_kernels import _keep_l, _lab_srgb_keep_l  # the one gamut map

__all__ = ["apply_float", "apply_int", "decode_lut"]

_opts = dict(cache=True, nogil=True, error_model="numpy")

MODE_GRID, MODE_LUT, MODE_FIELD = 0, 1, 2
AB_RANGE = 110.0  # the LUT operator's a*b* axes span [-AB_RANGE, AB_RANGE]


@njit(inline="always", **_opts)
def _cell(t, n):
    """Index and fraction of normalized coordinate ``t`` in [0, 1] on ``n`` nodes."""
    if t < 0.0:
        t = 0.0
    elif t > 1.0:
        t = 1.0
    p = t * (n - 1)
    i = int(np.floor(p))
    if i > n - 2:
        i = n - 2
    if i < 0:
        i = 0
    return i, p - i


@njit(inline="always", **_opts)
def _tri2(vol, tx, ty, tz):
    """Trilinear read of channels 0 and 1 of ``vol[c, z, y, x]`` at normalized (tx, ty, tz)."""
    nz, ny, nx = vol.shape[1], vol.shape[2], vol.shape[3]
    ix, fx = _cell(tx, nx)
    iy, fy = _cell(ty, ny)
    iz, fz = _cell(tz, nz)
    v0 = 0.0
    v1 = 0.0
    for dz in range(2):
        wz = fz if dz else 1.0 - fz
        for dy in range(2):
            wzy = wz * (fy if dy else 1.0 - fy)
            for dx in range(2):
                wgt = wzy * (fx if dx else 1.0 - fx)
                v0 += wgt * vol[0, iz + dz, iy + dy, ix + dx]
                v1 += wgt * vol[1, iz + dz, iy + dy, ix + dx]
    return v0, v1


@njit(inline="always", **_opts)
def _tri6(vol, tx, ty, tz):
    """Trilinear read of the six channels of a grid ``vol[c, z, y, x]`` (offset, then gain)."""
    nz, ny, nx = vol.shape[1], vol.shape[2], vol.shape[3]
    ix, fx = _cell(tx, nx)
    iy, fy = _cell(ty, ny)
    iz, fz = _cell(tz, nz)
    v0 = v1 = v2 = v3 = v4 = v5 = 0.0
    for dz in range(2):
        wz = fz if dz else 1.0 - fz
        for dy in range(2):
            wzy = wz * (fy if dy else 1.0 - fy)
            for dx in range(2):
                wgt = wzy * (fx if dx else 1.0 - fx)
                z, yy, xx = iz + dz, iy + dy, ix + dx
                v0 += wgt * vol[0, z, yy, xx]
                v1 += wgt * vol[1, z, yy, xx]
                v2 += wgt * vol[2, z, yy, xx]
                v3 += wgt * vol[3, z, yy, xx]
                v4 += wgt * vol[4, z, yy, xx]
                v5 += wgt * vol[5, z, yy, xx]
    return v0, v1, v2, v3, v4, v5


@njit(inline="always", **_opts)
def _pixel(L, a0, b0, r, g, b, y, x, h, w, start, vol, field, mode, strength, k):
    """The output (L*, a*, b*) of one pixel, before the gamut map."""
    # start a*b*: start[c, b, g, r] is the start's a*b* at the RGB lattice point
    sa, sb = _tri2(start, r, g, b)
    if mode == MODE_GRID:
        tx = (x + 0.5) / w
        ty = (y + 0.5) / h
        tz = L / 100.0
        oa, ob, maa, mab, mba, mbb = _tri6(vol, tx, ty, tz)
        # a local affine map of the start a*b*: offset plus (gain - 1) times the start
        oa, ob = oa + maa * sa + mab * sb, ob + mba * sa + mbb * sb
    elif mode == MODE_LUT:
        tx = L / 100.0
        ty = (sa + AB_RANGE) / (2.0 * AB_RANGE)
        tz = (sb + AB_RANGE) / (2.0 * AB_RANGE)
        oa, ob = _tri2(vol, tx, ty, tz)
    else:
        oa = field[k, 0]
        ob = field[k, 1]
    a1 = a0 + strength * (sa + oa - a0)
    b1 = b0 + strength * (sb + ob - b0)
    return a1, b1


@njit(inline="always", **_opts)
def _float_pixel(rgb, k, y, x, h, w, start, vol, field, mode, strength):
    """Float pixel ``k``'s input Lab and its output a*b* before the gamut map."""
    r, g, b = np.float64(rgb[k, 0]), np.float64(rgb[k, 1]), np.float64(rgb[k, 2])
    L, a0, b0 = _rgb_lab(r, g, b)
    a1, b1 = _pixel(L, a0, b0, min(max(r, 0.0), 1.0), min(max(g, 0.0), 1.0),
                    min(max(b, 0.0), 1.0), y, x, h, w, start, vol, field, mode, strength, k)
    return L, a0, b0, a1, b1


@njit(inline="always", **_opts)
def _carry(coef, y, x, h, w, L, a0, b0, a, b):
    """a*b* after the gamut map plus a correction carried from a smaller image (or as is).

    ``coef`` (hs, ws, 8): a guided filter's coefficients at the smaller size, read
    bilinearly at pixel (y, x)'s center (the convention of
    ``_operators.resample_offsets``); the correction is linear in the input's
    (L*, a*, b*) = (L, a0, b0): ``coef[0:3] . (L, a0, b0) + coef[6]`` for a*,
    ``coef[3:6] . (L, a0, b0) + coef[7]`` for b*. An empty ``coef`` (hs = 0) changes
    nothing.
    """
    hs, ws = coef.shape[0], coef.shape[1]
    if hs == 0:
        return a, b
    t = _keep_l(L, a, b)[0]
    sy = min(max((y + 0.5) * hs / h - 0.5, 0.0), hs - 1.0)
    sx = min(max((x + 0.5) * ws / w - 0.5, 0.0), ws - 1.0)
    y0 = min(int(np.floor(sy)), max(hs - 2, 0))
    x0 = min(int(np.floor(sx)), max(ws - 2, 0))
    y1 = min(y0 + 1, hs - 1)
    x1 = min(x0 + 1, ws - 1)
    fy = sy - y0
    fx = sx - x0
    ca = t * a
    cb = t * b
    for dy in range(2):
        yy = y1 if dy else y0
        wy = fy if dy else 1.0 - fy
        for dx in range(2):
            xx = x1 if dx else x0
            wgt = wy * (fx if dx else 1.0 - fx)
            ca += wgt * (coef[yy, xx, 0] * L + coef[yy, xx, 1] * a0 + coef[yy, xx, 2] * b0
                         + coef[yy, xx, 6])
            cb += wgt * (coef[yy, xx, 3] * L + coef[yy, xx, 4] * a0 + coef[yy, xx, 5] * b0
                         + coef[yy, xx, 7])
    return ca, cb


ROW_CHUNK = 8  # rows per dynamically scheduled chunk: a thread slowed by a busy core takes fewer


@njit(parallel=True, **_opts)
def _apply_float_rows(rgb, h, w, start, vol, field, mode, strength, coef, out):
    for y in prange(h):
        for x in range(w):
            k = y * w + x
            L, a0, b0, a1, b1 = _float_pixel(rgb, k, y, x, h, w, start, vol, field, mode,
                                             strength)
            a1, b1 = _carry(coef, y, x, h, w, L, a0, b0, a1, b1)
            ro, go, bo = _lab_srgb_keep_l(L, a1, b1)
            out[k, 0], out[k, 1], out[k, 2] = ro, go, bo


@njit(parallel=True, **_opts)
def _apply_int_rows(rgb, h, w, start, vol, field, mode, strength, lut, maxval, coef, out):
    for y in prange(h):
        for x in range(w):
            k = y * w + x
            c0, c1, c2 = rgb[k, 0], rgb[k, 1], rgb[k, 2]
            L, a0, b0 = _lin_lab(lut[c0], lut[c1], lut[c2])
            a1, b1 = _pixel(L, a0, b0, c0 / maxval, c1 / maxval, c2 / maxval,
                            y, x, h, w, start, vol, field, mode, strength, k)
            a1, b1 = _carry(coef, y, x, h, w, L, a0, b0, a1, b1)
            ro, go, bo = _lab_srgb_keep_l(L, a1, b1)
            out[k, 0] = _encode(ro, maxval)
            out[k, 1] = _encode(go, maxval)
            out[k, 2] = _encode(bo, maxval)


# --- the softened change (``Operator.blur``): two passes ---------------------------------------
@njit(inline="always", **_opts)
def _blur_row(row, w, taps, hx, base):
    """``hx[base + x]`` = the (w, 2) ``row`` convolved along x with ``taps`` (edges repeated)."""
    r = len(taps) // 2
    for x in range(w):
        s0 = 0.0
        s1 = 0.0
        for j in range(-r, r + 1):
            xx = min(max(x + j, 0), w - 1)
            t = taps[j + r]
            s0 += t * row[xx, 0]
            s1 += t * row[xx, 1]
        hx[base + x, 0] = s0
        hx[base + x, 1] = s1


@njit(inline="always", **_opts)
def _soft_row(L, a0, b0, a1, b1, x, k, row, lab, gamut):
    """Pass 1's values at one pixel: what is softened (``row[x]``), its base (``lab[k, :3]``)
    and the input's a*b* (``lab[k, 3:]``).

    ``gamut`` false (``Operator.blur``): the a*b* change to the gamut-mapped color, added to
    the input's a*b*. ``gamut`` true (``Operator.gamut_blur``): the gamut map's own change
    (the chroma it removes, ``(t - 1) * a*b*``), added to the operator's unmapped a*b*.
    """
    t = _keep_l(L, a1, b1)[0]  # the change to the color the output gets
    if gamut:
        row[x, 0], row[x, 1] = (t - 1.0) * a1, (t - 1.0) * b1
        lab[k, 0], lab[k, 1], lab[k, 2] = L, a1, b1
    else:
        row[x, 0], row[x, 1] = t * a1 - a0, t * b1 - b0
        lab[k, 0], lab[k, 1], lab[k, 2] = L, a0, b0
    lab[k, 3], lab[k, 4] = a0, b0  # the input's a*b* (a carried correction reads them)


@njit(parallel=True, **_opts)
def _change_float_rows(rgb, h, w, start, vol, field, mode, strength, taps, hx, lab,
                       gamut):
    """Pass 1: every row's softened quantity (see :func:`_soft_row`), convolved along x, into
    ``hx``; the color it is added to into ``lab``."""
    for y in prange(h):
        row = np.empty((w, 2))
        for x in range(w):
            k = y * w + x
            L, a0, b0, a1, b1 = _float_pixel(rgb, k, y, x, h, w, start, vol, field, mode,
                                             strength)
            _soft_row(L, a0, b0, a1, b1, x, k, row, lab, gamut)
        _blur_row(row, w, taps, hx, y * w)


@njit(parallel=True, **_opts)
def _change_int_rows(rgb, h, w, start, vol, field, mode, strength, lut, maxval, taps, hx,
                     lab, gamut):
    for y in prange(h):
        row = np.empty((w, 2))
        for x in range(w):
            k = y * w + x
            c0, c1, c2 = rgb[k, 0], rgb[k, 1], rgb[k, 2]
            L, a0, b0 = _lin_lab(lut[c0], lut[c1], lut[c2])
            a1, b1 = _pixel(L, a0, b0, c0 / maxval, c1 / maxval, c2 / maxval,
                            y, x, h, w, start, vol, field, mode, strength, k)
            _soft_row(L, a0, b0, a1, b1, x, k, row, lab, gamut)
        _blur_row(row, w, taps, hx, y * w)


@njit(inline="always", **_opts)
def _blur_y(hx, h, w, y, x, taps):
    """The x-convolved change ``hx`` convolved along y at pixel (y, x) (edges repeated)."""
    r = len(taps) // 2
    s0 = 0.0
    s1 = 0.0
    for j in range(-r, r + 1):
        yy = min(max(y + j, 0), h - 1)
        t = taps[j + r]
        s0 += t * hx[yy * w + x, 0]
        s1 += t * hx[yy * w + x, 1]
    return s0, s1


@njit(parallel=True, **_opts)
def _finish_float_rows(lab, h, w, hx, taps, coef, out):
    """Pass 2: the input's L*, the base a*b* plus the softened change, the keep-L* gamut map."""
    for y in prange(h):
        for x in range(w):
            k = y * w + x
            L, a0, b0 = np.float64(lab[k, 0]), np.float64(lab[k, 1]), np.float64(lab[k, 2])
            da, db = _blur_y(hx, h, w, y, x, taps)
            a1, b1 = _carry(coef, y, x, h, w, L, np.float64(lab[k, 3]), np.float64(lab[k, 4]),
                            a0 + da, b0 + db)
            ro, go, bo = _lab_srgb_keep_l(L, a1, b1)
            out[k, 0], out[k, 1], out[k, 2] = ro, go, bo


@njit(parallel=True, **_opts)
def _finish_int_rows(lab, h, w, hx, taps, maxval, coef, out):
    for y in prange(h):
        for x in range(w):
            k = y * w + x
            L, a0, b0 = np.float64(lab[k, 0]), np.float64(lab[k, 1]), np.float64(lab[k, 2])
            da, db = _blur_y(hx, h, w, y, x, taps)
            a1, b1 = _carry(coef, y, x, h, w, L, np.float64(lab[k, 3]), np.float64(lab[k, 4]),
                            a0 + da, b0 + db)
            ro, go, bo = _lab_srgb_keep_l(L, a1, b1)
            out[k, 0] = _encode(ro, maxval)
            out[k, 1] = _encode(go, maxval)
            out[k, 2] = _encode(bo, maxval)


_NO_COEF = np.zeros((0, 0, 8))  # no carried correction


def _chunked(kernel, h, *args):
    """Run a row kernel with dynamically scheduled chunks of ``ROW_CHUNK`` rows."""
    import numba

    before = numba.get_parallel_chunksize()
    numba.set_parallel_chunksize(max(1, min(ROW_CHUNK, h)))
    try:
        kernel(*args)
    finally:
        numba.set_parallel_chunksize(before)


def apply_float(rgb, h, w, start, vol, field, mode, strength, out, taps=None, gamut=False,
                coef=None):
    """Apply the operator to float (N, 3) sRGB pixels (row-major, image h x w) into ``out``.

    Parallel over rows, in dynamically scheduled chunks of ``ROW_CHUNK`` rows.
    ``taps`` (odd length, normalized): the a*b* change is convolved with them
    along x and y (to the gamut-mapped color; two passes, a float32 change); with
    ``gamut``, the gamut map's own change is convolved instead and added to the
    operator's unmapped a*b* (``Operator.gamut_blur``). ``coef`` (hs, ws, 8): a
    correction carried from a smaller image, added after the gamut map, before it
    runs again (see :func:`_carry`; a regrain solved at a reduced size).
    """
    coef = _NO_COEF if coef is None else coef
    if taps is not None:
        hx = np.empty((h * w, 2), np.float32)
        lab = np.empty((h * w, 5), np.float32)
        _chunked(_change_float_rows, h, rgb, h, w, start, vol, field, mode, strength, taps, hx,
                 lab, bool(gamut))
        _chunked(_finish_float_rows, h, lab, h, w, hx, taps, coef, out)
        return
    _chunked(_apply_float_rows, h, rgb, h, w, start, vol, field, mode, strength, coef, out)


def apply_int(rgb, h, w, start, vol, field, mode, strength, lut, maxval, out, taps=None,
              gamut=False, coef=None):
    """:func:`apply_float` for uint8/uint16 pixels (decoded through ``lut``, rounded out)."""
    coef = _NO_COEF if coef is None else coef
    if taps is not None:
        hx = np.empty((h * w, 2), np.float32)
        lab = np.empty((h * w, 5), np.float32)
        _chunked(_change_int_rows, h, rgb, h, w, start, vol, field, mode, strength, lut,
                 maxval, taps, hx, lab, bool(gamut))
        _chunked(_finish_int_rows, h, lab, h, w, hx, taps, maxval, coef, out)
        return
    _chunked(_apply_int_rows, h, rgb, h, w, start, vol, field, mode, strength, lut, maxval,
             coef, out)
