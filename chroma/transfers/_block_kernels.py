"""Numba kernels for image moments gathered in fixed pixel blocks (private).

Each kernel cuts its ``(N, C)`` pixels into blocks of ``block`` rows (pixels)
counted from its first row, and returns one row of partial sums per block,
in float64 (the layout of :data:`chroma.transfers._blocks.PARTIAL`): the
number of pixels counted, the block's shift (its first pixel; for
:func:`lab_blocks` a constant per space), and the sums
of the shifted values and of their products. A block's partials depend only
on its own pixels, never on the number of threads or on where the array was
cut before, so a caller that feeds the same blocks in pieces (a streamed
recipe) gets the same numbers as one that feeds the whole image.

* :func:`rgb_blocks`: pixels ``x[:, :3] * scale`` (any float or uint dtype).
* :func:`lab_blocks`: CIELAB or lαβ of sRGB pixels, converted as the fused
  kernels of :mod:`chroma.transfers._reinhard_kernels` convert them, written to a
  float32 buffer on request (one pass converts and measures). Reinhard needs
  the per-channel spread only: the cross products are left at 0.

``sel`` (a flat bool array, or empty for all pixels) picks the pixels that
count. NumPy twins: :func:`chroma.transfers._blocks.np_partials`.
"""

from __future__ import annotations

import numpy as np

from chroma._core.parallel import loop_body, numba_module, sized
from chroma.transfers._reinhard_kernels import _BLOCK as _SUB
from chroma.transfers._reinhard_kernels import (
    SHIFT,
    _decode_float,
    _lab,
    _lab_unit,
    _lalphabeta,
)

numba = numba_module()
njit, prange = numba.njit, numba.prange

_opts = dict(cache=True, nogil=True)
_fast = dict(cache=True, nogil=True, fastmath=True)


@njit(parallel=True, **_opts)
def _rgb_blocks(x, sel, scale, block):
    n = x.shape[0]
    nb = (n + block - 1) // block
    out = np.empty((nb, 13))
    masked = sel.shape[0] > 0
    for j in prange(nb):
        a = j * block
        b = min(n, a + block)
        c0 = np.float64(x[a, 0]) * scale
        c1 = np.float64(x[a, 1]) * scale
        c2 = np.float64(x[a, 2]) * scale
        k = 0
        s0 = s1 = s2 = q00 = q01 = q02 = q11 = q12 = q22 = 0.0
        for i in range(a, b):
            if masked and not sel[i]:
                continue
            u = np.float64(x[i, 0]) * scale - c0
            v = np.float64(x[i, 1]) * scale - c1
            w = np.float64(x[i, 2]) * scale - c2
            k += 1
            s0 += u
            s1 += v
            s2 += w
            q00 += u * u
            q01 += u * v
            q02 += u * w
            q11 += v * v
            q12 += v * w
            q22 += w * w
        out[j, 0] = k
        out[j, 1] = c0
        out[j, 2] = c1
        out[j, 3] = c2
        out[j, 4] = s0
        out[j, 5] = s1
        out[j, 6] = s2
        out[j, 7] = q00
        out[j, 8] = q01
        out[j, 9] = q02
        out[j, 10] = q11
        out[j, 11] = q12
        out[j, 12] = q22
    return out


rgb_blocks = sized(_rgb_blocks)
rgb_blocks.__doc__ = """Per-block partials of ``x[:, :3] * scale`` (see the module)."""


def _make_lab_block(integer: bool, cielab: bool, masked: bool):
    """One block's partials (rows ``a:b`` of ``x``) into the row ``out``: the serial body of
    :func:`_make_lab_blocks`' parallel loop, a function of its own (see there)."""
    # closure constants (Numba's dead-branch pruning compiles only the branches each body
    # takes: the masked loop, even unused, kept the converting loop from vectorizing)

    c0 = SHIFT["lab" if cielab else "lalphabeta"]  # subtracted from channel 0

    @loop_body(nogil=True, fastmath=True)
    def block_sums(x, sel, dec, scale, lab, store, a, b, out):
        # Sub-blocks: the converting and summing loop writes Lab to a contiguous buffer
        # and `lab` gets it in a loop of its own (a strided store keeps a loop scalar);
        # with the integer CIELAB path's branch-free cube root that loop vectorizes (as
        # _reinhard_kernels' moments); a region's sums come from the buffer after it.
        # The shift is a constant per space (not the block's first pixel: computing
        # that would compile the conversion twice).
        buf = np.empty((3, _SUB))
        k = 0.0
        s0 = s1 = s2 = q00 = q01 = q02 = q11 = q12 = q22 = 0.0
        r0 = r1 = r2 = p00 = p11 = p22 = 0.0
        for b0 in range(a, b, _SUB):
            m = min(_SUB, b - b0)
            for t in range(m):
                i = b0 + t
                if integer:
                    r, g, bl = dec[x[i, 0]], dec[x[i, 1]], dec[x[i, 2]]
                else:
                    r = _decode_float(np.float64(x[i, 0]) * scale)
                    g = _decode_float(np.float64(x[i, 1]) * scale)
                    bl = _decode_float(np.float64(x[i, 2]) * scale)
                if cielab:
                    if integer:  # decoded levels lie in [0, 1]
                        L, A, B = _lab_unit(r, g, bl)
                    else:
                        L, A, B = _lab(r, g, bl)
                else:
                    L, A, B = _lalphabeta(r, g, bl)
                buf[0, t] = L
                buf[1, t] = A
                buf[2, t] = B
                L -= c0  # unmasked sums, in the converting loop: it vectorizes
                s0 += L
                s1 += A
                s2 += B
                q00 += L * L
                q11 += A * A
                q22 += B * B
            if masked:  # the region's sums instead, from the buffer (a scalar loop)
                for t in range(m):
                    if sel[b0 + t]:
                        u = buf[0, t] - c0
                        v = buf[1, t]
                        z = buf[2, t]
                        k += 1.0
                        r0 += u
                        r1 += v
                        r2 += z
                        p00 += u * u
                        p11 += v * v
                        p22 += z * z
            if store:
                for t in range(m):
                    lab[b0 + t, 0] = buf[0, t]
                    lab[b0 + t, 1] = buf[1, t]
                    lab[b0 + t, 2] = buf[2, t]
        if masked:
            s0, s1, s2, q00, q11, q22 = r0, r1, r2, p00, p11, p22
        else:
            k = float(b - a)
        out[0] = k
        out[1] = c0
        out[2] = 0.0
        out[3] = 0.0
        out[4] = s0
        out[5] = s1
        out[6] = s2
        out[7] = q00
        out[8] = q01
        out[9] = q02
        out[10] = q11
        out[11] = q12
        out[12] = q22

    return block_sums


# The block bodies, as module globals: the parallel kernels below call them by name. A
# closure over a dispatcher would break Numba's cache (its index hashes a kernel's closure
# variables, and a dispatcher pickles with a per-process id); named globals keep it.
_lab_u = _make_lab_block(True, True, False)
_lab_u_m = _make_lab_block(True, True, True)
_lab_f = _make_lab_block(False, True, False)
_lab_f_m = _make_lab_block(False, True, True)
_lab_ab_u = _make_lab_block(True, False, False)
_lab_ab_u_m = _make_lab_block(True, False, True)
_lab_ab_f = _make_lab_block(False, False, False)
_lab_ab_f_m = _make_lab_block(False, False, True)


def _make_lab_blocks(integer: bool, cielab: bool, masked: bool):
    # The parallel loop only calls the serial body of one block (a function of its own):
    # Numba's parfor passes over the whole body had cost 60 % of the compile (uint8 CIELAB,
    # first call 2.24 -> 0.89 s of CPU without them) for the same machine code. Dead-branch
    # pruning on the closure constants leaves one call, so only that body compiles.

    @njit(parallel=True, **_fast)
    def kernel(x, sel, dec, scale, lab, store, block):
        n = x.shape[0]
        nb = (n + block - 1) // block
        out = np.empty((nb, 13))
        for j in prange(nb):
            a = j * block
            b = min(n, a + block)
            if cielab:
                if integer:
                    if masked:
                        _lab_u_m(x, sel, dec, scale, lab, store, a, b, out[j])
                    else:
                        _lab_u(x, sel, dec, scale, lab, store, a, b, out[j])
                elif masked:
                    _lab_f_m(x, sel, dec, scale, lab, store, a, b, out[j])
                else:
                    _lab_f(x, sel, dec, scale, lab, store, a, b, out[j])
            elif integer:
                if masked:
                    _lab_ab_u_m(x, sel, dec, scale, lab, store, a, b, out[j])
                else:
                    _lab_ab_u(x, sel, dec, scale, lab, store, a, b, out[j])
            elif masked:
                _lab_ab_f_m(x, sel, dec, scale, lab, store, a, b, out[j])
            else:
                _lab_ab_f(x, sel, dec, scale, lab, store, a, b, out[j])
        return out

    return kernel


_LAB = {(space, integer, masked): sized(_make_lab_blocks(integer, space == "lab", masked))
        for space in ("lab", "lalphabeta") for integer in (True, False)
        for masked in (True, False)}


def lab_blocks(x, sel, dec, scale, lab, block, space="lab"):
    """Per-block partials of the CIELAB (or lαβ) values of the sRGB pixels ``x[:, :3]``.

    ``dec`` is :func:`chroma.transfers._reinhard_kernels.decode_table` for
    integer ``x`` (empty for float ``x``, which is multiplied by ``scale``);
    the converted pixels are written to ``lab`` unless it is empty.
    """
    if lab.shape[0] and np.may_share_memory(lab, x):
        raise ValueError("lab must not overlap x (the block kernels assume distinct arrays).")
    kernel = _LAB[space, x.dtype.kind == "u", sel.shape[0] > 0]
    return kernel(x, sel, dec, float(scale), lab, lab.shape[0] > 0, int(block))
