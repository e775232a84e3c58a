"""Image moments gathered in fixed pixel blocks: the same numbers however the image is fed.

Reinhard's and the affine transfers' statistics (per-channel mean and
covariance, in sRGB or CIELAB / lαβ) are sums over every pixel. They are
taken in blocks of :data:`BLOCK` pixels (rows of the flat ``(N, C)`` pixel
array, counted from its first row): float64 partial sums per block (shifted
by the block's first pixel, which keeps ``E[xx] - E[x]^2`` from cancelling),
combined in block order. A block's partials depend only on its pixels, so

* the result does not depend on the number of threads;
* a streamed recipe (:mod:`chroma.pipeline._stream`), which converts the
  image to float32 a few blocks at a time, gets the in-memory numbers bit
  for bit without ever holding a full-size float copy;
* a region (``sel``) is counted inside each block, with no copy of it.

Arrays of fewer than :data:`~chroma._core.parallel.NUMBA_MIN_PIXELS` pixels
use the NumPy twins (exact formulas; no Numba compilation); a caller that
feeds an image in pieces passes ``kernel`` for the whole image.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> x = rng.random((3 * BLOCK, 3))
>>> mean, cov = combine(rgb_partials(x, kernel=False))
>>> bool(np.allclose(cov, np.cov(x.T, bias=True)))
True
>>> fed = [rgb_partials(x[:BLOCK], kernel=False), rgb_partials(x[BLOCK:], kernel=False)]
>>> bool(np.array_equal(combine(fed)[1], cov))
True
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from chroma._core.parallel import NUMBA_MIN_PIXELS

__all__ = ["BLOCK", "PARTIAL", "combine", "lab_partials", "mean_std", "rgb_partials"]

#: pixels per statistics block (fixed: results must not depend on how an image is fed)
BLOCK = 1 << 15
#: the columns of one block's partials
PARTIAL = ("n", "shift0", "shift1", "shift2", "s0", "s1", "s2",
           "q00", "q01", "q02", "q11", "q12", "q22")
_UPPER = ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))


def _use_kernel(n: int, kernel: bool | None) -> bool:
    return n >= NUMBA_MIN_PIXELS if kernel is None else bool(kernel)


def _sel(sel: np.ndarray | None) -> np.ndarray:
    return np.zeros(0, dtype=bool) if sel is None else np.ascontiguousarray(sel, dtype=bool)


def np_partials(values: np.ndarray, sel: np.ndarray | None, block: int = BLOCK) -> np.ndarray:
    """NumPy twin of the kernels: per-block partials of float64 ``(N, 3)`` `values`."""
    n = values.shape[0]
    out = np.empty((-(-n // block), len(PARTIAL)))
    for j, a in enumerate(range(0, n, block)):
        v = values[a:a + block]
        shift = v[0].copy()
        d = v if sel is None else v[sel[a:a + block]]
        d = d - shift
        q = d.T @ d
        out[j, 0] = d.shape[0]
        out[j, 1:4] = shift
        out[j, 4:7] = d.sum(axis=0)
        out[j, 7:] = [q[r, c] for r, c in _UPPER]
    return out


def rgb_partials(x: np.ndarray, sel: np.ndarray | None = None, scale: float = 1.0, *,
                 kernel: bool | None = None) -> np.ndarray:
    """Per-block partials of ``x[:, :3] * scale`` (pixels where `sel`, all without it).

    `kernel`: take the Numba kernel (default: when `x` has at least
    ``NUMBA_MIN_PIXELS`` pixels).
    """
    if _use_kernel(x.shape[0], kernel):
        from chroma.transfers import _block_kernels as K

        return K.rgb_blocks(x, _sel(sel), float(scale), BLOCK)
    values = x[:, :3].astype(np.float64)
    if scale != 1.0:
        values *= scale
    return np_partials(values, sel)


def lab_partials(x: np.ndarray, sel: np.ndarray | None = None, scale: float = 1.0,
                 lab: np.ndarray | None = None, space: str = "lab", *,
                 kernel: bool | None = None) -> np.ndarray:
    """Per-block partials of the CIELAB (or lαβ) values of sRGB pixels ``x[:, :3] * scale``.

    Integer `x` is decoded exactly (its `scale` is implied by the dtype). The
    converted pixels are written to `lab` (float32 ``(N, 3)``) when given.
    """
    if _use_kernel(x.shape[0], kernel):
        from chroma.transfers import _block_kernels as K
        from chroma.transfers import _reinhard_kernels as RK

        integer = x.dtype.kind == "u"
        dec = RK.decode_table(x.dtype) if integer else np.zeros(0)
        buf = lab if lab is not None else np.zeros((0, 3), np.float32)
        return K.lab_blocks(x, _sel(sel), dec, 1.0 if integer else scale, buf, BLOCK, space)
    from chroma.spaces import convert_pixels

    rgb = x[:, :3].astype(np.float64) * scale
    values = np.asarray(convert_pixels(rgb, "rgb", space, backend="numpy"), dtype=np.float64)
    if lab is not None and lab.shape[0]:
        lab[...] = values
    return np_partials(values, sel)


def combine(partials: np.ndarray | Iterable[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Mean (3,) and population covariance (3, 3), float64, from the blocks' partials in order.

    Each block's mean and scatter, merged exactly: ``M2 = sum(M2_j) + sum(n_j d_j d_j^T)``
    with ``d_j`` the block mean minus the overall mean.
    """
    if not isinstance(partials, np.ndarray):
        partials = list(partials)
        partials = np.concatenate(partials) if partials else np.zeros((0, len(PARTIAL)))
    p = partials
    p = p[p[:, 0] > 0]
    n_j = p[:, 0]
    n = n_j.sum()
    if not n:
        return np.zeros(3), np.zeros((3, 3))
    s = p[:, 4:7]
    mean_j = p[:, 1:4] + s / n_j[:, None]
    mean = (n_j[:, None] * mean_j).sum(axis=0) / n
    q = np.empty((p.shape[0], 3, 3))
    for k, (r, c) in enumerate(_UPPER):
        q[:, r, c] = q[:, c, r] = p[:, 7 + k]
    m2_j = q - s[:, :, None] * s[:, None, :] / n_j[:, None, None]
    d = mean_j - mean
    m2 = m2_j.sum(axis=0) + np.einsum("j,jr,jc->rc", n_j, d, d)
    return mean, m2 / n


def mean_std(partials) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation from the blocks' partials (see :func:`combine`)."""
    mean, cov = combine(partials)
    return mean, np.sqrt(np.maximum(np.diag(cov), 0.0))
