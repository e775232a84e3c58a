"""Numba kernels for IDT, sliced OT and regrain (private).

Each kernel has a plain-NumPy twin (``np_*``) in this module with the same
arithmetic; the tests compare the two. Pixel kernels take float32 ``(N, 3)``
arrays, compute in float64 per pixel and write float32. Importing this module
imports Numba but compiles nothing: kernels compile (or load from Numba's
on-disk cache) on first call.

Projections ``p = d . x`` are always evaluated as ``(d0*x0 + d1*x1) + d2*x2``
in float64, in both twins, so that binning agrees bit for bit.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np

from chroma._core._reduce_kernels import max_rows, min_rows, sum_first
from chroma._core.parallel import numba_module

numba = numba_module()  # chroma's threading layer, selected before the first launch
njit, prange = numba.njit, numba.prange

_opts = dict(cache=True, nogil=True, error_model="numpy")

_CHUNK = 65536  # pixels per parallel chunk in the reductions


_PARALLEL_MIN = 1 << 19  # below this many pixels (x steps) a kernel runs on one thread


def _n_chunks(n: int) -> int:
    return max(1, -(-n // _CHUNK))


@contextmanager
def threads_for(n_pixels: int):
    """Run parallel kernels on one thread for small inputs.

    Waking the worker threads costs more than the work below a few hundred
    thousand pixels (and much more on a busy machine with OpenMP's spinning
    threads), so small images and the coarse regrain levels stay serial.
    """
    if n_pixels >= _PARALLEL_MIN:
        yield
        return
    saved = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(saved)


# --- projections: range and histogram --------------------------------------------------
@njit(parallel=True, **_opts)
def _proj_minmax(x, d, n_chunks):
    n = x.shape[0]
    m = d.shape[0]
    lo = np.empty((n_chunks, m))  # every row written below
    hi = np.empty((n_chunks, m))
    size = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        stop = min(n, (c + 1) * size)
        clo = np.full(m, np.inf)  # per-chunk arrays: no false sharing between threads
        chi = np.full(m, -np.inf)
        for i in range(c * size, stop):
            x0 = np.float64(x[i, 0])
            x1 = np.float64(x[i, 1])
            x2 = np.float64(x[i, 2])
            for j in range(m):
                p = (d[j, 0] * x0 + d[j, 1] * x1) + d[j, 2] * x2
                clo[j] = min(clo[j], p)
                chi[j] = max(chi[j], p)
        lo[c] = clo
        hi[c] = chi
    out = np.empty((m, 2))
    out[:, 0] = min_rows(lo)
    out[:, 1] = max_rows(hi)
    return out


def proj_minmax(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Min and max of the projections of pixels ``x`` (N, 3) on rows of ``d`` (m, 3).

    Returns float64 ``(m, 2)``.
    """
    with threads_for(len(x) * max(1, len(d) // 3)):
        return _proj_minmax(x, np.ascontiguousarray(d, dtype=np.float64), _n_chunks(len(x)))


def np_proj_minmax(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """NumPy twin of :func:`proj_minmax`."""
    p = np_project(x, d)
    return np.stack([p.min(0), p.max(0)], axis=1)


def np_project(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Projections ``(N, m)`` float64, summed in the kernels' order."""
    x = x.astype(np.float64)
    d = np.asarray(d, dtype=np.float64)
    return (x[:, 0:1] * d[:, 0] + x[:, 1:2] * d[:, 1]) + x[:, 2:3] * d[:, 2]


@njit(parallel=True, **_opts)
def _proj_hist(x, d, lo, inv_width, bins, n_chunks):
    n = x.shape[0]
    m = d.shape[0]
    h = np.zeros((n_chunks, m, bins), dtype=np.int64)
    size = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        stop = min(n, (c + 1) * size)
        for i in range(c * size, stop):
            x0 = np.float64(x[i, 0])
            x1 = np.float64(x[i, 1])
            x2 = np.float64(x[i, 2])
            for j in range(m):
                p = (d[j, 0] * x0 + d[j, 1] * x1) + d[j, 2] * x2
                t = (p - lo[j]) * inv_width[j]
                b = int(t) if t > 0.0 else 0
                if b >= bins:
                    b = bins - 1
                h[c, j, b] += 1
    return sum_first(h)


def proj_hist(x: np.ndarray, d: np.ndarray, lo: np.ndarray, hi: np.ndarray,
              bins: int) -> np.ndarray:
    """Histograms ``(m, bins)`` int64 of the projections on rows of ``d`` over [lo, hi].

    Values below ``lo`` go to the first bin, values at or above ``hi`` to the last.
    """
    lo = np.ascontiguousarray(lo, dtype=np.float64)
    inv = _inv_width(lo, hi, bins)
    with threads_for(len(x) * max(1, len(d) // 3)):
        return _proj_hist(x, np.ascontiguousarray(d, dtype=np.float64), lo, inv, int(bins),
                          _n_chunks(len(x)))


def _inv_width(lo, hi, bins):
    span = np.asarray(hi, dtype=np.float64) - lo
    return np.where(span > 0, bins / np.where(span > 0, span, 1.0), 0.0)


def np_proj_hist(x, d, lo, hi, bins):
    """NumPy twin of :func:`proj_hist`."""
    lo = np.asarray(lo, dtype=np.float64)
    inv = _inv_width(lo, hi, bins)
    t = (np_project(x, d) - lo) * inv
    b = np.where(t > 0, np.floor(np.maximum(t, 0)), 0).astype(np.int64)
    np.minimum(b, bins - 1, out=b)
    return np.stack([np.bincount(b[:, j], minlength=bins) for j in range(b.shape[1])])


# --- sorted projections (sliced OT) ----------------------------------------------------
@njit(parallel=True, **_opts)
def _proj_sort(x, d):
    n = x.shape[0]
    m = d.shape[0]
    out = np.empty((m, n))
    for j in prange(m):
        for i in range(n):
            out[j, i] = (d[j, 0] * np.float64(x[i, 0]) + d[j, 1] * np.float64(x[i, 1])) + d[
                j, 2
            ] * np.float64(x[i, 2])
        out[j] = np.sort(out[j])
    return out


def proj_sort(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Sorted projections ``(m, N)`` float64 of pixels ``x`` on rows of ``d``."""
    with threads_for(len(x) * len(d)):
        return _proj_sort(x, np.ascontiguousarray(d, dtype=np.float64))


def np_proj_sort(x, d):
    """NumPy twin of :func:`proj_sort`."""
    return np.sort(np_project(x, d).T, axis=1)


# --- a chain of 1-D maps along directions -----------------------------------------------
_BLOCK = 512  # pixels moved together through a chain (independent work for the CPU)


@njit(parallel=True, **_opts)
def _apply_chain(x, dirs, weights, lo, hi, inv_step, tables, out):
    n = x.shape[0]
    n_steps = dirs.shape[0]
    m = dirs.shape[1]
    nb = tables.shape[2] - 1
    n_blocks = (n + _BLOCK - 1) // _BLOCK
    per_chunk = 64
    n_chunks = (n_blocks + per_chunk - 1) // per_chunk
    for c in prange(n_chunks):
        v0 = np.empty(_BLOCK)
        v1 = np.empty(_BLOCK)
        v2 = np.empty(_BLOCK)
        a0 = np.empty(_BLOCK)
        a1 = np.empty(_BLOCK)
        a2 = np.empty(_BLOCK)
        for blk in range(c * per_chunk, min(n_blocks, (c + 1) * per_chunk)):
            s = blk * _BLOCK
            size = min(n, s + _BLOCK) - s
            for i in range(size):
                v0[i] = x[s + i, 0]
                v1[i] = x[s + i, 1]
                v2[i] = x[s + i, 2]
            for k in range(n_steps):
                a0[:size] = 0.0
                a1[:size] = 0.0
                a2[:size] = 0.0
                for j in range(m):
                    d0 = dirs[k, j, 0]
                    d1 = dirs[k, j, 1]
                    d2 = dirs[k, j, 2]
                    lo_ = lo[k, j]
                    hi_ = hi[k, j]
                    inv = inv_step[k, j]
                    tab = tables[k, j]
                    for i in range(size):
                        p = (d0 * v0[i] + d1 * v1[i]) + d2 * v2[i]
                        pc = min(max(p, lo_), hi_)  # outside: the end displacement
                        t = (pc - lo_) * inv
                        b = min(int(t), nb - 1)
                        f = t - b
                        disp = (tab[b] * (1.0 - f) + tab[b + 1] * f) - pc
                        a0[i] += disp * d0
                        a1[i] += disp * d1
                        a2[i] += disp * d2
                w = weights[k]
                for i in range(size):
                    v0[i] += w * a0[i]
                    v1[i] += w * a1[i]
                    v2[i] += w * a2[i]
            for i in range(size):
                out[s + i, 0] = v0[i]
                out[s + i, 1] = v1[i]
                out[s + i, 2] = v2[i]
    return out


def apply_chain(x: np.ndarray, chain: dict, out: np.ndarray | None = None) -> np.ndarray:
    """Apply a chain of 1-D maps to pixels ``x`` (N, 3) float32; returns float32 (N, 3).

    ``chain`` holds, for ``K`` steps of ``m`` directions each: ``dirs`` (K, m, 3),
    ``weights`` (K,), ``lo``/``hi`` (K, m) (the range of each table),
    ``tables`` (K, m, B + 1) (the map's values on a uniform grid over [lo, hi]).
    Step ``k`` moves a pixel ``v`` by ``weights[k] * sum_j (T_kj(d_kj . v) - d_kj . v) d_kj``;
    outside [lo, hi] the map keeps its end displacement.
    """
    if out is None:
        out = np.empty(x.shape, dtype=np.float32)
    if len(x) == 0:
        return out
    with threads_for(len(x) * chain["dirs"].shape[0]):
        return _apply_chain(x, chain["dirs"], chain["weights"], chain["lo"], chain["hi"],
                            _inv_step(chain), chain["tables"], out)


def _inv_step(chain):
    nb = chain["tables"].shape[2] - 1
    span = chain["hi"] - chain["lo"]
    return np.where(span > 0, nb / np.where(span > 0, span, 1.0), 0.0)


def np_apply_chain(x: np.ndarray, chain: dict) -> np.ndarray:
    """NumPy twin of :func:`apply_chain`."""
    v = x.astype(np.float64)
    inv = _inv_step(chain)
    tables = chain["tables"]
    nb = tables.shape[2] - 1
    for k in range(chain["dirs"].shape[0]):
        acc = np.zeros_like(v)
        for j in range(chain["dirs"].shape[1]):
            d = chain["dirs"][k, j]
            lo, hi = chain["lo"][k, j], chain["hi"][k, j]
            p = (d[0] * v[:, 0] + d[1] * v[:, 1]) + d[2] * v[:, 2]
            pc = np.minimum(np.maximum(p, lo), hi)
            t = (pc - lo) * inv[k, j]
            b = np.minimum(t.astype(np.int64), nb - 1)
            f = t - b
            disp = (tables[k, j, b] * (1.0 - f) + tables[k, j, b + 1] * f) - pc
            acc += disp[:, None] * d
        v += chain["weights"][k] * acc
    return v.astype(np.float32)


# --- regrain: bilinear resize (OpenCV INTER_LINEAR geometry) ----------------------------
@njit(**_opts)
def _axis_weights(n_src, n_dst):
    idx = np.empty(n_dst, dtype=np.int64)
    frac = np.empty(n_dst)
    scale = n_src / n_dst
    for i in range(n_dst):
        s = (i + 0.5) * scale - 0.5
        j = math.floor(s)
        f = s - j
        if j < 0:
            j = 0
            f = 0.0
        if j >= n_src - 1:
            j = n_src - 1
            f = 0.0
        idx[i] = j
        frac[i] = f
    return idx, frac


def resize(img: np.ndarray, h: int, w: int) -> np.ndarray:
    """Bilinear resize of float32 ``(H, W, C)`` to ``(h, w, C)`` (see :func:`_resize`)."""
    with threads_for(h * w):
        return _resize(img, h, w)


@njit(parallel=True, **_opts)
def _resize(img, h, w):
    """Bilinear resize of float32 ``(H, W, C)`` to ``(h, w, C)``, half-pixel centres.

    Same sampling geometry as OpenCV's ``INTER_LINEAR`` (no antialiasing).
    """
    hs, ws, c = img.shape
    ry, fy = _axis_weights(hs, h)
    rx, fx = _axis_weights(ws, w)
    out = np.empty((h, w, c), dtype=np.float32)
    for i in prange(h):
        y0 = ry[i]
        y1 = min(y0 + 1, hs - 1)
        b = fy[i]
        for j in range(w):
            x0 = rx[j]
            x1 = min(x0 + 1, ws - 1)
            a = fx[j]
            for k in range(c):
                top = img[y0, x0, k] * (1.0 - a) + img[y0, x1, k] * a
                bot = img[y1, x0, k] * (1.0 - a) + img[y1, x1, k] * a
                out[i, j, k] = top * (1.0 - b) + bot * b
    return out


def np_axis_weights(n_src: int, n_dst: int):
    s = (np.arange(n_dst) + 0.5) * (n_src / n_dst) - 0.5
    j = np.floor(s).astype(np.int64)
    f = s - j
    f = np.where(j < 0, 0.0, f)
    j = np.maximum(j, 0)
    f = np.where(j >= n_src - 1, 0.0, f)
    j = np.minimum(j, n_src - 1)
    return j, f


def np_resize(img: np.ndarray, h: int, w: int) -> np.ndarray:
    """NumPy twin of :func:`resize`."""
    hs, ws, _ = img.shape
    ry, fy = np_axis_weights(hs, h)
    rx, fx = np_axis_weights(ws, w)
    y1 = np.minimum(ry + 1, hs - 1)
    x1 = np.minimum(rx + 1, ws - 1)
    a = fx[None, :, None]
    b = fy[:, None, None]
    img = img.astype(np.float64)
    top = img[ry][:, rx] * (1.0 - a) + img[ry][:, x1] * a
    bot = img[y1][:, rx] * (1.0 - a) + img[y1][:, x1] * a
    return (top * (1.0 - b) + bot * b).astype(np.float32)


# --- regrain: one level of the multiscale solver ------------------------------------------
# Pitié's relaxed Jacobi update, per pixel and channel (4-neighbours, edges replicated):
#   J <- 0.8 * (psi T + sum_n phi_n (J_n - I_n + I)) / (psi + sum_n phi_n + eps) + 0.2 J
# where phi_n is the mean of phi at the pixel and at neighbour n. Everything but the J_n
# is fixed during a level, so a level first folds it into 4 weights and one constant
# per channel; a sweep is then 5 multiply-adds per channel.
@njit(parallel=True, **_opts)
def _regrain_setup(img, col, level, smoothness):
    h, w, c = img.shape
    phi = np.empty((h, w), dtype=np.float32)
    psi = np.empty((h, w), dtype=np.float32)
    scale = 30.0 * 2.0 ** (-level)
    for i in prange(h):
        iu = max(i - 1, 0)
        id_ = min(i + 1, h - 1)
        for j in range(w):
            jl = max(j - 1, 0)
            jr = min(j + 1, w - 1)
            s = 0.0
            for k in range(c):
                dx = np.float64(img[i, jr, k]) - np.float64(img[i, jl, k])
                dy = np.float64(img[id_, j, k]) - np.float64(img[iu, j, k])
                s += dx * dx + dy * dy
            delta = math.sqrt(s)
            psi[i, j] = min(256.0 * delta / 5.0, 1.0)
            phi[i, j] = scale / (1.0 + 10.0 * delta / smoothness)
    wts = np.empty((h, w, 4), dtype=np.float32)  # right, down, left, up
    const = np.empty((h, w, c), dtype=np.float32)
    for i in prange(h):
        iu = max(i - 1, 0)
        id_ = min(i + 1, h - 1)
        for j in range(w):
            jl = max(j - 1, 0)
            jr = min(j + 1, w - 1)
            p0 = np.float64(phi[i, j])
            p1 = (phi[i, jr] + p0) * 0.5
            p2 = (phi[id_, j] + p0) * 0.5
            p3 = (phi[i, jl] + p0) * 0.5
            p4 = (phi[iu, j] + p0) * 0.5
            ps = np.float64(psi[i, j])
            g = 0.8 / (ps + p1 + p2 + p3 + p4 + 1e-6)
            wts[i, j, 0] = p1 * g
            wts[i, j, 1] = p2 * g
            wts[i, j, 2] = p3 * g
            wts[i, j, 3] = p4 * g
            for k in range(c):
                ic = np.float64(img[i, j, k])
                const[i, j, k] = g * (
                    ps * col[i, j, k]
                    + p1 * (ic - img[i, jr, k])
                    + p2 * (ic - img[id_, j, k])
                    + p3 * (ic - img[i, jl, k])
                    + p4 * (ic - img[iu, j, k])
                )
    return wts, const


@njit(inline="always", **_opts)
def _sweep_row(src, dst, wts, const, i, gi):
    """Relaxed Jacobi update of row ``i`` (level row ``gi``) from ``src`` into ``dst``."""
    n_rows, w, c = src.shape
    keep = np.float32(0.2)
    iu = max(i - 1, 0)
    id_ = min(i + 1, n_rows - 1)
    for j in range(w):
        jl = max(j - 1, 0)
        jr = min(j + 1, w - 1)
        w1 = wts[gi, j, 0]
        w2 = wts[gi, j, 1]
        w3 = wts[gi, j, 2]
        w4 = wts[gi, j, 3]
        for k in range(c):
            dst[i, j, k] = (
                const[gi, j, k]
                + w1 * src[i, jr, k]
                + w2 * src[id_, j, k]
                + w3 * src[i, jl, k]
                + w4 * src[iu, j, k]
                + keep * src[i, j, k]
            )


@njit(**_opts)
def _sweep_rows(cur, nxt, wts, const, e0):
    """One sweep over rows ``e0 .. e0 + len(cur)`` of the level: ``cur`` -> ``nxt``."""
    for i in range(cur.shape[0]):
        _sweep_row(cur, nxt, wts, const, i, e0 + i)


@njit(**_opts)
def _sweep2_rows(cur, tmp, wts, const, e0):
    """Two sweeps in one pass over the rows, result in ``cur`` (``tmp`` is scratch).

    Row ``i`` of the first sweep is followed by row ``i - 1`` of the second,
    which overwrites ``cur[i - 1]`` once no first-sweep row needs it, so the
    weights of a row are read twice while they are still in cache.
    """
    n_rows = cur.shape[0]
    for i in range(n_rows + 1):
        if i < n_rows:
            _sweep_row(cur, tmp, wts, const, i, e0 + i)
        if i >= 1:
            _sweep_row(tmp, cur, wts, const, i - 1, e0 + i - 1)


@njit(parallel=True, **_opts)
def _regrain_sweeps(out, wts, const, n_sweeps, n_bands):
    """``n_sweeps`` relaxed Jacobi sweeps, in one parallel region.

    The rows are cut into ``n_bands`` bands, each swept on its own with a halo
    of ``n_sweeps`` rows on either side: a wrong value at a band's cut edge
    travels one row per sweep, so the band's own rows come out exactly as a
    sweep of the whole level would make them.
    """
    h = out.shape[0]
    result = np.empty_like(out)
    rows = (h + n_bands - 1) // n_bands
    for t in prange(n_bands):
        r0 = t * rows
        r1 = min(h, r0 + rows)
        if r0 < r1:
            e0 = max(0, r0 - n_sweeps)
            e1 = min(h, r1 + n_sweeps)
            cur = out[e0:e1].copy()
            tmp = np.empty_like(cur)
            for _ in range(n_sweeps // 2):
                _sweep2_rows(cur, tmp, wts, const, e0)
            if n_sweeps % 2:
                _sweep_rows(cur, tmp, wts, const, e0)
                cur = tmp
            result[r0:r1] = cur[r0 - e0 : r1 - e0]
    return result


def regrain_level(out, img, col, n_sweeps: int, level: int, smoothness: float):
    """Solve one level of the regrain energy; float32 (H, W, C) arrays, returns a new array."""
    with threads_for(img.shape[0] * img.shape[1]):
        wts, const = _regrain_setup(img, col, level, float(smoothness))
        n_bands = max(1, min(numba.get_num_threads(), img.shape[0] // max(4 * n_sweeps, 1)))
        return _regrain_sweeps(out, wts, const, int(n_sweeps), n_bands)


def np_regrain_level(out, img, col, n_sweeps: int, level: int, smoothness: float):
    """NumPy twin of :func:`regrain_level`, written as python-color-transfer's ``solve``."""

    def right(a):
        return np.concatenate([a[:, 1:], a[:, -1:]], axis=1)

    def down(a):
        return np.concatenate([a[1:], a[-1:]], axis=0)

    def left(a):
        return np.concatenate([a[:, :1], a[:, :-1]], axis=1)

    def up(a):
        return np.concatenate([a[:1], a[:-1]], axis=0)

    img = img.astype(np.float64)
    col = col.astype(np.float64)
    dx = right(img) - left(img)
    dy = down(img) - up(img)
    delta = np.sqrt((dx * dx + dy * dy).sum(axis=2, keepdims=True))
    psi = np.minimum(256.0 * delta / 5.0, 1.0)
    phi = 30.0 * 2.0 ** (-level) / (1.0 + 10.0 * delta / smoothness)
    p1 = (right(phi) + phi) / 2
    p2 = (down(phi) + phi) / 2
    p3 = (left(phi) + phi) / 2
    p4 = (up(phi) + phi) / 2
    den = psi + p1 + p2 + p3 + p4 + 1e-6
    cur = out.astype(np.float64)
    for _ in range(n_sweeps):
        num = (
            psi * col
            + p1 * (right(cur) - right(img) + img)
            + p2 * (down(cur) - down(img) + img)
            + p3 * (left(cur) - left(img) + img)
            + p4 * (up(cur) - up(img) + img)
        )
        cur = num / den * 0.8 + 0.2 * cur
    return cur.astype(np.float32)
