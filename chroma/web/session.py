"""The page's session: the image, its working copy, the reference, and helpers.

Uploads are decoded by :func:`chroma.read_image` (through a private temporary
file); the suggested colors and the gamut snap use :mod:`chroma.web._compat`.
"""

from __future__ import annotations

import base64
import binascii
import io
import secrets
import threading
from pathlib import Path

import numpy as np

__all__ = ["MAX_PIXELS", "Session"]

MAX_PIXELS = 100_000_000
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"II*\x00", ".tif"),
    (b"MM\x00*", ".tif"),
    (b"GIF87a", ".gif"),
    (b"GIF89a", ".gif"),
    (b"BM", ".bmp"),
)


def _suffix_of(data: bytes) -> str:
    for magic, suffix in _MAGIC:
        if data.startswith(magic):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    raise ValueError("the upload is not an image (PNG, JPEG, TIFF, WebP, BMP or GIF expected)")


def _png_bytes(image: np.ndarray) -> bytes:
    """A quick 8-bit PNG for display (previews; exports go through chroma.write_image)."""
    from PIL import Image

    if image.dtype != np.uint8:
        if image.dtype.kind == "f":
            image = np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)
        else:
            image = np.rint(image / (np.iinfo(image.dtype).max / 255)).astype(np.uint8)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim == 3 and image.shape[-1] == 2:  # gray + alpha
        image = np.concatenate([np.repeat(image[..., :1], 3, -1), image[..., 1:]], -1)
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in rgb))


class Session:
    """What the page works on: the image, its working copy, the reference.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> session = Session(Path(tempfile.mkdtemp()))
    >>> session.set_image(np.zeros((32, 48, 3), np.uint8), "photo.png")
    >>> info = session.info()["image"]
    >>> info["name"], info["width"], info["height"], info["dtype"]
    ('photo', 48, 32, 'uint8')
    >>> session.decode(b"GIF89a...", "image")
    Traceback (most recent call last):
    ...
    ValueError: cannot read the image: ...
    """

    def __init__(self, tmpdir: Path):
        self.tmpdir = tmpdir
        self.lock = threading.Lock()  # one computation at a time (2 cores, one torch)
        self.image = self.work = self.reference = None
        self.name = "image"
        self.reference_name = None
        self.palette: list[str] = []
        self._dist = None
        self._lightness = None
        self.exports: dict[str, dict] = {}

    # --- loading ------------------------------------------------------------------------
    def decode(self, data: bytes, what: str) -> np.ndarray:
        """Image bytes -> array through chroma.read_image (temporary file, removed)."""
        from chroma.io import read_image

        if not data:
            raise ValueError(f"the {what} upload is empty")
        path = self.tmpdir / f"upload-{secrets.token_hex(8)}{_suffix_of(data)}"
        try:
            path.write_bytes(data)
            img = read_image(path)
        except OSError as err:  # say what failed, not where the temporary file was
            raise ValueError(f"cannot read the {what}: "
                             + str(err).replace(f"{str(path)!r}", "upload")) from None
        finally:
            path.unlink(missing_ok=True)
        if img.shape[0] * img.shape[1] > MAX_PIXELS:
            raise ValueError(f"the {what} has {img.shape[0] * img.shape[1]} pixels; at most "
                             f"{MAX_PIXELS} are accepted")
        return img

    def set_image(self, image: np.ndarray, name: str) -> None:
        from chroma.web.edit import working_copy

        self.image = image
        self.work = working_copy(image)
        self.name = Path(name).stem or "image"
        self._dist = self._lightness = None
        self.exports.clear()

    def set_reference(self, image: np.ndarray, name: str) -> None:
        from chroma import extract_palette

        self.reference = image
        self.reference_name = Path(name).name
        self.palette = list(extract_palette(image, 6, random_state=0).to_hex())

    def info(self) -> dict:
        out = {"image": None, "reference": None, "palette": self.palette}
        if self.image is not None:
            out["image"] = {"name": self.name, "width": self.image.shape[1],
                            "height": self.image.shape[0], "dtype": str(self.image.dtype),
                            "work_width": self.work.shape[1], "work_height": self.work.shape[0]}
        if self.reference is not None:
            out["reference"] = {"name": self.reference_name, "width": self.reference.shape[1],
                                "height": self.reference.shape[0]}
        return out

    def need_image(self) -> None:
        if self.image is None:
            raise ValueError("no image loaded yet: drop one on the page or use Open")

    # --- helpers for the endpoints -------------------------------------------------------
    def lightness_at(self, x: int, y: int) -> float:
        from chroma import convert

        px = self.image[y:y + 1, x:x + 1]
        if px.ndim == 2:
            px = px[..., None]
        px = px[..., :3] if px.shape[-1] >= 3 else np.repeat(px[..., :1], 3, -1)
        return float(convert(px, "rgb", "lab")[0, 0, 0])

    def snap(self, color, lightness: float) -> str:
        from chroma import convert
        from chroma.web._compat import lab_to_rgb_keep_lightness, parse_color

        rgb = np.array([[parse_color(color, name="color")]], dtype=np.uint8)
        lab = convert(rgb, "rgb", "lab")
        lab[..., 0] = lightness
        out = lab_to_rgb_keep_lightness(lab)
        return _hex(np.rint(out[0, 0] * 255))

    def network_suggestions(self, x: int, y: int, lightness: float) -> list[str]:
        from chroma.web._compat import (
            lab_to_rgb_keep_lightness,
            network_distribution,
            network_modes,
        )

        if self._dist is None:
            from chroma import convert

            w = self.work
            rgb = w if w.ndim == 3 and w.shape[-1] >= 3 else np.repeat(
                (w if w.ndim == 3 else w[..., None])[..., :1], 3, -1)
            self._dist = network_distribution(convert(rgb[..., :3], "rgb", "lab")[..., 0])
            if self._dist is None:
                self._dist = False
        if self._dist is False:
            return []
        modes = network_modes(self._dist, x, y, self.image.shape)
        out = []
        for a, b, _ in modes:
            rgb = lab_to_rgb_keep_lightness(np.array([[lightness, a, b]], np.float32))[0]
            c = _hex(np.rint(rgb * 255))
            if c not in out:
                out.append(c)
        return out

    def decode_mask(self, data_url) -> np.ndarray | None:
        """The painted mask: a PNG data URL of the working size -> float (M, N) or None."""
        from chroma.masks import from_file

        if data_url is None:
            return None
        if not isinstance(data_url, str) or not data_url.startswith("data:image/png;base64,"):
            raise ValueError("mask must be a PNG data URL (data:image/png;base64,...)")
        try:
            data = base64.b64decode(data_url.split(",", 1)[1], validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("mask is not valid base64") from None
        _suffix_of(data)
        path = self.tmpdir / f"mask-{secrets.token_hex(8)}.png"
        try:
            path.write_bytes(data)
            return from_file(path, shape=self.work.shape)
        except (OSError, ValueError) as err:  # name the mask, not the temporary file
            raise ValueError(str(err).replace(f"mask file {str(path)!r}", "the mask")
                             .replace(f"{str(path)!r}", "the mask")) from None
        finally:
            path.unlink(missing_ok=True)
