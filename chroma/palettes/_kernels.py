"""Numba kernels for :mod:`chroma.palettes` (private).

Each kernel has a plain-NumPy twin in :mod:`chroma.palettes` (``_np_*``); the
tests check that both give the same result.

* :func:`color_histogram` — one pass over the pixels: a 32×32×32 sRGB
  histogram with the (weighted) sum of the colors in every bin, so that the
  bins' mean colors are exact.
* :func:`nearest` — index of the nearest palette color (squared Euclidean in
  Lab) for every pixel, in parallel.
* :func:`dither_fs` — Floyd–Steinberg error diffusion in Lab (serial: each
  pixel depends on its left and upper neighbours).
* :func:`recolor_lab` — palette-based recoloring of Lab pixels (RBF weights
  and a piecewise-linear lightness curve), in parallel.
"""

from __future__ import annotations

import numpy as np

from chroma._core.parallel import numba_module

numba = numba_module()  # chroma's threading layer, selected before the first launch
njit, prange = numba.njit, numba.prange

BITS = 5
NBINS = 1 << (3 * BITS)  # 32768
_SIDE = 1 << BITS


@njit(cache=True, inline="always")
def _bin(v, scale):
    b = int(v * scale)
    if b < 0:
        b = 0
    elif b > _SIDE - 1:
        b = _SIDE - 1
    return b


@njit(cache=True, parallel=True)
def color_histogram_u8(img, nchunks):
    """Unweighted :func:`color_histogram` of a uint8 image, in integers (the fast path)."""
    m = img.shape[0]
    n = img.shape[1]
    counts = np.zeros((nchunks, NBINS), dtype=np.int64)
    sums = np.zeros((nchunks, NBINS, 3), dtype=np.int64)
    rows = (m + nchunks - 1) // nchunks
    for c in prange(nchunks):
        cnt = counts[c]
        sm = sums[c]
        for i in range(c * rows, min(m, (c + 1) * rows)):
            for j in range(n):
                r = np.int64(img[i, j, 0])
                g = np.int64(img[i, j, 1])
                b = np.int64(img[i, j, 2])
                k = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3)
                cnt[k] += 1
                sm[k, 0] += r
                sm[k, 1] += g
                sm[k, 2] += b
    total_counts = np.zeros(NBINS)
    total_sums = np.zeros((NBINS, 3))
    for c in range(nchunks):
        for k in range(NBINS):
            total_counts[k] += counts[c, k]
            for ch in range(3):
                total_sums[k, ch] += sums[c, k, ch]
    return total_counts, total_sums


@njit(cache=True, parallel=True)
def color_histogram(img, scale, weights, use_weights, nchunks):
    """Histogram of an ``(M, N, 3)`` image on a 32³ grid.

    Parameters
    ----------
    img : ndarray (M, N, 3) of uint8, uint16 or float32
        Channels-last; strides may be arbitrary.
    scale : float
        ``32 / (max value + 1)`` for integers (so ``int(v * scale) == v >> shift``),
        32 for float in [0, 1].
    weights : ndarray (M, N) of float32
        Per-pixel weights (ignored unless `use_weights`).
    use_weights : bool
    nchunks : int
        Row blocks histogrammed in parallel (each has its own histogram).

    Returns
    -------
    counts : ndarray (32768,) of float64
        Sum of the weights (or the pixel count) per bin.
    sums : ndarray (32768, 3) of float64
        Weighted sum of the pixel values (in the input's units) per bin.
    """
    m = img.shape[0]
    n = img.shape[1]
    counts = np.zeros((nchunks, NBINS))
    sums = np.zeros((nchunks, NBINS, 3))
    rows = (m + nchunks - 1) // nchunks
    for c in prange(nchunks):
        for i in range(c * rows, min(m, (c + 1) * rows)):
            for j in range(n):
                r = img[i, j, 0]
                g = img[i, j, 1]
                b = img[i, j, 2]
                k = (_bin(r, scale) << (2 * BITS)) | (_bin(g, scale) << BITS) | _bin(b, scale)
                w = weights[i, j] if use_weights else 1.0
                if w == 0.0:
                    continue
                counts[c, k] += w
                sums[c, k, 0] += w * r
                sums[c, k, 1] += w * g
                sums[c, k, 2] += w * b
    total_counts = np.zeros(NBINS)
    total_sums = np.zeros((NBINS, 3))
    for c in range(nchunks):
        total_counts += counts[c]
        total_sums += sums[c]
    return total_counts, total_sums


@njit(cache=True, parallel=True)
def nearest(lab, centers):
    """Index of the nearest row of ``centers`` for every row of ``lab`` (P, 3)."""
    p = lab.shape[0]
    k = centers.shape[0]
    out = np.empty(p, dtype=np.int32)
    for i in prange(p):
        x0 = lab[i, 0]
        x1 = lab[i, 1]
        x2 = lab[i, 2]
        best = 0
        best_d = np.inf
        for c in range(k):
            d0 = x0 - centers[c, 0]
            d1 = x1 - centers[c, 1]
            d2 = x2 - centers[c, 2]
            d = d0 * d0 + d1 * d1 + d2 * d2
            if d < best_d:
                best_d = d
                best = c
        out[i] = best
    return out


@njit(cache=True)
def dither_fs(lab, centers):
    """Floyd–Steinberg dithering of an ``(M, N, 3)`` Lab image to ``centers`` (K, 3).

    Raster order, left to right; the quantization error (in Lab) goes 7/16 to
    the right, 3/16 down-left, 5/16 down and 1/16 down-right.
    Returns the ``(M, N)`` int32 palette indices.
    """
    m = lab.shape[0]
    n = lab.shape[1]
    k = centers.shape[0]
    err = np.zeros((2, n + 2, 3))  # current and next row, padded by one on each side
    out = np.empty((m, n), dtype=np.int32)
    for i in range(m):
        cur = i % 2
        nxt = 1 - cur
        for j in range(n + 2):
            for ch in range(3):
                err[nxt, j, ch] = 0.0
        for j in range(n):
            v0 = lab[i, j, 0] + err[cur, j + 1, 0]
            v1 = lab[i, j, 1] + err[cur, j + 1, 1]
            v2 = lab[i, j, 2] + err[cur, j + 1, 2]
            best = 0
            best_d = np.inf
            for c in range(k):
                d0 = v0 - centers[c, 0]
                d1 = v1 - centers[c, 1]
                d2 = v2 - centers[c, 2]
                d = d0 * d0 + d1 * d1 + d2 * d2
                if d < best_d:
                    best_d = d
                    best = c
            out[i, j] = best
            e0 = v0 - centers[best, 0]
            e1 = v1 - centers[best, 1]
            e2 = v2 - centers[best, 2]
            err[cur, j + 2, 0] += e0 * (7.0 / 16.0)
            err[cur, j + 2, 1] += e1 * (7.0 / 16.0)
            err[cur, j + 2, 2] += e2 * (7.0 / 16.0)
            err[nxt, j, 0] += e0 * (3.0 / 16.0)
            err[nxt, j, 1] += e1 * (3.0 / 16.0)
            err[nxt, j, 2] += e2 * (3.0 / 16.0)
            err[nxt, j + 1, 0] += e0 * (5.0 / 16.0)
            err[nxt, j + 1, 1] += e1 * (5.0 / 16.0)
            err[nxt, j + 1, 2] += e2 * (5.0 / 16.0)
            err[nxt, j + 2, 0] += e0 * (1.0 / 16.0)
            err[nxt, j + 2, 1] += e1 * (1.0 / 16.0)
            err[nxt, j + 2, 2] += e2 * (1.0 / 16.0)
    return out


@njit(cache=True, parallel=True)
def recolor_lab(lab, src, gamma, lam, delta_ab, xk, yk):
    """Recolor Lab pixels (P, 3) float32; see :func:`chroma.palettes._np_recolor_lab`.

    ``src`` (K, 3) palette in Lab, ``gamma`` and ``lam`` (K, K) the RBF width
    and interpolation matrix, ``delta_ab`` (K, 2) the a*b* offsets, ``xk``,
    ``yk`` the knots of the (non-decreasing) lightness curve.
    """
    p = lab.shape[0]
    k = src.shape[0]
    nk = xk.shape[0]
    out = np.empty((p, 3), dtype=np.float32)
    for i in prange(p):
        L = np.float64(lab[i, 0])
        a = np.float64(lab[i, 1])
        b = np.float64(lab[i, 2])
        phi = np.empty(k)
        for j in range(k):
            d0 = L - src[j, 0]
            d1 = a - src[j, 1]
            d2 = b - src[j, 2]
            phi[j] = np.exp(-gamma * (d0 * d0 + d1 * d1 + d2 * d2))
        w = np.empty(k)
        total = 0.0
        for c in range(k):
            v = 0.0
            for j in range(k):
                v += phi[j] * lam[j, c]
            if v < 0.0:
                v = 0.0
            w[c] = v
            total += v
        da = 0.0
        db = 0.0
        for c in range(k):
            wc = w[c] / total if total >= 1e-12 else 1.0 / k
            da += wc * delta_ab[c, 0]
            db += wc * delta_ab[c, 1]
        # np.interp: clamp outside the knots, linear inside
        if L <= xk[0]:
            newL = yk[0]
        elif L >= xk[nk - 1]:
            newL = yk[nk - 1]
        else:
            m = 1
            while xk[m] < L:
                m += 1
            t = (L - xk[m - 1]) / (xk[m] - xk[m - 1])
            newL = yk[m - 1] + t * (yk[m] - yk[m - 1])
        out[i, 0] = newL
        out[i, 1] = a + da
        out[i, 2] = b + db
    return out
