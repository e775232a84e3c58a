"""Numba kernels for :mod:`chroma.metrics` (private).

:func:`ciede2000` maps two ``(N, 3)`` CIELAB arrays (float32 or float64) to
``(N,)`` float64, in parallel over pixels, with float64 arithmetic. Its NumPy
twin is :func:`chroma.metrics._ciede2000_flat`; the tests compare the two.
Importing this module compiles nothing.
"""

from __future__ import annotations

import math

import numpy as np

from chroma._core.parallel import numba_module

numba = numba_module()  # chroma's threading layer, selected before the first launch
njit, prange = numba.njit, numba.prange

_opts = dict(cache=True, nogil=True, error_model="numpy")
TWO_PI = 2.0 * math.pi
POW25_7 = 25.0**7
R30 = math.radians(30.0)
R6 = math.radians(6.0)
R63 = math.radians(63.0)


@njit(inline="always", **_opts)
def _de00(L1, a1, b1, L2, a2, b2, kL, kC, kH):
    c_bar = 0.5 * (math.hypot(a1, b1) + math.hypot(a2, b2))
    c7 = c_bar**7
    g = 0.5 * (1.0 - math.sqrt(c7 / (c7 + POW25_7)))
    a1p = (1.0 + g) * a1
    a2p = (1.0 + g) * a2
    c1p = math.hypot(a1p, b1)
    c2p = math.hypot(a2p, b2)
    h1p = math.atan2(b1, a1p) % TWO_PI
    h2p = math.atan2(b2, a2p) % TWO_PI
    cc = c1p * c2p
    h_sum = h1p + h2p
    if cc == 0.0:
        dh = 0.0
        h_bar = h_sum
    else:
        dh = h2p - h1p
        if dh > math.pi:
            dh -= TWO_PI
        elif dh < -math.pi:
            dh += TWO_PI
        if abs(h1p - h2p) <= math.pi:
            h_bar = 0.5 * h_sum
        elif h_sum < TWO_PI:
            h_bar = 0.5 * (h_sum + TWO_PI)
        else:
            h_bar = 0.5 * (h_sum - TWO_PI)
    dl = L2 - L1
    dc = c2p - c1p
    dH = 2.0 * math.sqrt(cc) * math.sin(0.5 * dh)
    l_bar = 0.5 * (L1 + L2)
    c_bar_p = 0.5 * (c1p + c2p)
    t = (
        1.0
        - 0.17 * math.cos(h_bar - R30)
        + 0.24 * math.cos(2.0 * h_bar)
        + 0.32 * math.cos(3.0 * h_bar + R6)
        - 0.20 * math.cos(4.0 * h_bar - R63)
    )
    x = (math.degrees(h_bar) - 275.0) / 25.0
    d_theta = R30 * math.exp(-x * x)
    c7p = c_bar_p**7
    r_c = 2.0 * math.sqrt(c7p / (c7p + POW25_7))
    l50 = (l_bar - 50.0) ** 2
    s_l = 1.0 + 0.015 * l50 / math.sqrt(20.0 + l50)
    s_c = 1.0 + 0.045 * c_bar_p
    s_h = 1.0 + 0.015 * c_bar_p * t
    r_t = -math.sin(2.0 * d_theta) * r_c
    tl = dl / (kL * s_l)
    tc = dc / (kC * s_c)
    th = dH / (kH * s_h)
    return math.sqrt(max(tl * tl + tc * tc + th * th + r_t * tc * th, 0.0))


@njit(parallel=True, **_opts)
def ciede2000(p, q, kL, kC, kH):
    n = p.shape[0]
    out = np.empty(n, dtype=np.float64)
    for i in prange(n):
        f64 = np.float64  # float() would keep float32 input in float32
        out[i] = _de00(
            f64(p[i, 0]), f64(p[i, 1]), f64(p[i, 2]),
            f64(q[i, 0]), f64(q[i, 1]), f64(q[i, 2]),
            kL, kC, kH,
        )
    return out
