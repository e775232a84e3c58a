"""The one gamut map: lower chroma at constant L* and hue until a color is inside sRGB.

A CIELAB color outside the sRGB gamut is brought inside by scaling its a*, b*
toward gray, ``(L*, t a*, t b*)`` with the largest ``t`` in [0, 1] that lands
inside (bisection in linear light, 12 steps: ``t`` to 2⁻¹², below 8-bit
resolution). Lightness and hue angle are kept exactly; only chroma is lost,
and only as much as needed. Per-channel clipping, the alternative, shifts
hue and lightness (a saturated blue clipped per channel can lose 6 ΔL*).

* :func:`into_gamut` returns the mapped CIELAB colors;
* :func:`lab_to_srgb_keep_lightness` returns their sRGB (the conversion with
  the map built in; a color with ``a* = b* = 0`` comes out exactly gray).

Both run a parallel Numba kernel from 16 Ki colors on (``backend="auto"``),
or its NumPy twin below that; the two agree to float rounding.

Examples
--------
>>> lab = np.array([[50.0, 0.0, -120.0], [70.0, 10.0, 10.0]])  # far outside, inside
>>> out = into_gamut(lab)
>>> out[:, 0], bool(0 < -out[0, 2] < 120), out[1].tolist()
(array([50., 70.]), True, [70.0, 10.0, 10.0])
>>> lab_to_srgb_keep_lightness(np.array([50.0, 0.0, 0.0])).round(4)
array([0.4663, 0.4663, 0.4663])
"""

from __future__ import annotations

import numpy as np

from chroma._core.parallel import use_numba

__all__ = ["into_gamut", "lab_to_srgb_keep_lightness"]

GAMUT_TOL = 1e-5  # as in the kernels: linear-light slack before a color counts as outside
BISECT_STEPS = 12


# --- NumPy twins of chroma.spaces._gamut_kernels (float64 inside, like the kernels) ------
def _np_lab_linear(lab: np.ndarray) -> np.ndarray:
    from chroma.spaces import LINEAR_FROM_XYZ, _np_lab_to_xyz

    return _np_lab_to_xyz(lab) @ LINEAR_FROM_XYZ.T


def _np_in_gamut(lin: np.ndarray) -> np.ndarray:
    return ((lin >= -GAMUT_TOL) & (lin <= 1.0 + GAMUT_TOL)).all(-1)


def _np_keep_l(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Twin of ``_keep_l`` on (N, 3) float64: the chroma factors t and the kept linear RGB."""
    from chroma.spaces import _np_lab_finv

    lin = _np_lab_linear(lab)
    t = np.ones(len(lab))
    neutral = (lab[:, 1] == 0) & (lab[:, 2] == 0)
    bad = ~_np_in_gamut(lin) & ~neutral
    if bad.any():
        idx = np.flatnonzero(bad)
        sub = lab[idx]
        lo, hi = np.zeros(len(idx)), np.ones(len(idx))
        for _ in range(BISECT_STEPS):
            mid = 0.5 * (lo + hi)
            trial = np.stack([sub[:, 0], sub[:, 1] * mid, sub[:, 2] * mid], -1)
            ok = _np_in_gamut(_np_lab_linear(trial))
            lo = np.where(ok, mid, lo)
            hi = np.where(ok, hi, mid)
        t[idx] = lo
        lin[idx] = _np_lab_linear(np.stack([sub[:, 0], sub[:, 1] * lo, sub[:, 2] * lo], -1))
        neutral[idx[lo == 0]] = True
    t[neutral] = 0.0
    if neutral.any():
        lin[neutral] = _np_lab_finv((lab[neutral, 0] + 16.0) / 116.0)[:, None]
    return t, lin


def _np_into_gamut(lab: np.ndarray) -> np.ndarray:
    """NumPy twin of :func:`chroma.spaces._gamut_kernels.into_gamut` ((N, 3) float64)."""
    t, _ = _np_keep_l(lab)
    out = lab.copy()
    out[:, 1:] *= t[:, None]
    return out


def _np_lab_to_srgb_keep_l(lab: np.ndarray) -> np.ndarray:
    """NumPy twin of :func:`chroma.spaces._gamut_kernels.lab_to_srgb_keep_l`."""
    from chroma.spaces import _np_linear_to_srgb

    _, lin = _np_keep_l(lab)
    return _np_linear_to_srgb(np.clip(lin, 0.0, 1.0))


# --- public --------------------------------------------------------------------------------
def _flat_lab(lab, name: str) -> tuple[np.ndarray, tuple[int, ...], np.dtype]:
    arr = np.asarray(lab)
    if arr.dtype.kind not in "fiu" or arr.dtype == np.bool_:
        raise TypeError(f"`{name}` must be a float array of CIELAB values, got dtype {arr.dtype}.")
    if arr.ndim < 1 or arr.shape[-1] != 3:
        raise ValueError(f"`{name}` must have shape (..., 3) (L*, a*, b*), got {arr.shape}.")
    flat = np.ascontiguousarray(arr.reshape(-1, 3), dtype=np.float64)
    if not np.isfinite(flat).all():
        raise ValueError(f"`{name}` holds NaN or infinite values.")
    dtype = arr.dtype if arr.dtype.kind == "f" and arr.dtype.itemsize >= 4 else np.float64
    return flat, arr.shape, np.dtype(dtype)


def _run(lab, backend: str, kernel: str, twin) -> np.ndarray:
    """Validate `lab`, run the named kernel of _gamut_kernels (or its twin), restore the shape."""
    flat, shape, dtype = _flat_lab(lab, "lab")
    if use_numba(len(flat), backend):
        from chroma.spaces import _gamut_kernels as K

        out = np.empty_like(flat)
        getattr(K, kernel)(flat, out)
    else:
        out = twin(flat)
    return out.reshape(shape).astype(dtype, copy=False)


def into_gamut(lab, *, backend: str = "auto") -> np.ndarray:
    """Bring CIELAB colors inside sRGB by lowering chroma at constant L* and hue.

    Parameters
    ----------
    lab : array_like of shape (..., 3)
        CIELAB colors (D65; L* in [0, 100]).
    backend : {"auto", "numba", "numpy"}, optional
        The compiled kernel or its NumPy twin (``"auto"``: by size).

    Returns
    -------
    lab : ndarray
        Same shape; float32 for float32 input, float64 otherwise. Colors
        already inside are returned unchanged; the others keep L* and hue
        angle, with the largest chroma (to 2⁻¹² of it) that is inside.

    See Also
    --------
    lab_to_srgb_keep_lightness : the same map, straight to sRGB.

    Examples
    --------
    >>> out = into_gamut([[60.0, 90.0, 90.0]])
    >>> out.round(2)
    array([[60.  , 61.79, 61.79]])
    """
    return _run(lab, backend, "into_gamut", _np_into_gamut)


def lab_to_srgb_keep_lightness(lab, *, backend: str = "auto") -> np.ndarray:
    """CIELAB to sRGB in [0, 1], out-of-gamut colors mapped at constant L* and hue.

    Equal to ``convert(into_gamut(lab), "lab", "rgb")`` up to float rounding
    (in one pass); a color with ``a* = b* = 0`` comes out exactly gray
    (R = G = B), so the L* of the result is the input's within float32 (or
    8-bit) rounding.

    Parameters
    ----------
    lab : array_like of shape (..., 3)
        CIELAB colors (D65; L* in [0, 100]).
    backend : {"auto", "numba", "numpy"}, optional
        The compiled kernel or its NumPy twin (``"auto"``: by size).

    Returns
    -------
    rgb : ndarray
        Same shape, sRGB in [0, 1]; float32 for float32 input, float64 otherwise.

    Examples
    --------
    >>> rgb = lab_to_srgb_keep_lightness(np.array([[30.0, 0.0, -120.0]], dtype=np.float32))
    >>> rgb.dtype, bool(rgb.min() >= 0 and rgb.max() <= 1)
    (dtype('float32'), True)
    """
    return _run(lab, backend, "lab_to_srgb_keep_l", _np_lab_to_srgb_keep_l)
