"""Images larger than memory: apply a fitted step from disk to disk, band by band.

:func:`apply_file` reads a ``.npy`` file or a TIFF (raw rows when it is
uncompressed, else decoded strip by strip or tile by tile), fits the step's
image statistics on a sample of the file (every k-th row and column, about
`sample_pixels` pixels; the whole image when it has fewer), and writes the
result band by band to a ``.npy`` or a tiled, zlib-compressed TIFF. Only a
band of rows and the sample are in memory at a time: pixels go through plain
file reads and writes (a memory map's touched pages would count as the
process's memory). The write is atomic (:func:`chroma.io.atomic_path`) and
never replaces the input.

The steps it takes are those the door applies in tiles
(:func:`chroma._core.base.transform_checked`): Reinhard, MKL, palette
transfer, IDT (without regrain), sliced OT, toning. The tile size is
:func:`chroma.set_tile_pixels`'s (:mod:`chroma._core.tiles`); results do not
depend on it.

Examples
--------
>>> import os, tempfile
>>> from chroma.toning import ToneStep
>>> folder = tempfile.mkdtemp()
>>> src, dst = os.path.join(folder, "in.npy"), os.path.join(folder, "out.npy")
>>> np.save(src, np.full((64, 48, 3), 120, np.uint8))
>>> _ = apply_file(ToneStep().fit(), src, dst)
>>> out = np.load(dst)
>>> out.shape, out.dtype, bool((out == ToneStep().fit().transform(np.load(src))).all())
((64, 48, 3), dtype('uint8'), True)
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from chroma._core.parallel import NUMBA_MIN_PIXELS
from chroma._core.tiles import get_tile_pixels, set_tile_pixels

__all__ = ["SAMPLE_PIXELS", "apply_file", "set_tile_pixels"]

SAMPLE_PIXELS = 4_000_000
_TIFF_TILE = 256
_NPY = (".npy",)
_TIFF = (".tif", ".tiff")


def _kind(path: Path, name: str) -> str:
    ext = path.suffix.lower()
    if ext in _NPY:
        return "npy"
    if ext in _TIFF:
        return "tiff"
    raise ValueError(f"`{name}` must be a .npy or .tif/.tiff file, got {str(path)!r}.")


class _Source:
    """Row bands of a .npy or TIFF file, without reading the whole of it at once.

    Raw pixel data (a .npy, an uncompressed TIFF) is read band by band with
    ordinary reads (no memory map, whose touched pages would count as the
    process's memory); compressed TIFFs are decoded segment by segment.
    """

    def __init__(self, path: Path):
        self.path = path
        self._offset = None
        self._page = self._file = None
        if _kind(path, "src") == "npy":
            with open(path, "rb") as fh:
                version = np.lib.format.read_magic(fh)
                read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                        else np.lib.format.read_array_header_2_0)
                shape, fortran, dtype = read(fh)
                if fortran or dtype.hasobject:
                    raise ValueError(f"`src` {str(path)!r}: a C-ordered numeric array is "
                                     f"expected, got fortran_order={fortran}, dtype={dtype}.")
                self._offset = fh.tell()
            self.shape, self.dtype = tuple(shape), dtype
            return
        import tifffile

        try:
            mm = tifffile.memmap(path, mode="r")
            self.shape, self.dtype, self._offset = mm.shape, mm.dtype, mm.offset
            del mm
            return
        except ValueError:  # compressed: decode segment by segment
            pass
        self._file = tifffile.TiffFile(path)
        if len(self._file.pages) != 1:
            n = len(self._file.pages)
            self._file.close()
            raise ValueError(f"`src` {str(path)!r} has {n} pages; one image is expected.")
        self._page = self._file.pages[0]
        self.shape, self.dtype = self._page.shape, self._page.dtype

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def bands(self, cuts: list[slice]) -> Iterator[tuple[slice, np.ndarray]]:
        """Yield ``(rows, band)`` for each slice of rows, in order."""
        if self._offset is None:
            yield from self._segment_bands(cuts)
            return
        row = int(np.prod(self.shape[1:])) if len(self.shape) > 1 else 1
        with open(self.path, "rb") as fh:
            for rows in cuts:
                fh.seek(self._offset + rows.start * row * self.dtype.itemsize)
                count = (rows.stop - rows.start) * row
                band = np.fromfile(fh, dtype=self.dtype, count=count)
                if band.size != count:
                    raise ValueError(f"`src` {str(self.path)!r} is truncated.")
                yield rows, band.reshape((rows.stop - rows.start, *self.shape[1:]))

    def _segment_bands(self, cuts):
        h, w = self.shape[:2]
        rest = self.shape[2:]
        buf = np.empty((0, w, *rest), dtype=self.dtype)
        start = 0  # first row held in buf
        pending = list(cuts)
        row_tiles: dict[int, np.ndarray] = {}
        for data, index, _shape in self._page.segments():
            # index: (..., row, column, ...) of the segment's first pixel
            r0, c0 = index[-3], index[-2]
            seg = data.reshape(data.shape[-3:] if data.ndim >= 3 else data.shape)
            if seg.ndim == 3 and not rest:
                seg = seg[..., 0]
            band = row_tiles.setdefault(r0, np.empty((min(seg.shape[0], h - r0), w, *rest),
                                                     dtype=self.dtype))
            cw = min(seg.shape[1], w - c0)
            band[:, c0 : c0 + cw] = seg[: band.shape[0], :cw]
            if c0 + cw < w:
                continue
            buf = np.concatenate([buf, row_tiles.pop(r0)])
            while pending and pending[0].stop <= start + len(buf):
                rows = pending.pop(0)
                yield rows, buf[rows.start - start : rows.stop - start].copy()
                buf = buf[rows.stop - start :]
                start = rows.stop


def _file_bands(height: int, width: int, tile_pixels: int) -> list[slice]:
    """Row bands whose starts are multiples of the TIFF tile height (256 rows)."""
    need = max(tile_pixels, NUMBA_MIN_PIXELS)
    rows = max(_TIFF_TILE, -(-need // max(width, 1)))
    rows = -(-rows // _TIFF_TILE) * _TIFF_TILE
    cuts = list(range(0, height, rows)) or [0]
    if len(cuts) > 1 and (height - cuts[-1]) * width < NUMBA_MIN_PIXELS:
        cuts.pop()
    return [slice(a, b) for a, b in zip(cuts, [*cuts[1:], height])]


def _sample(source: _Source, cuts, stride: int) -> np.ndarray:
    """Every `stride`-th row and column of the file (the whole image for stride 1)."""
    parts = []
    for rows, band in source.bands(cuts):
        first = (-rows.start) % stride
        parts.append(band[first::stride, ::stride].copy())  # a copy: the band is freed
        del band
    return np.ascontiguousarray(np.concatenate(parts))


def _operator(step, sample: np.ndarray):
    from chroma._core.validate import check_fitted, check_image

    check_fitted(step, getattr(step, "_fitted_attr", "n_features_in_"))
    if hasattr(step, "_check_params"):
        step._check_params()
    plan = getattr(step, "_tile_operator", None)
    arr = check_image(sample, name="src")
    op = plan(arr, None) if plan is not None else None
    if op is None:
        raise TypeError(
            f"{type(step).__name__} (with these parameters) cannot be applied band by band; "
            "apply_file takes the per-pixel steps: Reinhard, MKL, palette transfer, IDT "
            "(without regrain), sliced OT, toning."
        )
    return op


def apply_file(step, src, dst, *, tile_pixels: int | None = None,
               sample_pixels: int = SAMPLE_PIXELS, overwrite: bool = False) -> Path:
    """Apply a fitted per-pixel `step` to an image file too large for memory.

    Parameters
    ----------
    step : fitted step
        A chroma step the door applies in tiles (Reinhard, MKL, palette
        transfer, IDT without regrain, sliced OT, toning), already fitted on
        its reference.
    src : str or path-like
        A ``.npy`` file (H, W) or (H, W, C), or a single-page TIFF.
    dst : str or path-like
        ``.npy`` or ``.tif``/``.tiff`` (tiled,
        zlib); same height, width and dtype as `src` (gray comes back RGB).
    tile_pixels : int, optional
        Pixels per band (default :func:`chroma._core.tiles.get_tile_pixels`).
    sample_pixels : int, optional
        For steps fitted on the image's statistics: about how many pixels
        (every k-th row and column) those statistics come from. With more
        pixels than the image, the whole image: then the result is the
        in-memory ``step.transform`` bit for bit.
    overwrite : bool, optional
        Replace an existing `dst` (never `src`).

    Returns
    -------
    dst : pathlib.Path

    Raises
    ------
    ValueError
        `src` or `dst` of another kind, `dst` naming `src`, a multi-page TIFF.
    TypeError
        A step that cannot be applied band by band.
    FileExistsError
        `dst` exists and `overwrite` is False.

    Examples
    --------
    >>> import os, tempfile
    >>> from chroma.transfers import ReinhardTransfer
    >>> rng = np.random.default_rng(0)
    >>> img = rng.integers(0, 256, (300, 200, 3), dtype=np.uint8)
    >>> step = ReinhardTransfer().fit(rng.integers(60, 200, (50, 50, 3), dtype=np.uint8))
    >>> folder = tempfile.mkdtemp()
    >>> np.save(os.path.join(folder, "scan.npy"), img)
    >>> out = apply_file(step, os.path.join(folder, "scan.npy"),
    ...                  os.path.join(folder, "graded.tif"))
    >>> import tifffile
    >>> bool((tifffile.imread(out) == step.transform(img)).all())
    True
    """
    from chroma.io import atomic_path

    src, dst = Path(src), Path(dst)
    out_kind = _kind(dst, "dst")
    tile = get_tile_pixels() if tile_pixels is None else tile_pixels
    from chroma._core.tiles import _check_tile

    tile = _check_tile(tile, "tile_pixels")
    sample_pixels = _check_tile(sample_pixels, "sample_pixels")
    if not src.is_file():
        raise FileNotFoundError(f"`src` {str(src)!r} does not exist.")
    if dst.exists() and os.path.samefile(src, dst):
        raise ValueError(f"`dst` {str(dst)!r} is the input file; choose another path.")
    source = _Source(src)
    try:
        if len(source.shape) not in (2, 3):
            raise ValueError(f"`src` must hold an (H, W) or (H, W, C) image, got shape "
                             f"{source.shape}.")
        height, width = source.shape[:2]
        cuts = _file_bands(height, width, tile)
        if getattr(step, "uses_image_statistics", False):
            stride = max(1, math.ceil(math.sqrt(height * width / sample_pixels)))
            sample = _sample(source, cuts, stride)
        else:
            sample = next(source.bands(cuts[:1]))[1]
        op = _operator(step, sample)
        del sample
        with atomic_path(dst, overwrite=overwrite) as tmp:
            if out_kind == "npy":
                _write_npy(tmp, source, cuts, op)
            else:
                _write_tiff(tmp, source, cuts, op, width)
    finally:
        source.close()
    return dst


def _results(source: _Source, cuts, op) -> Iterator[tuple[slice, np.ndarray]]:
    from chroma._core.validate import check_image

    for rows, band in source.bands(cuts):
        yield rows, op(check_image(band, name="src"))


def _write_npy(tmp: Path, source: _Source, cuts, op) -> None:
    with open(tmp, "wb") as fh:
        for rows, result in _results(source, cuts, op):
            if rows.start == 0:
                header = {"descr": np.lib.format.dtype_to_descr(result.dtype),
                          "fortran_order": False,
                          "shape": (source.shape[0], *result.shape[1:])}
                np.lib.format.write_array_header_2_0(fh, header)
            np.ascontiguousarray(result).tofile(fh)


def _write_tiff(tmp: Path, source: _Source, cuts, op, width: int) -> None:
    import tifffile

    first: dict = {}

    def tiles() -> Iterator[np.ndarray]:
        for _rows, result in _results(source, cuts, op):
            if not first:
                first["shape"], first["dtype"] = result.shape[1:], result.dtype
            for r in range(0, result.shape[0], _TIFF_TILE):
                for c in range(0, width, _TIFF_TILE):
                    block = result[r : r + _TIFF_TILE, c : c + _TIFF_TILE]
                    if block.shape[:2] != (_TIFF_TILE, _TIFF_TILE):
                        pad = np.zeros((_TIFF_TILE, _TIFF_TILE, *block.shape[2:]), block.dtype)
                        pad[: block.shape[0], : block.shape[1]] = block
                        block = pad
                    yield block

    stream = tiles()
    head = next(stream)  # the first band tells the output's channels and dtype
    rest = first["shape"][1:] if len(first["shape"]) > 1 else ()

    def chained():
        yield head
        yield from stream

    photometric = "rgb" if rest and rest[0] in (3, 4) else "minisblack"
    extra = {"extrasamples": [2]} if rest and rest[0] == 4 else {}
    tifffile.imwrite(tmp, chained(), shape=(source.shape[0], width, *rest), dtype=head.dtype,
                     tile=(_TIFF_TILE, _TIFF_TILE), photometric=photometric,
                     compression="zlib", **extra)
