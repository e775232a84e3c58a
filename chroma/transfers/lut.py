"""3-D lookup tables: build, apply (trilinear / tetrahedral), read and write ``.cube``.

A LUT here is a float32 array of shape ``(n, n, n, 3)``: ``lut[r, g, b]`` is
the output RGB (in [0, 1]) for the input ``(r, g, b) / (n - 1)``. Any fitted
global transfer exports one with ``to_lut(size=33)``, so a grade found on one
still applies to many images or, through a ``.cube`` file, to video in
DaVinci Resolve, Premiere, or ffmpeg (``-vf lut3d=grade.cube``).

The ``.cube`` format (Adobe / Resolve): a ``LUT_3D_SIZE n`` line, optional
``TITLE``, ``DOMAIN_MIN``, ``DOMAIN_MAX`` and ``#`` comments, then ``n³`` lines
of three floats with **red varying fastest**.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from chroma._core.parallel import NUMBA_MIN_PIXELS as _NUMBA_MIN_PIXELS
from chroma._core.validate import _INT_MAX, check_image

__all__ = ["apply_lut", "identity_lut", "read_cube", "write_cube"]

_METHODS = ("trilinear", "tetrahedral")


def identity_lut(size: int = 33) -> np.ndarray:
    """The identity LUT: ``lut[r, g, b] == (r, g, b) / (size - 1)``, float32 (size, size, size, 3).

    Examples
    --------
    >>> identity_lut(2)[1, 0, 1]
    array([1., 0., 1.], dtype=float32)
    """
    axis = np.linspace(0.0, 1.0, size, dtype=np.float32)
    r, g, b = np.meshgrid(axis, axis, axis, indexing="ij")
    return np.stack([r, g, b], axis=-1)


def _check_lut(lut) -> np.ndarray:
    if isinstance(lut, (str, os.PathLike)):
        return read_cube(lut)
    if not isinstance(lut, np.ndarray):
        raise TypeError(f"`lut` must be an ndarray or a .cube path, got {type(lut).__name__}.")
    n = lut.shape[0] if lut.ndim == 4 else 0
    if lut.ndim != 4 or lut.shape != (n, n, n, 3) or n < 2:
        raise ValueError(f"`lut` must have shape (n, n, n, 3) with n >= 2, got {lut.shape}.")
    lut = np.ascontiguousarray(lut, dtype=np.float32)
    if not np.isfinite(lut).all():
        raise ValueError("`lut` contains NaN or infinite values.")
    return lut


# --- NumPy twins -----------------------------------------------------------------------------
def _np_cell(x, n):
    p = np.clip(x.astype(np.float64), 0.0, 1.0) * (n - 1)
    i = np.minimum(p.astype(np.int64), n - 2)
    return i, p - i


def _np_trilinear(x, lut):
    """Trilinear interpolation of ``lut`` at the ``(N, 3)`` points ``x`` in [0, 1]."""
    n = lut.shape[0]
    i, f = _np_cell(x, n)
    out = np.zeros((len(x), 3))
    for dr in (0, 1):
        wr = f[:, 0] if dr else 1 - f[:, 0]
        for dg in (0, 1):
            wg = f[:, 1] if dg else 1 - f[:, 1]
            for db in (0, 1):
                wb = f[:, 2] if db else 1 - f[:, 2]
                out += (wr * wg * wb)[:, None] * lut[i[:, 0] + dr, i[:, 1] + dg, i[:, 2] + db]
    return out


def _np_tetrahedral(x, lut):
    """Tetrahedral interpolation of ``lut`` at the ``(N, 3)`` points ``x`` in [0, 1]."""
    n = lut.shape[0]
    i, f = _np_cell(x, n)
    r, g, b = f[:, 0], f[:, 1], f[:, 2]

    def c(dr, dg, db):
        return lut[i[:, 0] + dr, i[:, 1] + dg, i[:, 2] + db].astype(np.float64)

    c000, c111 = c(0, 0, 0), c(1, 1, 1)
    out = np.empty((len(x), 3))
    # the six tetrahedra of the cube, by the order of the fractions
    cases = [
        ((r > g) & (g > b), (1 - r, r - g, g - b, b), ((1, 0, 0), (1, 1, 0))),
        ((r > g) & (g <= b) & (r > b), (1 - r, r - b, b - g, g), ((1, 0, 0), (1, 0, 1))),
        ((r > g) & (g <= b) & (r <= b), (1 - b, b - r, r - g, g), ((0, 0, 1), (1, 0, 1))),
        ((r <= g) & (b > g), (1 - b, b - g, g - r, r), ((0, 0, 1), (0, 1, 1))),
        ((r <= g) & (b <= g) & (b > r), (1 - g, g - b, b - r, r), ((0, 1, 0), (0, 1, 1))),
        ((r <= g) & (b <= g) & (b <= r), (1 - g, g - r, r - b, b), ((0, 1, 0), (1, 1, 0))),
    ]
    for sel, (w0, w1, w2, w3), (k1, k2) in cases:
        out[sel] = (w0[:, None] * c000 + w1[:, None] * c(*k1) + w2[:, None] * c(*k2)
                    + w3[:, None] * c111)[sel]
    return out


def _np_apply(x2d, lut, tetra, in_scale, out, out_scale, rint):
    """NumPy twin of :func:`chroma.transfers._lut_kernels.apply`."""
    pts = x2d[:, :3].astype(np.float64) * in_scale
    y = (_np_tetrahedral if tetra else _np_trilinear)(pts, lut)
    y = np.clip(y * out_scale, 0.0, out_scale)
    out[:, :3] = np.rint(y) if rint else y
    out[:, 3:] = x2d[:, 3:]


def apply_lut(image, lut, *, method: str = "tetrahedral", channel_axis: int = -1) -> np.ndarray:
    """Apply a 3-D LUT to an RGB(A) image.

    Parameters
    ----------
    image : ndarray
        RGB or RGBA; uint8, uint16 or float in [0, 1] (float values outside
        are clamped to the LUT's domain).
    lut : ndarray of shape (n, n, n, 3) or str or path
        The table (``lut[r, g, b]``), or a ``.cube`` file to read.
    method : {"tetrahedral", "trilinear"}, optional
        Interpolation inside each cell. Tetrahedral (4 corners, what Resolve
        and ffmpeg use by default) keeps the gray axis exactly on gray
        entries; trilinear blends all 8 corners.
    channel_axis : int, optional
        Channel axis of `image` and of the result.

    Returns
    -------
    out : ndarray
        Same shape and dtype as `image` (float16 gives float32); alpha copied.
        uint outputs are rounded.

    Examples
    --------
    >>> img = np.array([[[10, 128, 250]]], dtype=np.uint8)
    >>> apply_lut(img, identity_lut(17))
    array([[[ 10, 128, 250]]], dtype=uint8)
    >>> apply_lut(img, 1 - identity_lut(2), method="trilinear")
    array([[[245, 127,   5]]], dtype=uint8)
    """
    if method not in _METHODS:
        raise ValueError(f"method={method!r} is not supported; choose from {list(_METHODS)}.")
    lut = _check_lut(lut)
    arr = check_image(image, name="image", channel_axis=channel_axis, channels=(3, 4))
    if arr.dtype == np.float16:
        arr = arr.astype(np.float32)
    x2d = arr.reshape(-1, arr.shape[-1])
    out = np.empty(x2d.shape, dtype=arr.dtype)
    levels = _INT_MAX.get(arr.dtype)
    in_scale = 1.0 / levels if levels else 1.0
    out_scale = levels or 1.0
    if x2d.shape[0] >= _NUMBA_MIN_PIXELS:
        from chroma.transfers import _lut_kernels as K

        K.apply(x2d, lut, method == "tetrahedral", in_scale, out, out_scale, bool(levels))
    else:
        _np_apply(x2d, lut, method == "tetrahedral", in_scale, out, out_scale, bool(levels))
    out = out.reshape(arr.shape)
    if channel_axis not in (-1, 2):
        out = np.moveaxis(out, -1, channel_axis)
    return out


# --- .cube files -----------------------------------------------------------------------------
def read_cube(path) -> np.ndarray:
    """Read a 3-D ``.cube`` LUT.

    Parameters
    ----------
    path : str or path
        A ``.cube`` file with ``LUT_3D_SIZE`` (a 1-D ``LUT_1D_SIZE`` file is
        refused). ``DOMAIN_MIN`` / ``DOMAIN_MAX`` other than 0 and 1 are
        refused too.

    Returns
    -------
    lut : ndarray of float32, shape (n, n, n, 3)
        ``lut[r, g, b]``.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "id.cube")
    >>> write_cube(path, identity_lut(3))
    >>> bool(np.allclose(read_cube(path), identity_lut(3)))
    True
    """
    path = Path(path)
    size = None
    rows: list[list[float]] = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            key = line.split(None, 1)[0].upper()
            if key == "LUT_3D_SIZE":
                parts = line.split()
                try:
                    size = int(parts[1])
                except (IndexError, ValueError):
                    raise ValueError(
                        f"{str(path)!r} line {lineno}: LUT_3D_SIZE must be followed by an "
                        f"integer, got {line!r}."
                    ) from None
            elif key == "LUT_1D_SIZE":
                raise ValueError(f"{str(path)!r} is a 1-D LUT (LUT_1D_SIZE); only 3-D LUTs are "
                                 "supported.")
            elif key in ("DOMAIN_MIN", "DOMAIN_MAX"):
                want = 0.0 if key == "DOMAIN_MIN" else 1.0
                vals = [float(v) for v in line.split()[1:4]]
                if any(abs(v - want) > 1e-6 for v in vals):
                    raise ValueError(f"{str(path)!r}: {key} {vals} is not supported "
                                     f"(only {want:g} {want:g} {want:g}).")
            elif key in ("TITLE", "LUT_3D_INPUT_RANGE", "LUT_1D_INPUT_RANGE"):
                continue
            elif key[0].isdigit() or key[0] in "-+.":
                try:
                    vals = [float(v) for v in line.split()]
                except ValueError:
                    raise ValueError(f"{str(path)!r} line {lineno}: expected 3 numbers, got "
                                     f"{line!r}") from None
                if len(vals) != 3:
                    raise ValueError(f"{str(path)!r} line {lineno}: expected 3 numbers, got "
                                     f"{line!r}")
                rows.append(vals)
            # other keywords (vendor extensions) are ignored
    if size is None:
        raise ValueError(f"{str(path)!r} has no LUT_3D_SIZE line; is it a .cube file?")
    if size < 2 or len(rows) != size**3:
        raise ValueError(f"{str(path)!r}: LUT_3D_SIZE {size} needs {size**3} rows, found "
                         f"{len(rows)}.")
    data = np.asarray(rows, dtype=np.float32).reshape(size, size, size, 3)  # [b, g, r]
    return _check_lut(np.ascontiguousarray(data.transpose(2, 1, 0, 3)))


def write_cube(path, lut, *, title: str | None = None, overwrite: bool = False) -> None:
    """Write a 3-D LUT as a ``.cube`` file (red fastest, 6 decimals).

    Parameters
    ----------
    path : str or path
        Output file (written atomically).
    lut : ndarray of shape (n, n, n, 3)
        ``lut[r, g, b]`` in [0, 1].
    title : str, optional
        The ``TITLE`` line.
    overwrite : bool, optional
        Replace an existing file; without it an existing `path` raises FileExistsError.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "identity.cube")
    >>> write_cube(path, identity_lut(2), title="identity")
    >>> with open(path) as fh:
    ...     for line in fh.read().splitlines()[:6]:
    ...         print(line)
    TITLE "identity"
    LUT_3D_SIZE 2
    DOMAIN_MIN 0.0 0.0 0.0
    DOMAIN_MAX 1.0 1.0 1.0
    0.000000 0.000000 0.000000
    1.000000 0.000000 0.000000
    >>> write_cube(path, identity_lut(2))
    Traceback (most recent call last):
    ...
    FileExistsError: '...identity.cube' exists; pass overwrite=True to replace it.
    """
    lut = _check_lut(lut)
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{str(path)!r} exists; pass overwrite=True to replace it.")
    n = lut.shape[0]
    lines = []
    if title:
        lines.append(f'TITLE "{title}"')
    lines += [f"LUT_3D_SIZE {n}", "DOMAIN_MIN 0.0 0.0 0.0", "DOMAIN_MAX 1.0 1.0 1.0"]
    body = lut.transpose(2, 1, 0, 3).reshape(-1, 3).astype(np.float64)
    text = "\n".join(lines) + "\n" + "\n".join(f"{r:.6f} {g:.6f} {b:.6f}" for r, g, b in body)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
