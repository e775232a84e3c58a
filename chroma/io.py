"""Reading and writing images: bit depth, gray and alpha kept; writes are atomic.

Examples
--------
>>> import tempfile, os
>>> img = np.zeros((4, 5, 4), dtype=np.uint16)
>>> path = os.path.join(tempfile.mkdtemp(), "x.png")
>>> write_image(path, img)
>>> read_image(path).dtype, read_image(path).shape
(dtype('uint16'), (4, 5, 4))
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from chroma._core.validate import check_image

__all__ = ["READ_EXTENSIONS", "WRITE_EXTENSIONS", "ImageReadError", "read_image", "write_image"]

WRITE_EXTENSIONS = {
    ".png": "PNG",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".bmp": "BMP",
    ".webp": "WEBP",
}
READ_EXTENSIONS = {**WRITE_EXTENSIONS, ".gif": "GIF", ".ppm": "PPM", ".pgm": "PPM"}
_EIGHT_BIT_ONLY = {"JPEG", "BMP", "WEBP"}


class ImageReadError(OSError):
    """A file exists but cannot be decoded as an image (corrupt, truncated, not an image)."""


def _check_extension(path: Path, table: dict, verb: str) -> str:
    ext = path.suffix.lower()
    if ext not in table:
        raise ValueError(
            f"cannot {verb} {str(path)!r}: unknown extension {ext or '(none)'!r}; "
            f"use one of {sorted(table)}."
        )
    return table[ext]


def _exif_transpose(img: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation tag (1..8) to an (M, N[, C]) array."""
    ops = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: np.swapaxes(a, 0, 1),
        6: lambda a: np.swapaxes(a, 0, 1)[:, ::-1],
        7: lambda a: np.swapaxes(a, 0, 1)[::-1, ::-1],
        8: lambda a: np.swapaxes(a, 0, 1)[::-1],
    }
    op = ops.get(orientation)
    return np.ascontiguousarray(op(img)) if op else img


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file into an array, keeping its bit depth, gray and alpha.

    Parameters
    ----------
    path : str or path-like
        PNG, TIFF, JPEG, BMP, WebP, GIF (first frame) or PPM/PGM file.

    Returns
    -------
    image : ndarray
        ``(M, N)`` gray, ``(M, N, 2)`` gray + alpha, ``(M, N, 3)`` RGB or
        ``(M, N, 4)`` RGBA; uint8 or uint16 as stored (float32 for float
        TIFFs). The EXIF orientation tag, if any, is applied.

    Raises
    ------
    FileNotFoundError
        `path` does not exist.
    ValueError
        Unknown extension.
    ImageReadError
        The file cannot be decoded (corrupt, truncated, not an image).

    Examples
    --------
    >>> read_image("no/such/file.png")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no such image file: 'no/such/file.png'
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such image file: {str(path)!r}")
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a folder, not an image file")
    fmt = _check_extension(path, READ_EXTENSIONS, "read")
    try:
        if fmt == "TIFF":
            import tifffile

            img = tifffile.imread(path)
            if img.ndim == 3 and img.shape[0] in (3, 4) and img.shape[-1] not in (1, 2, 3, 4):
                img = np.moveaxis(img, 0, -1)
            orientation = 1
        elif fmt == "PNG" and _png_is_16bit_color(path):
            img = _read_png_16bit(path)
            orientation = 1
        else:
            from PIL import Image, ImageFile

            ImageFile.LOAD_TRUNCATED_IMAGES = False
            with Image.open(path) as im:
                im.load()
                orientation = im.getexif().get(0x0112, 1) if hasattr(im, "getexif") else 1
                img = _pil_to_array(im)
    except (OSError, SyntaxError, ValueError) as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise ImageReadError(
            f"cannot read image {str(path)!r}: the file is corrupt, truncated or not a "
            f"{fmt} image ({err})"
        ) from err
    except Exception as err:  # decoders raise many things on broken files
        raise ImageReadError(f"cannot read image {str(path)!r}: {err}") from err
    return _exif_transpose(img, orientation)


def _png_is_16bit_color(path: Path) -> bool:
    """True for 16-bit PNGs with more than one channel (Pillow reduces those to 8 bits)."""
    with open(path, "rb") as fh:
        head = fh.read(26)
    is_png = len(head) == 26 and head[:8] == b"\x89PNG\r\n\x1a\n"
    return is_png and head[24] == 16 and head[25] in (2, 4, 6)


def _read_png_16bit(path: Path) -> np.ndarray:
    import png  # pypng: pure Python, handles every PNG filter

    w, h, rows, info = png.Reader(filename=str(path)).asDirect()
    planes = info["planes"]
    img = np.vstack([np.asarray(r, dtype=np.uint16) for r in rows]).reshape(h, w, planes)
    return img


def _pil_to_array(im) -> np.ndarray:
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return np.asarray(im, dtype=np.uint16).copy()
    if mode == "I":
        a = np.asarray(im)
        return a.astype(np.uint16) if a.max() <= 65535 else a.astype(np.float32) / a.max()
    if mode == "F":
        return np.asarray(im, dtype=np.float32).copy()
    if mode in ("1", "L"):
        return np.asarray(im.convert("L"), dtype=np.uint8).copy()
    if mode == "LA":
        return np.asarray(im, dtype=np.uint8).copy()
    if mode in ("RGBA", "RGBa", "PA") or (mode == "P" and "transparency" in im.info):
        return np.asarray(im.convert("RGBA"), dtype=np.uint8).copy()
    if mode == "RGB":
        return np.asarray(im, dtype=np.uint8).copy()
    return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()


def _png_16bit(path: Path, img: np.ndarray) -> None:
    """Write a 16-bit PNG (gray, gray+alpha, RGB or RGBA) with zlib, bit-exact."""
    import struct
    import zlib

    h, w = img.shape[:2]
    c = 1 if img.ndim == 2 else img.shape[2]
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    raw = img.astype(">u2").reshape(h, w * c)
    rows = np.concatenate([np.zeros((h, 1), np.uint8), raw.view(np.uint8).reshape(h, -1)], 1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n")
        fh.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0)))
        fh.write(chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)))
        fh.write(chunk(b"IEND", b""))


def write_image(
    path: str | os.PathLike,
    image: np.ndarray,
    *,
    overwrite: bool = False,
    quality: int = 95,
) -> None:
    """Write an image atomically (temporary file + rename), keeping bit depth.

    Parameters
    ----------
    path : str or path-like
        Target; the extension picks the format. PNG and TIFF store uint8 and
        uint16; JPEG, BMP and WebP store uint8 only. float input is written as
        uint16 PNG/TIFF (uint8 for the 8-bit-only formats) after clipping to
        [0, 1] and rounding.
    image : ndarray
        ``(M, N)``, ``(M, N, 2)``, ``(M, N, 3)`` or ``(M, N, 4)``, uint8,
        uint16 or float in [0, 1].
    overwrite : bool, optional
        Replace an existing file. Without it an existing `path` raises
        ``FileExistsError`` and nothing is written.
    quality : int, optional
        JPEG / WebP quality.

    Raises
    ------
    FileExistsError
        `path` exists and `overwrite` is False.
    ValueError
        Unknown extension, wrong shape, or a uint16 image to an 8-bit-only format.
    TypeError
        Unsupported dtype.
    """
    path = Path(path)
    fmt = _check_extension(path, WRITE_EXTENSIONS, "write")
    img = check_image(image, name="image", allow_nan=False)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.dtype.kind == "f":
        from chroma._core.validate import from_float

        img = from_float(img, np.uint8 if fmt in _EIGHT_BIT_ONLY else np.uint16)
    if img.dtype == np.uint16 and fmt in _EIGHT_BIT_ONLY:
        raise ValueError(
            f"cannot write a uint16 `image` to {str(path)!r}: {fmt} stores 8 bits; use .png "
            "or .tif, or convert with (image / 257).round().astype(np.uint8)."
        )
    if fmt == "JPEG" and img.ndim == 3 and img.shape[-1] in (2, 4):
        raise ValueError(
            f"cannot write an `image` with alpha to {str(path)!r}: JPEG has no alpha; "
            "use .png, or drop alpha with image[..., :-1]."
        )
    if path.exists() and not overwrite:
        raise FileExistsError(
            f"{str(path)!r} exists; pass overwrite=True (CLI: --overwrite) to replace it."
        )
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(
            f"cannot write {str(path)!r}: folder {str(parent)!r} does not exist"
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=parent)
    os.close(fd)
    try:
        _write(Path(tmp), img, fmt, quality)
        if not overwrite and path.exists():  # appeared while we were writing
            raise FileExistsError(f"{str(path)!r} exists; pass overwrite=True to replace it.")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(tmp: Path, img: np.ndarray, fmt: str, quality: int) -> None:
    if fmt == "TIFF":
        import tifffile

        photometric = "rgb" if img.ndim == 3 and img.shape[-1] in (3, 4) else "minisblack"
        extrasamples = ["unassalpha"] if img.ndim == 3 and img.shape[-1] in (2, 4) else None
        tifffile.imwrite(tmp, img, photometric=photometric, extrasamples=extrasamples)
        return
    if fmt == "PNG" and img.dtype == np.uint16:
        _png_16bit(tmp, img)
        return
    from PIL import Image

    mode = {2: "L", 3: None}.get(img.ndim)
    if img.ndim == 3:
        mode = {2: "LA", 3: "RGB", 4: "RGBA"}[img.shape[-1]]
    im = Image.fromarray(np.ascontiguousarray(img), mode=mode) if mode else Image.fromarray(img)
    kwargs = {"quality": quality} if fmt in ("JPEG", "WEBP") else {}
    if fmt == "JPEG":
        kwargs["subsampling"] = 0
    im.save(tmp, format=fmt, **kwargs)
