"""The color operators of :mod:`chroma.stylization` on the NumPy side (private).

An operator maps a pixel to a new a*b* at the pixel's own L*:

``a*b*(out) = start(r, g, b) + offset``

``start`` is a classical transfer (Reinhard or IDT in Lab, lightness kept)
tabulated on an RGB lattice; ``offset`` is what the optimizer learns:

``"grid"``
    a bilateral grid over (x, y, L*) of local affine a*b* maps (an offset
    and a 2x2 gain per node, as in bilateral guided upsampling [1]_), read
    by trilinear interpolation at the pixel's normalized position and
    lightness: ``offset = o + M @ start``. Smooth in space, sharp across L*
    edges; resolution-free. Its start is the identity (the input's own
    a*b*): the classical transfer is projected onto the grid instead, so
    the grain a global color map amplifies never appears.
``"lut"``
    a global volume over (L*, a*, b*) of the start color: the output
    depends only on the input color, so it exports as a ``.cube`` LUT.
``"free"``
    one a*b* offset per proxy pixel (for comparison); applied at another
    size by bilinear resampling of the offset field.

The full-resolution application is one Numba pass (``_kernels.py``); this
module holds its NumPy twin (:func:`apply_numpy`) and the plumbing.

.. [1] J. Chen, A. Adams, N. Wadhwa, S. W. Hasinoff, "Bilateral guided
       upsampling", ACM TOG 35(6), 2016.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from chroma.stylization._compat import (
    _INT_MAX,
    _np_keep_l,
    _np_lab_srgb_keep_l,
    _np_rgb_lab,
    convert,
)

OPERATORS = ("grid", "lut", "free")
_MODE = {"grid": 0, "lut": 1, "free": 2}
AB_RANGE = 110.0  # keep equal to _kernels.AB_RANGE
START_SIZE = 33
GRID_CHANNELS = 6  # a*b* offset and the 2x2 gain (minus identity) of the grid's affine maps
_NUMBA_MIN_PIXELS = 1 << 14
EDGE_FEATHER = 2.0  # px: the Gaussian that feathers regrain_chroma's edge weight


@dataclass
class Operator:
    """A fitted color operator (see the module docstring).

    Attributes
    ----------
    kind : {"grid", "lut", "free"}
    start : ndarray of float64, shape (2, S, S, S)
        Start a*b* at the RGB lattice point ``start[:, b, g, r]``.
    volume : ndarray of float64, shape (C, nz, ny, nx)
        grid: C = 6 (a*b* offset, then the gain minus identity ``M[0, 0], M[0, 1],
        M[1, 0], M[1, 1]``), z = L*, y, x; lut: C = 2 (a*b* offsets), z = b*,
        y = a*, x = L*.
        Empty for ``"free"``.
    offsets : ndarray of float32, shape (h, w, 2)
        Per-pixel offsets at the proxy size (``"free"`` only).
    blur : float
        Standard deviation (pixels of the image it is applied to) of a Gaussian
        that the a*b* change (to the gamut-mapped color) is convolved with; 0: none.
        The output's a*b* edges are then no sharper than the input's where the
        input's are soft (see :func:`soften_change`).
    gamut_blur : float
        Standard deviation (pixels of the image it is applied to) of a Gaussian
        that the keep-L* gamut map's own change (the chroma it removes from the
        operator's out-of-gamut colors) is convolved with before the map runs
        again; 0: none (see :func:`soften_gamut`). Not with ``blur``.
    """

    kind: str
    start: np.ndarray
    volume: np.ndarray = field(default_factory=lambda: np.zeros((2, 2, 2, 2)))
    offsets: np.ndarray | None = None
    blur: float = 0.0
    gamut_blur: float = 0.0


def volume_shape(kind: str, hw: tuple[int, int], cells: int, lightness_bins: int):
    """Shape ``(nz, ny, nx)`` of the offset volume for a proxy of shape ``hw``."""
    if kind == "grid":  # (GRID_CHANNELS, nz, ny, nx) volumes
        h, w = hw
        long = max(h, w)
        ny = max(3, round(cells * h / long) + 1)
        nx = max(3, round(cells * w / long) + 1)
        return (lightness_bins, ny, nx)
    if kind == "lut":
        return (cells + 1, cells + 1, lightness_bins)
    return (2, 2, 2)


def start_table(lut_rgb: np.ndarray) -> np.ndarray:
    """(S, S, S, 3) RGB LUT ``lut[r, g, b]`` -> (2, S, S, S) a*b* table ``[:, b, g, r]``."""
    lab = convert(np.clip(lut_rgb, 0.0, 1.0).astype(np.float32), "rgb", "lab",
                  backend="numpy").astype(np.float64)
    return np.ascontiguousarray(lab[..., 1:].transpose(3, 2, 1, 0))


def _np_cell(t: np.ndarray, n: int):
    p = np.clip(t, 0.0, 1.0) * (n - 1)
    i = np.clip(np.floor(p).astype(np.int64), 0, n - 2)
    return i, p - i


def np_trilinear(vol: np.ndarray, tx, ty, tz) -> np.ndarray:
    """Trilinear read of ``vol[c, z, y, x]`` at normalized coordinates: (N, C) float64.

    Examples
    --------
    >>> vol = np.arange(8.0).reshape(1, 2, 2, 2)
    >>> np_trilinear(vol, np.array([0.5]), np.array([0.0]), np.array([1.0]))
    array([[4.5]])
    """
    nz, ny, nx = vol.shape[1:]
    ix, fx = _np_cell(np.asarray(tx, np.float64), nx)
    iy, fy = _np_cell(np.asarray(ty, np.float64), ny)
    iz, fz = _np_cell(np.asarray(tz, np.float64), nz)
    out = np.zeros((len(ix), vol.shape[0]))
    for dz in (0, 1):
        wz = fz if dz else 1.0 - fz
        for dy in (0, 1):
            wy = fy if dy else 1.0 - fy
            for dx in (0, 1):
                wx = fx if dx else 1.0 - fx
                out += (wz * wy * wx)[:, None] * vol[:, iz + dz, iy + dy, ix + dx].T
    return out


def lattice_read(vol: np.ndarray, size: int) -> np.ndarray:
    """``vol`` (C, n, n, n) over the unit RGB cube (``[c, b, g, r]``), read on a ``size``³
    lattice: (C, size, size, size) in the same layout (trilinear; exact at the finer
    lattice's own trilinear reads when ``size - 1`` is a multiple of ``n - 1``).

    Examples
    --------
    >>> vol = np.arange(8.0).reshape(1, 2, 2, 2)
    >>> fine = lattice_read(vol, 3)
    >>> fine.shape, float(fine[0, 1, 1, 1]), float(fine[0, 2, 0, 2])
    ((1, 3, 3, 3), 3.5, 5.0)
    """
    axis = np.linspace(0.0, 1.0, size)
    b, g, r = np.meshgrid(axis, axis, axis, indexing="ij")
    out = np_trilinear(vol, r.ravel(), g.ravel(), b.ravel())
    return np.ascontiguousarray(out.T.reshape(vol.shape[0], size, size, size))


def _corners(t: np.ndarray, n: int):
    """The two nodes and their linear weights of normalized coordinates ``t`` on ``n`` nodes."""
    i, f = _np_cell(t, n)
    return (i, 1.0 - f), (i + 1, f)


def project_grid(lab: np.ndarray, start_ab: np.ndarray, target_ab: np.ndarray,
                 shape: tuple[int, int, int], ridge: float = 0.05) -> np.ndarray:
    """Least-squares projection of a recoloring onto a grid of affine a*b* maps.

    Each node's map (offset ``o``, gain ``G``: ``target ~ G @ start + o``) is the
    weighted least-squares fit of the pixels that touch it (trilinear
    weights over (x, y, L*), the splat of bilateral guided upsampling),
    shrunk toward the one global affine fit by ``ridge`` (a fraction of the
    node's weight; nodes no pixel touches get the global fit).

    Parameters
    ----------
    lab : ndarray, shape (h, w, 3)
        The image in Lab (its L* places a pixel along the grid's z axis).
    start_ab, target_ab : ndarray, shape (h, w, 2)
        The start a*b* and the recolored a*b* to reproduce.
    shape : tuple of int
        ``(nz, ny, nx)``.
    ridge : float, optional
        Shrinkage toward the global fit.

    Returns
    -------
    volume : ndarray of float64, shape (6, nz, ny, nx)
        Offsets, then gain minus identity (the layout of :class:`Operator`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> lab = rng.random((6, 8, 3)) * [100, 40, 40]
    >>> s = lab[..., 1:] - 20
    >>> vol = project_grid(lab, s, 0.5 * s + 3, (2, 2, 2))
    >>> bool(np.abs(vol[:2] - 3).max() < 1e-4), bool(np.abs(vol[[2, 5]] + 0.5).max() < 1e-4)
    (True, True)
    >>> bool(np.abs(vol[[3, 4]]).max() < 1e-4)  # no cross terms
    True
    """
    h, w = lab.shape[:2]
    nz, ny, nx = shape
    k = np.arange(h * w)
    x = np.concatenate([start_ab.reshape(-1, 2) / 50.0, np.ones((h * w, 1))], 1)
    y = target_ab.reshape(-1, 2).astype(np.float64)
    xx = np.einsum("ni,nj->nij", x, x).reshape(-1, 9)
    xy = np.einsum("ni,nj->nij", x, y).reshape(-1, 6)
    A = np.zeros((nz * ny * nx, 9))
    B = np.zeros((nz * ny * nx, 6))
    wsum = np.zeros(nz * ny * nx)
    cx = _corners((k % w + 0.5) / w, nx)
    cy = _corners((k // w + 0.5) / h, ny)
    cz = _corners(np.clip(lab.reshape(-1, 3)[:, 0] / 100.0, 0.0, 1.0), nz)
    for iz, wz in cz:
        for iy, wy in cy:
            for ix, wx in cx:
                node = (iz * ny + iy) * nx + ix
                wgt = wz * wy * wx
                wsum += np.bincount(node, wgt, minlength=len(wsum))
                for acc, val in ((A, xx), (B, xy)):
                    for c in range(val.shape[1]):
                        acc[:, c] += np.bincount(node, wgt * val[:, c], minlength=len(acc))
    eye = np.eye(3)
    p_global = np.linalg.solve(A.sum(0).reshape(3, 3) + 1e-6 * eye, B.sum(0).reshape(3, 2))
    lam = ridge * wsum + 1e-6
    lhs = A.reshape(-1, 3, 3) + lam[:, None, None] * eye
    rhs = B.reshape(-1, 3, 2) + lam[:, None, None] * p_global
    p = np.linalg.solve(lhs, rhs)  # (nodes, 3, 2): y = x @ p
    vol = np.empty((6, nz * ny * nx))
    vol[0], vol[1] = p[:, 2, 0], p[:, 2, 1]
    vol[2] = p[:, 0, 0] / 50.0 - 1.0  # gain[a, a] - 1
    vol[3] = p[:, 1, 0] / 50.0  # gain[a, b]
    vol[4] = p[:, 0, 1] / 50.0  # gain[b, a]
    vol[5] = p[:, 1, 1] / 50.0 - 1.0  # gain[b, b] - 1
    return vol.reshape(6, nz, ny, nx)


def smooth_lightness(volume: np.ndarray, amount: float) -> np.ndarray:
    """Diffuse a grid's maps along its L* axis (after the fit; the kernel is unchanged).

    The a*b* a grid gives changes with L* between its lightness levels; on texture
    (L* varying from pixel to pixel) that change becomes a*b* texture the input did not
    have. This runs the heat equation along z for a time of `amount` (in squared L*
    levels; reflecting ends), on every channel: levels' maps move toward their
    neighbours', the mean over z is kept, and space is left alone.

    Parameters
    ----------
    volume : ndarray, shape (C, nz, ny, nx)
        A grid volume (the layout of :class:`Operator`).
    amount : float
        Diffusion time; 0 returns a copy.

    Returns
    -------
    ndarray, same shape

    Examples
    --------
    >>> vol = np.zeros((1, 3, 1, 1)); vol[0, 1] = 3.0
    >>> out = smooth_lightness(vol, 0.25)
    >>> out[0, :, 0, 0].tolist(), float(out.sum())
    ([0.75, 1.5, 0.75], 3.0)
    """
    v = np.array(volume, dtype=np.float64)
    steps = int(np.ceil(amount / 0.25))
    for _ in range(steps):
        pad = np.concatenate([v[:, :1], v, v[:, -1:]], 1)
        v = v + (amount / steps) * (pad[:, :-2] - 2 * v + pad[:, 2:])
    return v


def cap_gain(volume: np.ndarray, cap: float) -> np.ndarray:
    """Limit each node's a*b* gain ``I + M`` of a grid to singular values <= `cap`.

    A gain above 1 multiplies the a*b* texture of the input. The offsets are kept.

    Examples
    --------
    >>> vol = np.zeros((6, 1, 1, 1)); vol[2] = vol[5] = 1.0  # gain 2 on a* and b*
    >>> out = cap_gain(vol, 1.5)
    >>> out[2:, 0, 0, 0].round(6).tolist()
    [0.5, 0.0, 0.0, 0.5]
    """
    v = np.array(volume, dtype=np.float64)
    g = v[2:].reshape(2, 2, -1).transpose(2, 0, 1) + np.eye(2)
    u, s, vt = np.linalg.svd(g)
    g = np.einsum("nij,nj,njk->nik", u, np.minimum(s, cap), vt) - np.eye(2)
    v[2:] = g.transpose(1, 2, 0).reshape(v[2:].shape)
    return v


def resample_offsets(offsets: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    """Bilinear (pixel-center) resampling of an (h, w, C) field to ``hw``: (H*W, C) float64."""
    h, w = offsets.shape[:2]
    H, W = hw
    ys = np.clip((np.arange(H) + 0.5) * h / H - 0.5, 0, h - 1)
    xs = np.clip((np.arange(W) + 0.5) * w / W - 0.5, 0, w - 1)
    y0 = np.minimum(np.floor(ys).astype(int), max(h - 2, 0))
    x0 = np.minimum(np.floor(xs).astype(int), max(w - 2, 0))
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    fy, fx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    f = offsets.astype(np.float64)
    top = f[y0][:, x0] * (1 - fx) + f[y0][:, x1] * fx
    bot = f[y1][:, x0] * (1 - fx) + f[y1][:, x1] * fx
    return np.ascontiguousarray((top * (1 - fy) + bot * fy).reshape(-1, offsets.shape[-1]))


def offsets_numpy(op: Operator, lab: np.ndarray, start_ab: np.ndarray, hw) -> np.ndarray:
    """The operator's (N, 2) offsets for pixels of Lab ``lab`` (N, 3) in an image ``hw``."""
    h, w = hw
    if op.kind == "free":
        return resample_offsets(op.offsets, hw)
    if op.kind == "grid":
        k = np.arange(h * w)
        v = np_trilinear(op.volume, (k % w + 0.5) / w, (k // w + 0.5) / h, lab[:, 0] / 100.0)
        return v[:, :2] + np.einsum("nij,nj->ni", v[:, 2:].reshape(-1, 2, 2), start_ab)
    return np_trilinear(op.volume, lab[:, 0] / 100.0,
                        (start_ab[:, 0] + AB_RANGE) / (2 * AB_RANGE),
                        (start_ab[:, 1] + AB_RANGE) / (2 * AB_RANGE))


def blur_taps(sigma: float) -> np.ndarray:
    """Normalized Gaussian taps of standard deviation ``sigma`` px, radius ``ceil(2 sigma)``.

    Examples
    --------
    >>> t = blur_taps(1.0)
    >>> len(t), round(float(t.sum()), 12), bool(t[2] == t.max())
    (5, 1.0, True)
    """
    r = max(1, int(np.ceil(2.0 * sigma)))
    t = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    return t / t.sum()


def soften_change(d: np.ndarray, sigma: float) -> np.ndarray:
    """An (H, W, C) a*b* change convolved with a Gaussian of ``sigma`` px (edges repeated).

    What an operator's ``blur`` does to the change it makes (the NumPy twin of the
    kernel's passes). The grid's change follows the input's L* edges, which are one
    pixel sharp, while the input's own a*b* edges are softer (chroma subsampling,
    demosaicing, resampling): input a*b* plus a sharp change has a*b* gradients the
    input did not have, on every silhouette. The softened change keeps the
    low-frequency colors and spreads each step over the input's chroma width.

    Examples
    --------
    >>> d = np.zeros((1, 9, 2)); d[:, 5:] = 10.0  # a one-pixel step
    >>> s = soften_change(d, 1.0)
    >>> bool(np.abs(np.diff(s[0, :, 0])).max() < 5), float(s[0, 0, 0]), float(s[0, -1, 0])
    (True, 0.0, 10.0)
    """
    taps = blur_taps(sigma)
    r = len(taps) // 2
    x = np.asarray(d, np.float64)
    for axis in (1, 0):
        pad = [(0, 0)] * x.ndim
        pad[axis] = (r, r)
        p = np.pad(x, pad, mode="edge")
        n = x.shape[axis]
        x = sum(t * np.take(p, np.arange(j, j + n), axis=axis) for j, t in enumerate(taps))
    return x


def soften_gamut(lightness: np.ndarray, ab: np.ndarray, hw: tuple[int, int],
                 sigma: float) -> np.ndarray:
    """The keep-L* gamut map's change to (N, 2) ``ab`` at (N, 1) ``lightness``, softened.

    What an operator's ``gamut_blur`` adds to its colors before the gamut map runs
    again (the NumPy twin of the kernel's two passes). The map lowers an out-of-gamut
    chroma to the sRGB boundary's at that pixel's L*, and the boundary changes with
    L*: where the operator's colors leave the gamut over L* texture (lit windows,
    glitter, hair) the mapped a*b* copies that texture, gradients the input had not.
    The map's change ``(t - 1) * ab`` convolved with a Gaussian of ``sigma`` px
    (edges repeated) removes about as much chroma, smoothly; the colors left
    outside are mapped again, by less.

    Returns
    -------
    ndarray of float64, shape (N, 2)

    Examples
    --------
    >>> L = np.full((1, 8, 1), 50.0); L[0, ::2] = 60.0  # L* texture
    >>> ab = np.tile([[90.0, 60.0]], (8, 1))  # one color, outside sRGB at both L*
    >>> t = _np_keep_l(np.concatenate([L.reshape(-1, 1), ab], 1))[0]
    >>> hard = t[:, None] * ab
    >>> soft = ab + soften_gamut(L.reshape(-1, 1), ab, (1, 8), 2.0)
    >>> bool(np.ptp(soft[1:-1, 0]) < np.ptp(hard[1:-1, 0]))  # less of L*'s texture
    True
    """
    t = _np_keep_l(np.concatenate([lightness, ab], 1))[0]
    removed = ((t - 1.0)[:, None] * ab).reshape(*hw, 2)
    return soften_change(removed, sigma).reshape(-1, 2)


def apply_numpy(rgb: np.ndarray, op: Operator, strength: float = 1.0,
                coef: np.ndarray | None = None) -> np.ndarray:
    """NumPy twin of the kernels: float (H, W, 3) sRGB in [0, 1] -> float32 (H, W, 3).

    ``coef``: a correction carried from a smaller image (:func:`regrain_coefficients`).
    """
    h, w = rgb.shape[:2]
    flat = np.clip(rgb.reshape(-1, 3).astype(np.float64), 0.0, 1.0)
    lab = _np_rgb_lab(rgb.reshape(-1, 3))
    start_ab = np_trilinear(op.start, flat[:, 0], flat[:, 1], flat[:, 2])
    off = offsets_numpy(op, lab, start_ab, (h, w))
    change = strength * (start_ab + off - lab[:, 1:])
    if op.blur > 0:  # the change to the gamut-mapped color, softened, then mapped again
        t = _np_keep_l(np.concatenate([lab[:, :1], lab[:, 1:] + change], 1))[0]
        change = t[:, None] * (lab[:, 1:] + change) - lab[:, 1:]
        change = soften_change(change.reshape(h, w, 2), op.blur).reshape(-1, 2)
    elif op.gamut_blur > 0:  # the gamut map's own change, softened, then mapped again
        change = change + soften_gamut(lab[:, :1], lab[:, 1:] + change, (h, w),
                                       op.gamut_blur)
    new = lab.copy()
    new[:, 1:] = lab[:, 1:] + change
    if coef is not None and coef.size:  # after the gamut map, then mapped again
        c = resample_offsets(coef, (h, w))
        new[:, 1:] = (_np_keep_l(new)[0][:, None] * new[:, 1:] + c[:, 6:]
                      + np.einsum("nij,nj->ni", c[:, :6].reshape(-1, 2, 3), lab))
    return _np_lab_srgb_keep_l(new).astype(np.float32).reshape(h, w, 3)


def apply(image: np.ndarray, op: Operator, strength: float = 1.0, *,
          backend: str = "auto", coef: np.ndarray | None = None) -> np.ndarray:
    """Apply ``op`` to a channels-last (H, W, 3) image: float32 [0, 1] or uint8/uint16.

    The output has the input's dtype. ``backend``: "auto" (Numba from 16 Ki
    pixels), "numba" or "numpy". ``coef`` (hs, ws, 8): an a*b* correction carried
    from a smaller image, added after the gamut map (:func:`regrain_coefficients`).
    """
    h, w = image.shape[:2]
    n = h * w
    if backend not in ("auto", "numba", "numpy"):
        raise ValueError(f"backend={backend!r}; choose from ['auto', 'numba', 'numpy'].")
    if op.blur > 0 and op.gamut_blur > 0:
        raise ValueError("an Operator softens either its change (blur) or its gamut map "
                         f"(gamut_blur), not both; got blur={op.blur}, "
                         f"gamut_blur={op.gamut_blur}.")
    if coef is not None:
        coef = np.ascontiguousarray(coef, dtype=np.float64)
    use_numba = backend == "numba" or (backend == "auto" and n >= _NUMBA_MIN_PIXELS)
    maxval = _INT_MAX.get(image.dtype)
    if not use_numba:
        x = image.astype(np.float32) / np.float32(maxval) if maxval else image
        out = apply_numpy(x, op, strength, coef)
        if maxval:
            return np.rint(np.clip(out, 0, 1) * maxval).astype(image.dtype)
        return out
    from chroma.stylization import _kernels as K

    field = (resample_offsets(op.offsets, (h, w)) if op.kind == "free"
             else np.zeros((1, 2)))
    vol = np.ascontiguousarray(op.volume, dtype=np.float64)
    start = np.ascontiguousarray(op.start, dtype=np.float64)
    flat = np.ascontiguousarray(image).reshape(-1, 3)
    out = np.empty_like(flat)
    sigma = op.blur if op.blur > 0 else op.gamut_blur
    taps = blur_taps(sigma) if sigma > 0 else None
    gamut = op.gamut_blur > 0
    if maxval:
        K.apply_int(flat, h, w, start, vol, field, _MODE[op.kind], float(strength),
                    K.decode_lut(int(maxval)), float(maxval), out, taps, gamut, coef)
    else:
        K.apply_float(flat, h, w, start, vol, field, _MODE[op.kind], float(strength), out,
                      taps, gamut, coef)
    return out.reshape(h, w, 3)


def lattice_lut(op: Operator, size: int) -> np.ndarray:
    """The global operator sampled on a ``size``³ RGB lattice: ``lut[r, g, b]`` (float32).

    A LUT is per color: an operator's ``gamut_blur`` (which needs neighbouring pixels) is
    left out of it.
    """
    op = replace(op, gamut_blur=0.0)
    axis = np.linspace(0.0, 1.0, size, dtype=np.float32)
    r, g, b = np.meshgrid(axis, axis, axis, indexing="ij")
    rgb = np.stack([r, g, b], -1).reshape(-1, 1, 3)
    out = apply(np.ascontiguousarray(rgb), op, 1.0, backend="numba")
    return out.reshape(size, size, size, 3)


def regrain_chroma(image: np.ndarray, out: np.ndarray, smoothness: float = 1.0,
                   edge: float = 0.0) -> np.ndarray:
    """Pitié's regrain of the a*b* of ``out`` toward the gradients of ``image``, L* kept.

    A chroma-only version of :func:`chroma.regrain` (Pitié et al. 2007): the
    solver (``chroma.transfers.regrain``'s pyramid of Jacobi sweeps) runs on
    CIELAB / 100 with the input's L* in both images, so only a*b* moves: the
    result keeps the low frequencies of ``out``'s colors and takes the input's
    a*b* gradients where the input is flat; the input's L* is put back and the
    color mapped into sRGB at that L* (:func:`chroma.spaces.gamut.lab_to_srgb_keep_lightness`).

    Parameters
    ----------
    image, out : ndarray of float32, shape (H, W, 3)
        The input and the stylized sRGB images in [0, 1].
    smoothness : float
        Regrain's ``smoothness`` (larger: the input's gradients followed across
        stronger edges).
    edge : float, optional
        0: the regrained a*b* everywhere. Above 0: only within a pixel of the
        input's L* edges steeper than ``edge`` L* units per pixel (where the
        grid's sharp change meets the input's soft a*b* edges), feathered by
        a Gaussian of ``EDGE_FEATHER`` px; elsewhere ``out``'s a*b* is kept.

    Returns
    -------
    ndarray of float32, shape (H, W, 3)

    Examples
    --------
    >>> img = np.full((24, 24, 3), 0.5, np.float32); img[:, 12:] = 0.8
    >>> out = img * np.float32(0.9) + np.float32(0.05)
    >>> r = regrain_chroma(img, np.clip(out, 0, 1))
    >>> r.shape, r.dtype
    ((24, 24, 3), dtype('float32'))
    """
    from chroma.spaces.gamut import lab_to_srgb_keep_lightness

    _, lo, ab = _regrain_ab(image, out, smoothness, edge)
    lo[..., 1:] = ab
    return lab_to_srgb_keep_lightness(lo)


def _regrain_ab(image: np.ndarray, out: np.ndarray, smoothness: float, edge: float):
    """:func:`regrain_chroma` before its gamut map: the input's Lab, ``out``'s Lab with the
    input's L*, and the regrained a*b* (float32)."""
    from chroma.transfers.regrain import _regrain_float

    li = convert(np.clip(image, 0.0, 1.0).astype(np.float32), "rgb", "lab")
    lo = convert(np.clip(out, 0.0, 1.0).astype(np.float32), "rgb", "lab")
    lo[..., 0] = li[..., 0]
    ab = 100.0 * _regrain_float(li / 100.0, lo / 100.0, smoothness=float(smoothness))[..., 1:]
    if edge > 0:  # feathered (a hard switch would put the difference back as a seam)
        from scipy.ndimage import gaussian_filter, maximum_filter

        gy, gx = np.gradient(li[..., 0])
        near = maximum_filter(np.hypot(gx, gy) > edge, size=3).astype(np.float32)
        wgt = np.clip(3.0 * gaussian_filter(near, EDGE_FEATHER, mode="nearest"), 0.0, 1.0)
        ab = lo[..., 1:] + wgt[..., None] * (ab - lo[..., 1:])
    return li, lo, ab


def area_resize(x: np.ndarray, side: int) -> np.ndarray:
    """Area average of an (H, W, 3) image (uint8/uint16 or float in [0, 1]) to long side
    ``side``: float32 in [0, 1] (a copy at its own size when it is not larger)."""
    from chroma.stylization._torch import _torch

    maxval = _INT_MAX.get(x.dtype)
    h, w = x.shape[:2]
    scale = side / max(h, w)
    if scale >= 1.0:
        y = x.astype(np.float32)
        return y / np.float32(maxval) if maxval else y
    torch = _torch()
    shape = (max(1, round(h * scale)), max(1, round(w * scale)))
    with torch.inference_mode():
        # channels last in memory (the float copy is contiguous; the pooling reads it so)
        t = torch.from_numpy(np.ascontiguousarray(x)).float()[None].permute(0, 3, 1, 2)
        t = torch.nn.functional.adaptive_avg_pool2d(t, shape)[0].permute(1, 2, 0)
        y = np.ascontiguousarray(t.numpy())
    return y / np.float32(maxval) if maxval else y


def regrain_coefficients(image: np.ndarray, out: np.ndarray, smoothness: float,
                         edge: float = 0.0, *, radius: int = 1,
                         eps: float = 4.0) -> np.ndarray:
    """The correction :func:`regrain_chroma` makes to ``out``, as a guided filter of the input.

    Solved at the size of ``image`` and ``out`` (float32 (h, w, 3) sRGB), the a*b*
    correction is fitted in each ``(2 radius + 1)²`` window as a linear function of
    the input's (L*, a*, b*) (the color guided filter of He, Sun & Tang, ECCV 2010;
    ``eps`` in Lab units², larger is smoother) and the window coefficients are
    averaged; read bilinearly at another size and applied to that size's own input
    colors (He & Sun's fast guided filter, arXiv 1505.00996, as
    :func:`chroma.colorization._decode.guided_upsample` does with L* alone), the
    correction keeps the input's edges. The regrain replaces the output's sharp
    a*b* steps along L* edges by the input's own a*b* transitions plus a constant:
    linear in the input's colors, window by window. This is how a regrain solved on
    a reduced copy reaches a full-size image (``coef`` of :func:`apply`).

    Returns
    -------
    coef : ndarray of float64, shape (h, w, 8)
        Per pixel: the a* correction's weights of (L*, a*, b*), the b* correction's,
        then the two intercepts.

    Examples
    --------
    >>> img = np.full((16, 16, 3), 0.4, np.float32); img[:, 8:] = 0.7
    >>> out = np.clip(img + np.float32(0.1) * (np.arange(16) % 2)[:, None, None], 0, 1)
    >>> regrain_coefficients(img, out.astype(np.float32), 0.1).shape
    (16, 16, 8)
    """
    lab_i, lab_o, ab = _regrain_ab(image, out, smoothness, edge)  # the kernel maps after
    g = lab_i.astype(np.float32)
    p = (ab - lab_o[..., 1:]).astype(np.float32)
    pairs = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]
    stats = _box(np.concatenate(
        [g, p] + [g[..., i:i + 1] * g[..., j:j + 1] for i, j in pairs]
        + [g[..., i:i + 1] * p[..., k:k + 1] for i in range(3) for k in range(2)], -1), radius)
    mg, mp = stats[..., :3], stats[..., 3:5]
    c = {ij: stats[..., 5 + n] - mg[..., ij[0]] * mg[..., ij[1]] for n, ij in enumerate(pairs)}
    s00, s01, s02 = c[0, 0] + eps, c[0, 1], c[0, 2]
    s11, s12, s22 = c[1, 1] + eps, c[1, 2], c[2, 2] + eps
    # the inverse of the symmetric 3x3 covariance (+ eps), by cofactors
    i00, i01, i02 = s11 * s22 - s12 * s12, s02 * s12 - s01 * s22, s01 * s12 - s02 * s11
    i11, i12, i22 = s00 * s22 - s02 * s02, s01 * s02 - s00 * s12, s00 * s11 - s01 * s01
    det = s00 * i00 + s01 * i01 + s02 * i02
    inv = np.stack([i00, i01, i02, i01, i11, i12, i02, i12, i22], -1).reshape(
        *g.shape[:2], 3, 3) / det[..., None, None]
    cov = (stats[..., 11:17].reshape(*g.shape[:2], 3, 2)
           - mg[..., :, None] * mp[..., None, :])
    a = inv @ cov  # (h, w, 3 guide, 2 out)
    b = mp - np.einsum("...ij,...i->...j", a, mg)
    a = np.swapaxes(a, -1, -2).reshape(*g.shape[:2], 6)  # the a* row, then the b* row
    return np.ascontiguousarray(_box(np.concatenate([a, b], -1), radius), dtype=np.float64)


def _box(v: np.ndarray, radius: int) -> np.ndarray:
    """Mean of (h, w, C) ``v`` over (2 radius + 1)² windows (edges repeated), float32."""
    from scipy.ndimage import uniform_filter1d

    n = 2 * radius + 1
    v = uniform_filter1d(np.asarray(v, np.float32), n, axis=0, mode="nearest")
    return uniform_filter1d(v, n, axis=1, mode="nearest")
