"""The bundled sample images (public domain / CC0; see ``data/CREDITS.md``).

Examples
--------
>>> img = sample("coffee")
>>> img.shape, img.dtype
((400, 600, 3), dtype('uint8'))
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["SAMPLES", "sample", "sample_path"]

SAMPLES = ("astronaut", "coffee", "chelsea", "rocket")
_REPO_DATA = Path(__file__).resolve().parent.parent / "data"


def sample_path(name: str) -> Path:
    """Path of a bundled sample; falls back to scikit-image's copy when installed as a wheel.

    Examples
    --------
    >>> sample_path("chelsea").name
    'chelsea.png'
    >>> sample_path("lena")
    Traceback (most recent call last):
    ...
    ValueError: name='lena' is not a bundled sample; choose from [...].
    """
    if name not in SAMPLES:
        raise ValueError(f"name={name!r} is not a bundled sample; choose from {list(SAMPLES)}.")
    local = _REPO_DATA / f"{name}.png"
    if local.exists():
        return local
    import skimage.data

    folder = Path(skimage.data.__file__).parent
    for ext in (".png", ".jpg"):
        if (folder / f"{name}{ext}").exists():
            return folder / f"{name}{ext}"
    raise FileNotFoundError(f"sample {name!r} not found in {str(_REPO_DATA)!r} or scikit-image")


def sample(name: str) -> np.ndarray:
    """Read a bundled sample image as uint8 RGB.

    Parameters
    ----------
    name : {"astronaut", "coffee", "chelsea", "rocket"}
        Which sample.

    Returns
    -------
    image : ndarray of uint8, shape (M, N, 3)

    Examples
    --------
    >>> img = sample("astronaut")
    >>> img.shape, img.dtype
    ((512, 512, 3), dtype('uint8'))
    """
    from chroma.io import read_image

    return read_image(sample_path(name))
