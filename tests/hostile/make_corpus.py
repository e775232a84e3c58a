"""Generate a corpus of hostile image files (bombs, truncations, lies) into a folder.

Nothing binary is committed: the tests call :func:`make_corpus` on ``tmp_path``.
Every file is built byte by byte (struct + zlib) so that it says exactly what
we want it to say, including lies a normal encoder would never write.

Run it by hand to look at the files::

    python tests/hostile/make_corpus.py /tmp/hostile

Each entry of :data:`CASES` is ``name -> (builder, expected)``, where
``expected`` is ``"refuse"`` (``read_image`` must raise ``ImageReadError``
naming the file) or ``"read"`` (a valid if unusual file that must decode).
"""

from __future__ import annotations

import itertools
import struct
import sys
import zlib
from pathlib import Path

import numpy as np

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _chunk(tag: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + tag + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))


def png_bytes(width: int, height: int, *, bit_depth: int = 8, color_type: int = 2,
              raw: bytes | None = None, extra: tuple = (), interlace: int = 0) -> bytes:
    """A PNG whose IHDR says `width` x `height`; `raw` is the filtered scanline data."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace)
    if raw is None:
        raw = b""
    body = b"".join(_chunk(tag, data) for tag, data in extra)
    return (PNG_MAGIC + _chunk(b"IHDR", ihdr) + body + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b""))


def _raw_rows(img: np.ndarray) -> bytes:
    """Filter-type-0 scanlines of a (H, W[, C]) uint8 or uint16 array."""
    h = img.shape[0]
    data = img.astype(">u2") if img.dtype == np.uint16 else img
    rows = data.reshape(h, -1).view(np.uint8).reshape(h, -1)
    return np.concatenate([np.zeros((h, 1), np.uint8), rows], axis=1).tobytes()


def _gradient(h: int, w: int, c: int, dtype=np.uint8) -> np.ndarray:
    top = np.iinfo(dtype).max
    y, x = np.mgrid[0:h, 0:w]
    base = ((x * 7 + y * 13) % (top + 1)).astype(dtype)
    return base if c == 1 else np.stack([base] * c, axis=-1)


def tiff_bytes(width: int, height: int, *, spp: int = 1, bps: int = 8, pages: int = 1,
               data: bytes | None = None, sample_format: int = 1,
               byte_count: int | None = None) -> bytes:
    """A little-endian, uncompressed, one-strip-per-page TIFF; `data` is one page's pixels.

    `byte_count` overrides the StripByteCounts tag (a lie about the data size).
    """
    page_bytes = data if data is not None else bytes(width * height * spp * bps // 8)
    out = bytearray(b"II*\x00" + struct.pack("<I", 0))
    ifd_offsets = []
    for _ in range(pages):
        strip_offset = len(out)
        out += page_bytes
        if len(out) % 2:
            out += b"\x00"
        bps_offset = len(out)
        out += struct.pack("<" + "H" * spp, *([bps] * spp))
        if len(out) % 2:
            out += b"\x00"
        tags = [
            (256, 4, 1, width),  # ImageWidth
            (257, 4, 1, height),  # ImageLength
            (258, 3, spp, bps if spp == 1 else bps_offset),  # BitsPerSample
            (259, 3, 1, 1),  # Compression: none
            (262, 3, 1, 2 if spp >= 3 else 1),  # Photometric: RGB / BlackIsZero
            (273, 4, 1, strip_offset),  # StripOffsets
            (277, 3, 1, spp),  # SamplesPerPixel
            (278, 4, 1, height),  # RowsPerStrip
            (279, 4, 1, byte_count if byte_count is not None else len(page_bytes)),
            (284, 3, 1, 1),  # PlanarConfiguration: chunky
            (339, 3, 1, sample_format),  # SampleFormat
        ]
        if spp == 2 or spp > 3:
            tags.append((338, 3, 1, 2))  # ExtraSamples: unassociated alpha (one)
            tags.sort()
        ifd_offsets.append(len(out))
        out += struct.pack("<H", len(tags))
        for tag, typ, count, value in tags:
            if typ == 3 and count == 1:
                out += struct.pack("<HHIHH", tag, typ, count, value, 0)
            else:
                out += struct.pack("<HHII", tag, typ, count, value)
        out += struct.pack("<I", 0)  # next IFD, patched below
    struct.pack_into("<I", out, 4, ifd_offsets[0])
    for this, nxt in itertools.pairwise(ifd_offsets):
        n = struct.unpack_from("<H", out, this)[0]
        struct.pack_into("<I", out, this + 2 + 12 * n, nxt)
    return bytes(out)


def jpeg_header_bytes(width: int, height: int) -> bytes:
    """A JPEG that is only SOI + a baseline SOF0 claiming `width` x `height` + EOI."""
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"".join(
        struct.pack(">BBB", i + 1, 0x11, 0) for i in range(3))
    return b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xd9"


def bmp_header_bytes(width: int, height: int, *, data: bytes = b"") -> bytes:
    """A 24-bit BMP header claiming `width` x `height`, followed by `data`."""
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    size = 14 + len(info) + len(data)
    return b"BM" + struct.pack("<IHHI", size, 0, 0, 54) + info + data


def gif_header_bytes(width: int, height: int) -> bytes:
    """A GIF89a logical screen and one image descriptor of `width` x `height`, no data."""
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    desc = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return b"GIF89a" + screen + desc + b"\x02\x02\x44\x01\x00" + b"\x3b"


def ppm_header_bytes(width: int, height: int) -> bytes:
    return f"P6\n{width} {height}\n255\n".encode() + b"\x00" * 12


def _valid_png(tmp: Path, h: int = 64, w: int = 64) -> bytes:
    return png_bytes(w, h, raw=_raw_rows(_gradient(h, w, 3)))


def _png_truncated(folder: Path) -> bytes:
    good = _valid_png(folder)
    return good[: len(good) // 2]


def _png_short_stream() -> bytes:
    # a complete, CRC-correct file whose zlib stream holds 8 of the 64 rows
    img = _gradient(64, 64, 3)
    return png_bytes(64, 64, raw=_raw_rows(img)[: 8 * (1 + 64 * 3)])


def _png16_short_stream() -> bytes:
    img = _gradient(32, 32, 3, np.uint16)
    return png_bytes(32, 32, bit_depth=16, raw=_raw_rows(img)[: 4 * (1 + 32 * 6)])


def _png_bad_crc() -> bytes:
    data = bytearray(_valid_png(Path(".")))
    data[40] ^= 0xFF  # inside the IDAT payload
    return bytes(data)


def _tiff_truncated() -> bytes:
    whole = tiff_bytes(64, 64, spp=3, data=_gradient(64, 64, 3).tobytes())
    return whole[: len(whole) // 3] + whole[-200:]


CASES: dict = {
    # decompression bombs: headers far beyond the default 179 MP cap, tiny files
    "png16_bomb_14000.png": (lambda d: png_bytes(14000, 14000, bit_depth=16,
                                                 raw=b"\x00" * 100), "refuse"),
    "png8_bomb_20000.png": (lambda d: png_bytes(20000, 20000, raw=b"\x00" * 100), "refuse"),
    "png16_gray_bomb.png": (lambda d: png_bytes(20000, 20000, bit_depth=16, color_type=0,
                                                raw=b"\x00" * 100), "refuse"),
    "tiff_bomb_100000x60000.tif": (lambda d: tiff_bytes(100000, 60000, data=b"\x00" * 64),
                                   "refuse"),
    "jpeg_bomb_65000.jpg": (lambda d: jpeg_header_bytes(65000, 65000), "refuse"),
    "bmp_bomb_30000.bmp": (lambda d: bmp_header_bytes(30000, 30000), "refuse"),
    "gif_bomb_65535.gif": (lambda d: gif_header_bytes(65535, 65535), "refuse"),
    "ppm_bomb.ppm": (lambda d: ppm_header_bytes(40000, 40000), "refuse"),
    # under the cap, but the data cannot hold what the header claims
    "png8_lie_10000.png": (lambda d: png_bytes(10000, 10000, raw=b"\x00" * 16), "refuse"),
    "png_truncated.png": (_png_truncated, "refuse"),
    "png_short_stream.png": (lambda d: _png_short_stream(), "refuse"),
    "png16_short_stream.png": (lambda d: _png16_short_stream(), "refuse"),
    "png_bad_crc.png": (lambda d: _png_bad_crc(), "refuse"),
    "png_no_idat.png": (lambda d: PNG_MAGIC + _chunk(b"IHDR", struct.pack(
        ">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)) + _chunk(b"IEND", b""), "refuse"),
    "png_zero_width.png": (lambda d: png_bytes(0, 8, raw=b"\x00" * 8), "refuse"),
    "png_magic_only.png": (lambda d: PNG_MAGIC, "refuse"),
    "tiff_truncated.tif": (lambda d: _tiff_truncated(), "refuse"),
    "tiff_strip_lie.tif": (lambda d: tiff_bytes(256, 256, data=b"\x07" * 100, byte_count=65536),
                           "refuse"),
    "tiff_5_channels.tif": (lambda d: tiff_bytes(8, 8, spp=5), "refuse"),
    "tiff_3_pages.tif": (lambda d: tiff_bytes(8, 8, pages=3), "refuse"),
    "tiff_int16.tif": (lambda d: tiff_bytes(8, 8, bps=16, sample_format=2), "refuse"),
    "jpeg_truncated.jpg": (lambda d: _jpeg_truncated(), "refuse"),
    "jpeg_header_only.jpg": (lambda d: jpeg_header_bytes(64, 64), "refuse"),
    "bmp_truncated.bmp": (lambda d: bmp_header_bytes(64, 64, data=b"\x10" * 999), "refuse"),
    "webp_truncated.webp": (lambda d: _webp_truncated(), "refuse"),
    "empty.png": (lambda d: b"", "refuse"),
    "empty.tif": (lambda d: b"", "refuse"),
    "text_as.jpg": (lambda d: b"hello, I am not a JPEG\n" * 10, "refuse"),
    "png_named.jpg": (lambda d: _valid_png(d, 4, 4), "read"),  # wrong extension: decodes
    # valid but unusual: must decode, alpha kept
    "png_trns_rgb.png": (lambda d: png_bytes(4, 2, raw=_raw_rows(
        np.array([[[255, 0, 0]] * 4, [[0, 255, 0]] * 4], np.uint8)),
        extra=((b"tRNS", struct.pack(">HHH", 255, 0, 0)),)), "read"),
    "png_trns_gray.png": (lambda d: png_bytes(4, 2, color_type=0, raw=_raw_rows(
        np.array([[0, 50, 100, 150], [200, 250, 0, 0]], np.uint8)),
        extra=((b"tRNS", struct.pack(">H", 0)),)), "read"),
    "png16_trns_rgb.png": (lambda d: png_bytes(3, 1, bit_depth=16, raw=_raw_rows(
        np.array([[[1000, 2000, 3000], [1, 2, 3], [1000, 2000, 3000]]], np.uint16)),
        extra=((b"tRNS", struct.pack(">HHH", 1000, 2000, 3000)),)), "read"),
    "png16_trns_gray.png": (lambda d: png_bytes(3, 1, bit_depth=16, color_type=0, raw=_raw_rows(
        np.array([[7, 60000, 7]], np.uint16)), extra=((b"tRNS", struct.pack(">H", 7)),)),
        "read"),
}


def _jpeg_truncated() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(_gradient(64, 64, 3)).save(buf, format="JPEG", quality=90)
    data = buf.getvalue()
    return data[: len(data) // 2]


def _webp_truncated() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(_gradient(64, 64, 3)).save(buf, format="WEBP", quality=90)
    data = buf.getvalue()
    return data[: len(data) // 2]


def make_corpus(folder: str | Path) -> dict[str, tuple[Path, str]]:
    """Write every case into `folder`; return ``name -> (path, expected)``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (build, expected) in CASES.items():
        path = folder / name
        path.write_bytes(build(folder))
        out[name] = (path, expected)
    return out


if __name__ == "__main__":  # pragma: no cover
    for _name, (path, expected) in make_corpus(sys.argv[1]).items():
        print(f"{expected:6s} {path.stat().st_size:8d} B  {path}")
