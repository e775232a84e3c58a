"""The color operators of :mod:`chroma.stylization` on the NumPy side (private).

An operator maps a pixel to a new a*b* at the pixel's own L*:

``a*b*(out) = start(r, g, b) + offset``

``start`` is a classical transfer (Reinhard or IDT in Lab, lightness kept)
tabulated on an RGB lattice; ``offset`` is what the optimizer learns:

``"grid"``
    a bilateral grid over (x, y, L*): a volume of a*b* offsets read by
    trilinear interpolation at the pixel's normalized position and
    lightness. Smooth in space, sharp across L* edges; resolution-free.
``"lut"``
    a global volume over (L*, a*, b*) of the start color: the output
    depends only on the input color, so it exports as a ``.cube`` LUT.
``"free"``
    one a*b* offset per proxy pixel (for comparison); applied at another
    size by bilinear resampling of the offset field.

The full-resolution application is one Numba pass (``_kernels.py``); this
module holds its NumPy twin (:func:`apply_numpy`) and the plumbing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from chroma.stylization._compat import _INT_MAX, _np_lab_srgb_keep_l, _np_rgb_lab, convert

OPERATORS = ("grid", "lut", "free")
_MODE = {"grid": 0, "lut": 1, "free": 2}
AB_RANGE = 110.0  # keep equal to _kernels.AB_RANGE
START_SIZE = 33
_NUMBA_MIN_PIXELS = 1 << 14


@dataclass
class Operator:
    """A fitted color operator (see the module docstring).

    Attributes
    ----------
    kind : {"grid", "lut", "free"}
    start : ndarray of float64, shape (2, S, S, S)
        Start a*b* at the RGB lattice point ``start[:, b, g, r]``.
    volume : ndarray of float64, shape (2, nz, ny, nx)
        a*b* offsets (grid: z = L*, y, x; lut: z = b*, y = a*, x = L*).
        Empty for ``"free"``.
    offsets : ndarray of float32, shape (h, w, 2)
        Per-pixel offsets at the proxy size (``"free"`` only).
    """

    kind: str
    start: np.ndarray
    volume: np.ndarray = field(default_factory=lambda: np.zeros((2, 2, 2, 2)))
    offsets: np.ndarray | None = None


def volume_shape(kind: str, hw: tuple[int, int], cells: int, lightness_bins: int):
    """Shape ``(nz, ny, nx)`` of the offset volume for a proxy of shape ``hw``."""
    if kind == "grid":
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


def resample_offsets(offsets: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    """Bilinear (pixel-center) resampling of an (h, w, 2) field to ``hw``: (H*W, 2) float64."""
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
    return np.ascontiguousarray((top * (1 - fy) + bot * fy).reshape(-1, 2))


def offsets_numpy(op: Operator, lab: np.ndarray, start_ab: np.ndarray, hw) -> np.ndarray:
    """The operator's (N, 2) offsets for pixels of Lab ``lab`` (N, 3) in an image ``hw``."""
    h, w = hw
    if op.kind == "free":
        return resample_offsets(op.offsets, hw)
    if op.kind == "grid":
        k = np.arange(h * w)
        return np_trilinear(op.volume, (k % w + 0.5) / w, (k // w + 0.5) / h, lab[:, 0] / 100.0)
    return np_trilinear(op.volume, lab[:, 0] / 100.0,
                        (start_ab[:, 0] + AB_RANGE) / (2 * AB_RANGE),
                        (start_ab[:, 1] + AB_RANGE) / (2 * AB_RANGE))


def apply_numpy(rgb: np.ndarray, op: Operator, strength: float = 1.0) -> np.ndarray:
    """NumPy twin of the kernels: float (H, W, 3) sRGB in [0, 1] -> float32 (H, W, 3)."""
    h, w = rgb.shape[:2]
    flat = np.clip(rgb.reshape(-1, 3).astype(np.float64), 0.0, 1.0)
    lab = _np_rgb_lab(rgb.reshape(-1, 3))
    start_ab = np_trilinear(op.start, flat[:, 0], flat[:, 1], flat[:, 2])
    off = offsets_numpy(op, lab, start_ab, (h, w))
    new = lab.copy()
    new[:, 1:] = lab[:, 1:] + strength * (start_ab + off - lab[:, 1:])
    return _np_lab_srgb_keep_l(new).astype(np.float32).reshape(h, w, 3)


def apply(image: np.ndarray, op: Operator, strength: float = 1.0, *,
          backend: str = "auto") -> np.ndarray:
    """Apply ``op`` to a channels-last (H, W, 3) image: float32 [0, 1] or uint8/uint16.

    The output has the input's dtype. ``backend``: "auto" (Numba from 16 Ki
    pixels), "numba" or "numpy".
    """
    h, w = image.shape[:2]
    n = h * w
    if backend not in ("auto", "numba", "numpy"):
        raise ValueError(f"backend={backend!r}; choose from ['auto', 'numba', 'numpy'].")
    use_numba = backend == "numba" or (backend == "auto" and n >= _NUMBA_MIN_PIXELS)
    maxval = _INT_MAX.get(image.dtype)
    if not use_numba:
        x = image.astype(np.float32) / np.float32(maxval) if maxval else image
        out = apply_numpy(x, op, strength)
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
    if maxval:
        K.apply_int(flat, h, w, start, vol, field, _MODE[op.kind], float(strength),
                    K.decode_lut(int(maxval)), float(maxval), out)
    else:
        K.apply_float(flat, h, w, start, vol, field, _MODE[op.kind], float(strength), out)
    return out.reshape(h, w, 3)


def lattice_lut(op: Operator, size: int) -> np.ndarray:
    """The global operator sampled on a ``size``³ RGB lattice: ``lut[r, g, b]`` (float32)."""
    axis = np.linspace(0.0, 1.0, size, dtype=np.float32)
    r, g, b = np.meshgrid(axis, axis, axis, indexing="ij")
    rgb = np.stack([r, g, b], -1).reshape(-1, 1, 3)
    out = apply(np.ascontiguousarray(rgb), op, 1.0, backend="numba")
    return out.reshape(size, size, size, 3)
