"""Numba kernels for :mod:`chroma.transfers.histogram` (private).

Pixels arrive as a 2-D ``(N, Ctot)`` view of the caller's image (any strides,
any of uint8 / uint16 / float32 / float64): the first ``C`` channels are
colors, the rest (alpha) is copied through untouched. ``sel`` is a boolean
``(N,)`` selection for statistics (length 0 means every pixel). Each kernel has
a NumPy twin in :mod:`chroma.transfers.histogram` (``_np_*``) that the tests compare it
to. Importing this module compiles nothing.
"""

from __future__ import annotations

import numpy as np

from chroma._core._reduce_kernels import max_rows, min_rows, sum_rows
from chroma._core.parallel import PARALLEL_MIN_PIXELS, get_num_threads, numba_module, sized

numba = numba_module()
njit, prange = numba.njit, numba.prange

_opts = dict(cache=True, nogil=True)


def _n_chunks(n: int) -> int:
    return max(1, min(n // 65536 + 1, 4 * get_num_threads()))


_COPIES = 4  # histogram copies per channel in the common uint8 case (see _counts_int)


@njit(parallel=True, **_opts)
def _counts_int(x, sel, n_colors, n_levels, n_chunks):
    n = x.shape[0]
    use_sel = sel.shape[0] > 0
    # The common case (3 colors, all pixels, few levels) counts 4 consecutive pixels into 4
    # copies of each channel's histogram: neighbouring pixels mostly share a level, and one
    # copy would make each increment wait for the previous one's store (measured 13.5 ->
    # 9.5 ms for a 12 MP uint8 image on 2 threads, best of 15, in the commit adding this).
    unrolled = n_colors == 3 and not use_sel and n_levels <= 4096
    copies = _COPIES if unrolled else 1
    hist = np.zeros((n_chunks, copies * n_colors, n_levels), np.int32)
    step = (n + n_chunks - 1) // n_chunks
    for k in prange(n_chunks):
        h = hist[k]
        start, stop = k * step, min(n, (k + 1) * step)
        if unrolled:
            a0, a1, a2, b0, b1, b2 = h[0], h[1], h[2], h[3], h[4], h[5]
            c0, c1, c2, d0, d1, d2 = h[6], h[7], h[8], h[9], h[10], h[11]
            i = start
            while i + 4 <= stop:
                a0[x[i, 0]] += 1
                a1[x[i, 1]] += 1
                a2[x[i, 2]] += 1
                b0[x[i + 1, 0]] += 1
                b1[x[i + 1, 1]] += 1
                b2[x[i + 1, 2]] += 1
                c0[x[i + 2, 0]] += 1
                c1[x[i + 2, 1]] += 1
                c2[x[i + 2, 2]] += 1
                d0[x[i + 3, 0]] += 1
                d1[x[i + 3, 1]] += 1
                d2[x[i + 3, 2]] += 1
                i += 4
            while i < stop:
                a0[x[i, 0]] += 1
                a1[x[i, 1]] += 1
                a2[x[i, 2]] += 1
                i += 1
        else:
            for i in range(start, stop):
                if use_sel and not sel[i]:
                    continue
                for c in range(n_colors):
                    h[c, x[i, c]] += 1
    out = np.zeros((n_colors, n_levels), np.int64)
    for k in range(n_chunks):
        for c in range(copies * n_colors):
            for v in range(n_levels):
                out[c % n_colors, v] += hist[k, c, v]
    return out


@sized
def counts_int(x, sel, n_colors, n_levels):
    """Per-channel counts of integer levels: ``(n_colors, n_levels)`` int64."""
    return _counts_int(x, sel, n_colors, n_levels, _n_chunks(x.shape[0]))


@sized
@njit(parallel=True, **_opts)
def lut_int(x, lut, out):
    """``out[i, c] = lut[c, x[i, c]]`` for colors, ``out[i, c] = x[i, c]`` for alpha."""
    n_colors = lut.shape[0]
    n_total = x.shape[1]
    if n_colors == 3 and n_total == 3:
        l0, l1, l2 = lut[0], lut[1], lut[2]
        for i in prange(x.shape[0]):
            out[i, 0] = l0[x[i, 0]]
            out[i, 1] = l1[x[i, 1]]
            out[i, 2] = l2[x[i, 2]]
        return
    for i in prange(x.shape[0]):
        for c in range(n_colors):
            out[i, c] = lut[c, x[i, c]]
        for c in range(n_colors, n_total):
            out[i, c] = x[i, c]


@njit(parallel=True, **_opts)
def _minmax(x, sel, n_colors, n_chunks):
    n = x.shape[0]
    lo = np.full((n_chunks, n_colors), np.inf)
    hi = np.full((n_chunks, n_colors), -np.inf)
    step = (n + n_chunks - 1) // n_chunks
    use_sel = sel.shape[0] > 0
    for k in prange(n_chunks):
        for i in range(k * step, min(n, (k + 1) * step)):
            if use_sel and not sel[i]:
                continue
            for c in range(n_colors):
                v = np.float64(x[i, c])
                if v < lo[k, c]:
                    lo[k, c] = v
                if v > hi[k, c]:
                    hi[k, c] = v
    return min_rows(lo), max_rows(hi)


@sized
def minmax(x, sel, n_colors):
    """Per-channel min and max (float64) over the selected pixels."""
    return _minmax(x, sel, n_colors, _n_chunks(x.shape[0]))


@njit(parallel=True, **_opts)
def _counts_float(x, sel, lo, scale, n_bins, n_chunks):
    n = x.shape[0]
    n_colors = lo.shape[0]
    hist = np.zeros((n_chunks, n_colors, n_bins), np.int32)
    bad = np.zeros(n_chunks, np.int64)
    step = (n + n_chunks - 1) // n_chunks
    use_sel = sel.shape[0] > 0
    top = n_bins - 1
    for k in prange(n_chunks):
        h = hist[k]
        nbad = 0
        start, stop = k * step, min(n, (k + 1) * step)
        if n_colors == 3 and not use_sel:  # the common case, unrolled
            h0, h1, h2 = h[0], h[1], h[2]
            l0, l1, l2 = lo[0], lo[1], lo[2]
            s0, s1, s2 = scale[0], scale[1], scale[2]
            for i in range(start, stop):
                a = x[i, 0]
                b = x[i, 1]
                c = x[i, 2]
                if (a - a) + (b - b) + (c - c) != 0:  # NaN or infinity somewhere
                    nbad += (a - a != 0) + (b - b != 0) + (c - c != 0)
                    continue
                h0[min(max(int((a - l0) * s0), 0), top)] += 1
                h1[min(max(int((b - l1) * s1), 0), top)] += 1
                h2[min(max(int((c - l2) * s2), 0), top)] += 1
        else:
            for i in range(start, stop):
                for c in range(n_colors):
                    v = x[i, c]
                    if v - v != 0:  # NaN or infinity
                        nbad += 1
                    elif not use_sel or sel[i]:
                        j = int((v - lo[c]) * scale[c])
                        h[c, min(max(j, 0), top)] += 1
        bad[k] = nbad
    out = np.zeros((n_colors, n_bins), np.int64)
    for k in range(n_chunks):
        for c in range(n_colors):
            for b in range(n_bins):
                out[c, b] += hist[k, c, b]
    return out, sum_rows(bad.reshape(-1, 1))[0]


@sized
def counts_float(x, sel, lo, scale, n_bins):
    """Per-channel counts in ``n_bins`` equal bins from ``lo`` (bin = (v - lo) * scale).

    Returns ``(counts, n_bad)``: NaN and infinite values (anywhere, selected or not) are
    not counted but reported in ``n_bad``. Arithmetic is in the dtype of ``x``.
    """
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    return _counts_float(x, sel, lo.astype(dt), scale.astype(dt), n_bins,
                         _n_chunks(x.shape[0]))


@njit(parallel=True, **_opts)
def _map_float(x, lo, scale, pairs, out, clip, top):
    n_colors = lo.shape[0]
    n_total = x.shape[1]
    zero = top - top
    one = zero + 1
    if n_colors == 3 and n_total == 3 and clip:  # the common case, unrolled
        l0, l1, l2 = lo[0], lo[1], lo[2]
        s0, s1, s2 = scale[0], scale[1], scale[2]
        p0, p1, p2 = pairs[0], pairs[1], pairs[2]
        for i in prange(x.shape[0]):
            t = min(max((x[i, 0] - l0) * s0, zero), top)
            fl = np.floor(t)
            j = int(fl)
            out[i, 0] = min(max(p0[j, 0] + (t - fl) * p0[j, 1], zero), one)
            t = min(max((x[i, 1] - l1) * s1, zero), top)
            fl = np.floor(t)
            j = int(fl)
            out[i, 1] = min(max(p1[j, 0] + (t - fl) * p1[j, 1], zero), one)
            t = min(max((x[i, 2] - l2) * s2, zero), top)
            fl = np.floor(t)
            j = int(fl)
            out[i, 2] = min(max(p2[j, 0] + (t - fl) * p2[j, 1], zero), one)
        return
    for i in prange(x.shape[0]):
        for c in range(n_colors):
            t = (x[i, c] - lo[c]) * scale[c]
            t = min(max(t, zero), top)  # top: just below n_bins
            fl = np.floor(t)  # same float type as t
            j = int(fl)
            v = pairs[c, j, 0] + (t - fl) * pairs[c, j, 1]
            if clip:
                v = min(max(v, zero), one)
            out[i, c] = v
        for c in range(n_colors, n_total):
            out[i, c] = x[i, c]


@sized
def map_float(x, lo, scale, table, out, clip):
    """Piecewise-linear map: bin edges ``lo + j / scale`` go to ``table[c, j]``.

    Colors are mapped (and clipped to [0, 1] when ``clip``); extra channels
    (alpha) are copied. Arithmetic is in the dtype of ``x``; each bin's start
    value and slope sit side by side (one memory access per value).
    """
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    table = table.astype(dt)
    pairs = np.stack([table[:, :-1], np.diff(table, axis=1)], axis=-1)
    top = np.nextafter(dt.type(table.shape[1] - 1), dt.type(0))
    _map_float(x, lo.astype(dt), scale.astype(dt), np.ascontiguousarray(pairs), out, clip, top)


# --- exact float matching without a sort ---------------------------------------------------
# Values go to ``n_levels`` equal buckets between the channel's min and max (a monotone map).
# When no bucket holds two different values ("pure": e.g. float images made from 8-, 10-,
# 12- or 16-bit data), the buckets *are* the sorted unique values with their counts, so
# scikit-image's np.unique-based algorithm reduces to one counting pass and one look-up pass.
@njit(parallel=True, **_opts)
def _level_counts(x, sel, lo, scale, n_levels, n_chunks):
    n = x.shape[0]
    n_colors = lo.shape[0]
    cnt = np.zeros((n_chunks, n_colors, n_levels), np.int32)  # chunks hold < 2**31 pixels
    val = np.zeros((n_chunks, n_colors, n_levels), np.float64)
    mixed = np.zeros(n_chunks, np.bool_)
    step = (n + n_chunks - 1) // n_chunks
    use_sel = sel.shape[0] > 0
    top = n_levels - 1
    for k in prange(n_chunks):
        ck = cnt[k]
        vk = val[k]
        mx = False
        for i in range(k * step, min(n, (k + 1) * step)):
            if use_sel and not sel[i]:
                continue
            for c in range(n_colors):
                v = np.float64(x[i, c])
                b = min(max(int((v - lo[c]) * scale[c]), 0), top)
                if ck[c, b] == 0:
                    vk[c, b] = v
                elif vk[c, b] != v:
                    mx = True
                ck[c, b] += 1
        mixed[k] = mx
    counts = np.zeros((n_colors, n_levels), np.int64)
    values = np.full((n_colors, n_levels), np.inf)
    pure = not mixed.any()
    for k in range(n_chunks):
        for c in range(n_colors):
            for b in range(n_levels):
                m = cnt[k, c, b]
                if m:
                    if counts[c, b] == 0:
                        values[c, b] = val[k, c, b]
                    elif values[c, b] != val[k, c, b]:
                        pure = False
                    counts[c, b] += m
    return counts, values, pure


_level_counts_sized = sized(_level_counts)


def level_counts(x, sel, lo, scale, n_levels):
    """Per-channel bucket counts and values of the colors of ``x`` (float64 arithmetic).

    Returns ``(counts, values, pure)``: ``values[c, b]`` is the value in bucket ``b``
    (``inf`` when empty); ``pure`` is whether every bucket holds at most one distinct value.
    """
    n_chunks = get_num_threads() if x.shape[0] >= PARALLEL_MIN_PIXELS else 1
    return _level_counts_sized(x, sel, lo.astype(np.float64), scale.astype(np.float64),
                               n_levels, n_chunks)



@njit(parallel=True, **_opts)
def _map_levels(x, lo, scale, table, out, strength, clip):
    n_colors = lo.shape[0]
    n_total = x.shape[1]
    top = table.shape[1] - 1
    for i in prange(x.shape[0]):
        for c in range(n_colors):
            v = np.float64(x[i, c])
            b = min(max(int((v - lo[c]) * scale[c]), 0), top)
            m = table[c, b, 2] if v >= table[c, b, 0] else table[c, b, 1]
            if strength < 1.0:
                m = (1.0 - strength) * v + strength * m
            if clip:
                m = min(max(m, 0.0), 1.0)
            out[i, c] = m
        for c in range(n_colors, n_total):
            out[i, c] = x[i, c]


@sized
def map_levels(x, lo, scale, values, t_lo, t_hi, out, strength, clip):
    """Map each color to ``t_hi[c, b]`` (``t_lo`` below the bucket's value), blend, clip."""
    table = np.ascontiguousarray(np.stack([values, t_lo, t_hi], axis=-1))  # one cache line
    _map_levels(x, lo.astype(np.float64), scale.astype(np.float64), table, out,
                float(strength), bool(clip))


# --- the common case of the sort-free path: 3 colors, every pixel ----------------------------
# Counting checks nothing: each bucket's counts are spread over ``_LEVEL_COPIES`` copies (pixel
# i to copy i % copies, so neighbouring pixels with the same value, most of a photo, do not wait
# for each other's stores), and each bucket keeps the last value stored in it (a store that
# nothing waits for). Whether the buckets are pure is checked afterwards against that one
# value per bucket, read-only: by the mapping kernel as it maps (the image), or by a pass of
# its own (the reference). A bucket holding two values fails the check at a pixel whose value
# differs from the stored one. Arithmetic is in the dtype of ``x``, the same in every kernel,
# so all see the same buckets.
_LEVEL_COPIES = 4


@njit(inline="always")
def _bucket(v, lo, scale, top):
    return min(max(int((v - lo) * scale), 0), top)


@njit(inline="always")
def _count3(x, i, h0, h1, h2, u0, u1, u2, l0, l1, l2, s0, s1, s2, top):
    v0, v1, v2 = x[i, 0], x[i, 1], x[i, 2]
    j0 = _bucket(v0, l0, s0, top)
    j1 = _bucket(v1, l1, s1, top)
    j2 = _bucket(v2, l2, s2, top)
    h0[j0] += 1
    h1[j1] += 1
    h2[j2] += 1
    u0[j0] = v0
    u1[j1] = v1
    u2[j2] = v2


@njit(parallel=True, **_opts)
def _bucket_counts3(x, lo, scale, n_levels, n_chunks):
    n = x.shape[0]
    cnt = np.zeros((n_chunks, _LEVEL_COPIES * 3, n_levels), np.int32)  # < 2**31 per chunk
    val = np.full((n_chunks, 3, n_levels), np.inf, x.dtype)
    step = (n + n_chunks - 1) // n_chunks
    top = n_levels - 1
    l0, l1, l2 = lo[0], lo[1], lo[2]
    s0, s1, s2 = scale[0], scale[1], scale[2]
    for k in prange(n_chunks):
        h = cnt[k]
        a0, a1, a2, b0, b1, b2 = h[0], h[1], h[2], h[3], h[4], h[5]
        c0, c1, c2, d0, d1, d2 = h[6], h[7], h[8], h[9], h[10], h[11]
        u0, u1, u2 = val[k, 0], val[k, 1], val[k, 2]
        start, stop = k * step, min(n, (k + 1) * step)
        i = start
        while i + 4 <= stop:
            _count3(x, i, a0, a1, a2, u0, u1, u2, l0, l1, l2, s0, s1, s2, top)
            _count3(x, i + 1, b0, b1, b2, u0, u1, u2, l0, l1, l2, s0, s1, s2, top)
            _count3(x, i + 2, c0, c1, c2, u0, u1, u2, l0, l1, l2, s0, s1, s2, top)
            _count3(x, i + 3, d0, d1, d2, u0, u1, u2, l0, l1, l2, s0, s1, s2, top)
            i += 4
        while i < stop:
            _count3(x, i, a0, a1, a2, u0, u1, u2, l0, l1, l2, s0, s1, s2, top)
            i += 1
    counts = np.zeros((3, n_levels), np.int64)
    values = np.full((3, n_levels), np.inf, x.dtype)
    for k in range(n_chunks):
        for c in range(3):
            for b in range(n_levels):
                m = (cnt[k, c, b] + cnt[k, 3 + c, b]) + (cnt[k, 6 + c, b] + cnt[k, 9 + c, b])
                if m:
                    counts[c, b] += m
                    values[c, b] = val[k, c, b]  # one of the bucket's values
    return counts, values


@njit(parallel=True, **_opts)
def _bucket_check3(x, lo, scale, values, n_chunks):
    n = x.shape[0]
    top = values.shape[1] - 1
    l0, l1, l2 = lo[0], lo[1], lo[2]
    s0, s1, s2 = scale[0], scale[1], scale[2]
    t0, t1, t2 = values[0], values[1], values[2]
    bad = np.zeros(n_chunks, np.int64)
    step = (n + n_chunks - 1) // n_chunks
    for k in prange(n_chunks):
        nb = 0
        for i in range(k * step, min(n, (k + 1) * step)):
            v0, v1, v2 = x[i, 0], x[i, 1], x[i, 2]
            nb += ((t0[_bucket(v0, l0, s0, top)] != v0) + (t1[_bucket(v1, l1, s1, top)] != v1)
                   + (t2[_bucket(v2, l2, s2, top)] != v2))
        bad[k] = nb
    return bad.sum()


@njit(parallel=True, **_opts)
def _bucket_map3(x, lo, scale, values, lut, out, n_chunks):
    n = x.shape[0]
    n_total = x.shape[1]
    top = lut.shape[1] - 1
    l0, l1, l2 = lo[0], lo[1], lo[2]
    s0, s1, s2 = scale[0], scale[1], scale[2]
    t0, t1, t2 = values[0], values[1], values[2]
    m0, m1, m2 = lut[0], lut[1], lut[2]
    bad = np.zeros(n_chunks, np.int64)
    step = (n + n_chunks - 1) // n_chunks
    for k in prange(n_chunks):
        nb = 0
        for i in range(k * step, min(n, (k + 1) * step)):
            v0, v1, v2 = x[i, 0], x[i, 1], x[i, 2]
            j0 = _bucket(v0, l0, s0, top)
            j1 = _bucket(v1, l1, s1, top)
            j2 = _bucket(v2, l2, s2, top)
            nb += (t0[j0] != v0) + (t1[j1] != v1) + (t2[j2] != v2)
            out[i, 0] = m0[j0]
            out[i, 1] = m1[j1]
            out[i, 2] = m2[j2]
            for c in range(3, n_total):
                out[i, c] = x[i, c]
        bad[k] = nb
    return bad.sum()


def _chunks3(x, n_levels: int = 0) -> int:
    """Chunks per pass: several per thread (a thread slowed by another process leaves its
    later chunks to the others), one per thread for large tables (their copies and merge)."""
    if x.shape[0] < PARALLEL_MIN_PIXELS:
        return 1
    return get_num_threads() * (4 if n_levels <= 4096 else 1)


@sized
def bucket_counts3(x, lo, scale, n_levels):
    """Bucket counts of the first 3 channels of every pixel of a float ``x``, and one value
    per bucket (``inf`` when empty), both unchecked: see :func:`bucket_check3`."""
    dt = x.dtype
    counts, values = _bucket_counts3(x, lo.astype(dt), scale.astype(dt), n_levels,
                                     _chunks3(x, n_levels))
    return counts, values


@sized
def bucket_check3(x, lo, scale, values):
    """How many of the colors of ``x`` differ from their bucket's value (0: pure buckets)."""
    dt = x.dtype
    return int(_bucket_check3(x, lo.astype(dt), scale.astype(dt), values, _chunks3(x)))


@sized
def bucket_map3(x, lo, scale, values, lut, out):
    """``out[i, c] = lut[c, bucket]``, alpha copied; returns :func:`bucket_check3`'s count
    (``out`` is only the exact map when that is 0)."""
    dt = x.dtype
    return int(_bucket_map3(x, lo.astype(dt), scale.astype(dt), values, lut, out,
                            _chunks3(x)))
