"""Color-space conversions: sRGB, linear RGB, XYZ (D65), CIELAB, LCh, lαβ, YCbCr.

Every conversion goes through :func:`convert`; the named helpers
(:func:`rgb2lab`, :func:`lab2rgb`, ...) are thin shortcuts. Each step has a
Numba kernel (parallel, float32 in and out, float64 arithmetic per pixel) in
:mod:`chroma.spaces._kernels` and a plain-NumPy twin here; the tests check
that the two agree and that both agree with :mod:`skimage.color`.

Spaces
------
``"rgb"``
    sRGB (IEC 61966-2-1 [1]_), gamma-encoded, in [0, 1]. uint8 / uint16 input is
    read as sRGB and scaled by the dtype's maximum.
``"linear"``
    Linear-light sRGB primaries in [0, 1].
``"xyz"``
    CIE 1931 XYZ, D65 white ``(0.95047, 1, 1.08883)``, Y of white = 1.
``"lab"``
    CIELAB (D65, 2°), L* in [0, 100]. Constants follow scikit-image
    (``7.787``, ``0.008856``) so that both libraries agree to float precision.
``"lch"``
    CIE LCh(ab): L*, chroma ``C* = hypot(a*, b*)``, hue angle in **degrees**
    in [0, 360).
``"lalphabeta"``
    Ruderman's lαβ [3]_ as used by Reinhard et al. (2001) [2]_: linear RGB → LMS (their
    matrix) → ``log10(LMS + 1e-4)`` → decorrelating rotation. The small offset
    keeps pure black finite and the transform exactly invertible.
``"ycbcr"``
    Full-range BT.601 (JPEG) on gamma-encoded sRGB: Y in [0, 1], Cb and Cr in
    [-0.5, 0.5].

Conversions into ``"rgb"`` clip to [0, 1] (out-of-gamut colors are clipped
per channel, as scikit-image does); ``clip=False`` keeps them.

References
----------
.. [1] IEC 61966-2-1:1999, sRGB.
.. [2] E. Reinhard, M. Ashikhmin, B. Gooch, P. Shirley, "Color Transfer
       between Images", IEEE CG&A 21(5), 2001.
.. [3] D. L. Ruderman, T. W. Cronin, C.-C. Chiao, "Statistics of cone
       responses to natural images", JOSA A 15(8), 1998.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from chroma._core.parallel import NUMBA_MIN_PIXELS as _NUMBA_MIN_PIXELS
from chroma._core.validate import all_finite

__all__ = [
    "SPACES",
    "convert",
    "convert_pixels",
    "lab2lch",
    "lab2rgb",
    "lab2xyz",
    "lalphabeta2rgb",
    "lch2lab",
    "lch2rgb",
    "linear2rgb",
    "rgb2lab",
    "rgb2lalphabeta",
    "rgb2lch",
    "rgb2linear",
    "rgb2xyz",
    "rgb2ycbcr",
    "xyz2lab",
    "xyz2rgb",
    "ycbcr2rgb",
]

SPACES = ("rgb", "linear", "xyz", "lab", "lch", "lalphabeta", "ycbcr")

# --- constants (float64; kernels use the same values) ------------------------
WHITE_D65 = np.array([0.95047, 1.0, 1.08883])
XYZ_FROM_LINEAR = np.array(
    [
        [0.412453, 0.357580, 0.180423],
        [0.212671, 0.715160, 0.072169],
        [0.019334, 0.119193, 0.950227],
    ]
)
LINEAR_FROM_XYZ = np.linalg.inv(XYZ_FROM_LINEAR)
LMS_FROM_LINEAR = np.array(
    [[0.3811, 0.5783, 0.0402], [0.1967, 0.7244, 0.0782], [0.0241, 0.1288, 0.8444]]
)
LINEAR_FROM_LMS = np.linalg.inv(LMS_FROM_LINEAR)
LAB_FROM_LOGLMS = np.diag([1 / np.sqrt(3), 1 / np.sqrt(6), 1 / np.sqrt(2)]) @ np.array(
    [[1.0, 1.0, 1.0], [1.0, 1.0, -2.0], [1.0, -1.0, 0.0]]
)
LOGLMS_FROM_LAB = np.linalg.inv(LAB_FROM_LOGLMS)
LMS_EPS = 1e-4
YCBCR_FROM_RGB = np.array(
    [
        [0.299, 0.587, 0.114],
        [-0.299 / 1.772, -0.587 / 1.772, 0.886 / 1.772],
        [0.701 / 1.402, -0.587 / 1.402, -0.114 / 1.402],
    ]
)
RGB_FROM_YCBCR = np.linalg.inv(YCBCR_FROM_RGB)

# Edges of the conversion graph: (src, dst) -> step name. Paths are shortest.
_EDGES = {
    ("rgb", "linear"): "srgb_to_linear",
    ("linear", "rgb"): "linear_to_srgb",
    ("linear", "xyz"): "linear_to_xyz",
    ("xyz", "linear"): "xyz_to_linear",
    ("xyz", "lab"): "xyz_to_lab",
    ("lab", "xyz"): "lab_to_xyz",
    ("lab", "lch"): "lab_to_lch",
    ("lch", "lab"): "lch_to_lab",
    ("linear", "lalphabeta"): "linear_to_lalphabeta",
    ("lalphabeta", "linear"): "lalphabeta_to_linear",
    ("rgb", "ycbcr"): "srgb_to_ycbcr",
    ("ycbcr", "rgb"): "ycbcr_to_srgb",
}
# Paths with a fused kernel (one pass over memory instead of several).
_FUSED = {
    ("rgb", "lab"): "srgb_to_lab",
    ("lab", "rgb"): "lab_to_srgb",
}


# --- NumPy twins (float64 inside, like the kernels) ------------------------------
def _np_srgb_to_linear(x):
    return np.where(x > 0.04045, ((np.maximum(x, 0.04045) + 0.055) / 1.055) ** 2.4, x / 12.92)


def _np_linear_to_srgb(x):
    encoded = 1.055 * np.maximum(x, 0.0031308) ** (1 / 2.4) - 0.055
    return np.where(x > 0.0031308, encoded, 12.92 * x)


def _np_lab_f(t):
    return np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16.0 / 116.0)


def _np_lab_finv(f):
    return np.where(f > 0.2068966, f**3, (f - 16.0 / 116.0) / 7.787)


def _np_xyz_to_lab(x):
    f = _np_lab_f(x / WHITE_D65)
    return np.stack(
        [116.0 * f[:, 1] - 16.0, 500.0 * (f[:, 0] - f[:, 1]), 200.0 * (f[:, 1] - f[:, 2])],
        axis=-1,
    )


def _np_lab_to_xyz(x):
    fy = (x[:, 0] + 16.0) / 116.0
    fx = x[:, 1] / 500.0 + fy
    fz = np.maximum(fy - x[:, 2] / 200.0, 0.0)
    return _np_lab_finv(np.stack([fx, fy, fz], axis=-1)) * WHITE_D65


def _np_lab_to_lch(x):
    c = np.hypot(x[:, 1], x[:, 2])
    h = np.degrees(np.arctan2(x[:, 2], x[:, 1])) % 360.0
    return np.stack([x[:, 0], c, h], axis=-1)


def _np_lch_to_lab(x):
    h = np.radians(x[:, 2])
    return np.stack([x[:, 0], x[:, 1] * np.cos(h), x[:, 1] * np.sin(h)], axis=-1)


def _np_linear_to_lalphabeta(x):
    # negative light (out-of-gamut input) is clamped to 0 cone response: log10 stays finite
    return np.log10(np.maximum(x @ LMS_FROM_LINEAR.T, 0.0) + LMS_EPS) @ LAB_FROM_LOGLMS.T


def _np_lalphabeta_to_linear(x):
    return (10.0 ** (x @ LOGLMS_FROM_LAB.T) - LMS_EPS) @ LINEAR_FROM_LMS.T


_NUMPY_STEPS = {
    "srgb_to_linear": _np_srgb_to_linear,
    "linear_to_srgb": _np_linear_to_srgb,
    "linear_to_xyz": lambda x: x @ XYZ_FROM_LINEAR.T,
    "xyz_to_linear": lambda x: x @ LINEAR_FROM_XYZ.T,
    "xyz_to_lab": _np_xyz_to_lab,
    "lab_to_xyz": _np_lab_to_xyz,
    "lab_to_lch": _np_lab_to_lch,
    "lch_to_lab": _np_lch_to_lab,
    "linear_to_lalphabeta": _np_linear_to_lalphabeta,
    "lalphabeta_to_linear": _np_lalphabeta_to_linear,
    "srgb_to_ycbcr": lambda x: x @ YCBCR_FROM_RGB.T,
    "ycbcr_to_srgb": lambda x: x @ RGB_FROM_YCBCR.T,
    "srgb_to_lab": lambda x: _np_xyz_to_lab(_np_srgb_to_linear(x) @ XYZ_FROM_LINEAR.T),
    "lab_to_srgb": lambda x: _np_linear_to_srgb(_np_lab_to_xyz(x) @ LINEAR_FROM_XYZ.T),
}


def _path(src: str, dst: str) -> list[str]:
    """Shortest list of step names from ``src`` to ``dst`` (fused where possible)."""
    if (src, dst) in _FUSED:
        return [_FUSED[src, dst]]
    prev = {src: None}
    queue = deque([src])
    while queue:
        node = queue.popleft()
        for a, b in _EDGES:
            if a == node and b not in prev:
                prev[b] = a
                queue.append(b)
    steps, node = [], dst
    while prev[node] is not None:
        steps.append(_EDGES[prev[node], node])
        node = prev[node]
    return steps[::-1]


def _check_space(space, name):
    if space not in SPACES:
        raise ValueError(f"{name}={space!r} is not a color space; choose from {list(SPACES)}.")


def convert_pixels(
    x: np.ndarray, src: str, dst: str, *, backend: str = "auto", clip: bool = True
) -> np.ndarray:
    """Convert float pixels of shape ``(..., 3)`` that were already checked.

    The fast inner form of :func:`convert` for code inside chroma and for users
    who validated their arrays: no checks, no dtype handling, no alpha, no
    channel axis. `src` and `dst` are names from :data:`SPACES`.

    Returns
    -------
    out : ndarray of float32
        A new C-contiguous array of the same shape; sRGB output is clipped to
        [0, 1] unless ``clip=False``.

    Examples
    --------
    >>> convert_pixels(np.array([[1.0, 1.0, 1.0]]), "rgb", "lab")[:, 0].round(2)
    array([100.], dtype=float32)
    """
    shape = x.shape
    flat = np.ascontiguousarray(x, dtype=np.float32).reshape(-1, 3)
    if src == dst:
        out = flat.copy()
    else:
        steps = _path(src, dst)
        use_numba = backend == "numba" or (
            backend == "auto" and flat.shape[0] >= _NUMBA_MIN_PIXELS
        )
        if use_numba:
            from chroma.spaces import _kernels as K
            out = flat
            for step in steps[:-1]:
                out = K.run(step, out)
            fuse_clip = dst == "rgb" and clip and steps[-1] in K.CLIPS
            out = K.run(steps[-1], out, clip=fuse_clip)
            clip = clip and not fuse_clip
        else:
            out = flat.astype(np.float64)
            for step in steps:
                out = _NUMPY_STEPS[step](out)
            out = out.astype(np.float32)
    if dst == "rgb" and clip:
        np.clip(out, 0.0, 1.0, out=out)
    if dst == "lch":  # a hue a hair under 360 in float64 rounds to 360.0 in float32
        h = out[:, 2]
        h[h >= 360.0] -= 360.0
    return out.reshape(shape)


_convert_float = convert_pixels  # the name used inside the spaces package


def convert(
    image,
    src: str,
    dst: str,
    *,
    channel_axis: int = -1,
    clip: bool = True,
    backend: str = "auto",
) -> np.ndarray:
    """Convert an image between color spaces.

    Parameters
    ----------
    image : ndarray, shape (..., 3) along `channel_axis`
        Image in space `src`. For ``src="rgb"`` uint8 and uint16 are accepted
        and scaled to [0, 1]; other spaces take float values.
    src, dst : str
        One of ``"rgb"``, ``"linear"``, ``"xyz"``, ``"lab"``, ``"lch"``,
        ``"lalphabeta"``, ``"ycbcr"`` (see the module docstring).
    channel_axis : int, optional
        Axis of the 3 channels, in input and output.
    clip : bool, optional
        Clip results in ``"rgb"`` to [0, 1] (default). Other spaces are never
        clipped.
    backend : {"auto", "numba", "numpy"}, optional
        ``"auto"`` uses the Numba kernels for images of 16 Ki pixels and more.

    Returns
    -------
    out : ndarray of float32
        Same shape as `image`.

    Examples
    --------
    >>> convert(np.array([[1.0, 0.0, 0.0]]), "rgb", "lab").round(1)
    array([[53.2, 80.1, 67.2]], dtype=float32)
    >>> convert(np.array([[255, 0, 0]], dtype=np.uint8), "rgb", "lch").round(1)
    array([[ 53.2, 104.6,  40. ]], dtype=float32)
    """
    _check_space(src, "src")
    _check_space(dst, "dst")
    if backend not in ("auto", "numba", "numpy"):
        raise ValueError(f"backend={backend!r}; choose from ['auto', 'numba', 'numpy'].")
    x = np.asarray(image)
    if x.ndim < 1 or not -x.ndim <= channel_axis < x.ndim or x.shape[channel_axis] != 3:
        raise ValueError(
            f"`image` must have 3 channels along channel_axis={channel_axis}, got shape "
            f"{x.shape}. Split off alpha first (image[..., :3])."
        )
    x = np.moveaxis(x, channel_axis, -1)
    if x.dtype in (np.uint8, np.uint16):
        if src != "rgb":
            raise TypeError(
                f"integer input is read as sRGB; for src={src!r} pass float values, "
                f"got dtype {x.dtype}."
            )
        if dst == "lab" and backend != "numpy" and (
            backend == "numba" or x.size >= 3 * _NUMBA_MIN_PIXELS
        ):  # the hot path: integer sRGB straight into the fused kernel
            from chroma.spaces import _kernels as K
            flat = np.ascontiguousarray(x).reshape(-1, 3)
            return np.moveaxis(K.srgb_int_to_lab(flat).reshape(x.shape), -1, channel_axis)
        x = x.astype(np.float32) / np.float32(np.iinfo(x.dtype).max)
    elif x.dtype.kind != "f":
        raise TypeError(f"`image` must be uint8, uint16 or float, got dtype {x.dtype}.")
    elif (src, dst) in _FUSED and backend != "numpy" and (
        backend == "numba" or x.size >= 3 * _NUMBA_MIN_PIXELS
    ):  # the round trip's kernels check finiteness in their own pass
        return np.moveaxis(_fused_checked(x, src, dst, clip), -1, channel_axis)
    elif not all_finite(x):
        raise ValueError("`image` contains NaN or infinite values.")
    out = _convert_float(x, src, dst, backend=backend, clip=clip)
    return np.moveaxis(out, -1, channel_axis)


def _fused_checked(x: np.ndarray, src: str, dst: str, clip: bool) -> np.ndarray:
    """Float ``(..., 3)`` through the fused sRGB <-> CIELAB kernel, which also tells whether
    its float32 input was finite (instead of a separate pass); NaN or infinity is refused."""
    from chroma.spaces import _kernels as K
    flat = np.ascontiguousarray(x, dtype=np.float32).reshape(-1, 3)
    out, finite = K.run_checked(_FUSED[src, dst], flat, clip=dst == "rgb" and clip)
    # float64 beyond float32's range turns infinite in the cast: refused only if it was not
    # finite before (as all_finite decides; the result is then the cast's, as before)
    if not finite and (x.dtype == np.float32 or not all_finite(x)):
        raise ValueError("`image` contains NaN or infinite values.")
    return out.reshape(x.shape)


# the Examples of the shorthands: sRGB orange (1, 0.5, 0) in each space, and its image
_EXAMPLE_IN = {
    "rgb": "[[1.0, 0.5, 0.0]]",
    "linear": "[[1.0, 0.214, 0.0]]",
    "xyz": "[[0.489, 0.366, 0.045]]",
    "lab": "[[66.96, 43.07, 73.96]]",
    "lch": "[[66.96, 85.59, 59.79]]",
    "lalphabeta": "[[-1.176, 0.744, 0.111]]",
    "ycbcr": "[[0.592, -0.334, 0.291]]",
}
_EXAMPLE_OUT = {
    "lab2lch": "array([[66.96, 85.59, 59.79]], dtype=float32)",
    "lab2rgb": "array([[1. , 0.5, 0. ]], dtype=float32)",
    "lab2xyz": "array([[0.49, 0.37, 0.04]], dtype=float32)",
    "lalphabeta2rgb": "array([[1. , 0.5, 0. ]], dtype=float32)",
    "lch2lab": "array([[66.96, 43.07, 73.97]], dtype=float32)",
    "lch2rgb": "array([[1. , 0.5, 0. ]], dtype=float32)",
    "linear2rgb": "array([[1. , 0.5, 0. ]], dtype=float32)",
    "rgb2lab": "array([[66.96, 43.07, 73.96]], dtype=float32)",
    "rgb2lalphabeta": "array([[-1.18,  0.74,  0.11]], dtype=float32)",
    "rgb2lch": "array([[66.96, 85.59, 59.78]], dtype=float32)",
    "rgb2linear": "array([[1.  , 0.21, 0.  ]], dtype=float32)",
    "rgb2xyz": "array([[0.49, 0.37, 0.04]], dtype=float32)",
    "rgb2ycbcr": "array([[ 0.59, -0.33,  0.29]], dtype=float32)",
    "xyz2lab": "array([[66.98, 42.99, 73.91]], dtype=float32)",
    "xyz2rgb": "array([[1. , 0.5, 0. ]], dtype=float32)",
    "ycbcr2rgb": "array([[1. , 0.5, 0. ]], dtype=float32)",
}


def _named(src: str, dst: str):
    def fn(image, *, channel_axis: int = -1, clip: bool = True) -> np.ndarray:
        return convert(image, src, dst, channel_axis=channel_axis, clip=clip)

    fn.__name__ = f"{src}2{dst}"
    fn.__qualname__ = fn.__name__
    fn.__doc__ = (
        f"Convert from {src!r} to {dst!r}; shorthand for ``convert(image, {src!r}, {dst!r})``.\n\n"
        "Parameters\n----------\nimage : ndarray\n    3 channels along `channel_axis`.\n"
        "channel_axis : int, optional\n    Channel axis of input and output.\n"
        "clip : bool, optional\n    Clip ``'rgb'`` output to [0, 1].\n\n"
        "Returns\n-------\nout : ndarray of float32\n    Same shape as `image`.\n\n"
        "See Also\n--------\nconvert\n\n"
        f"Examples\n--------\n>>> {src}2{dst}(np.array({_EXAMPLE_IN[src]})).round(2)\n"
        f"{_EXAMPLE_OUT[src + '2' + dst]}\n"
    )
    return fn


rgb2linear = _named("rgb", "linear")
linear2rgb = _named("linear", "rgb")
rgb2xyz = _named("rgb", "xyz")
xyz2rgb = _named("xyz", "rgb")
xyz2lab = _named("xyz", "lab")
lab2xyz = _named("lab", "xyz")
rgb2lab = _named("rgb", "lab")
lab2rgb = _named("lab", "rgb")
lab2lch = _named("lab", "lch")
lch2lab = _named("lch", "lab")
rgb2lch = _named("rgb", "lch")
lch2rgb = _named("lch", "rgb")
rgb2lalphabeta = _named("rgb", "lalphabeta")
lalphabeta2rgb = _named("lalphabeta", "rgb")
rgb2ycbcr = _named("rgb", "ycbcr")
ycbcr2rgb = _named("ycbcr", "rgb")
