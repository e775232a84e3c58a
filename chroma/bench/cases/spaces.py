"""Color-space conversions: sRGB → CIELAB → sRGB round trips.

chroma (``chroma.spaces.convert`` both ways, Numba kernels) against
scikit-image (``rgb2lab`` / ``lab2rgb``) and OpenCV (``cv2.cvtColor`` with
``COLOR_RGB2LAB`` / ``COLOR_LAB2RGB``). Quality is the round trip's error
against the input, in CIEDE2000.
"""

from __future__ import annotations

from chroma.bench import adapters as metrics
from chroma.bench.harness import Case


def _chroma(image, reference):
    from chroma.spaces import convert

    return convert(convert(image, "rgb", "lab"), "lab", "rgb")


def _skimage(image, reference):
    from skimage.color import lab2rgb, rgb2lab

    return lab2rgb(rgb2lab(image))


def _opencv(image, reference):
    import cv2

    return cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_RGB2LAB), cv2.COLOR_LAB2RGB)


_CONTENDERS = {"chroma": _chroma, "scikit-image": _skimage, "OpenCV": _opencv}
_QUALITY = (metrics.ciede2000_max_to_image, metrics.ciede2000_mean_to_image)
_THREADS = (
    "chroma's kernels run in parallel (Numba, all cores) and OpenCV's cvtColor is "
    "multi-threaded too; scikit-image is single-threaded NumPy in float64."
)

CASES = [
    Case(
        task="sRGB → CIELAB → sRGB round trip, float32",
        contenders=_CONTENDERS,
        sizes_mp=(1, 12),
        dtype="float32",
        quality=_QUALITY,
        requires={"OpenCV": "cv2"},
        inputs="single",
        notes="Each library's own float path: chroma returns float32, scikit-image float64, "
        "OpenCV float32 (L* in [0, 100], a*, b* unscaled). " + _THREADS,
    ),
    Case(
        task="sRGB → CIELAB → sRGB round trip, uint8",
        contenders=_CONTENDERS,
        sizes_mp=(1, 12),
        dtype="uint8",
        quality=_QUALITY,
        requires={"OpenCV": "cv2"},
        inputs="single",
        notes="Not the same work: chroma and scikit-image read uint8 as sRGB and return "
        "float Lab and float RGB (float32 and float64), while OpenCV's 8-bit path stores Lab "
        "in uint8 (L*·255/100, a* + 128, b* + 128) and returns uint8 RGB, so its round trip "
        "quantizes twice (hence its larger ΔE) and moves a quarter of the bytes. " + _THREADS,
        contender_notes={"OpenCV": "8-bit Lab encoding, uint8 out"},
    ),
]
