"""Palette-based recoloring: :func:`recolor`, :func:`replace_color`, :class:`PaletteTransfer`.

:func:`recolor` works in the spirit of Chang et al. [1]: a monotonic
lightness curve plus per-color a*b* offsets blended by smooth radial-basis
weights, so that gradients stay smooth; :func:`replace_color` changes one
color ("make the red car blue"); :class:`PaletteTransfer` pairs an image's
palette with a reference's and recolors.

References
----------
.. [1] H. Chang, O. Fried, Y. Liu, S. DiVerdi, A. Finkelstein, "Palette-based
       Photo Recoloring", ACM Transactions on Graphics 34(4) (SIGGRAPH), 2015.
"""

from __future__ import annotations

import numbers

import numpy as np

from chroma._core.parallel import NUMBA_MIN_PIXELS as _NUMBA_MIN_PIXELS
from chroma._core.validate import (
    check_fitted,
    check_image,
    check_mask,
    check_random_state,
    check_scalar,
    check_strength,
    to_float,
    working_copy,
)
from chroma.colors import parse_color
from chroma.palettes.extract import _check_n_colors, _histogram, _kmeans_palette
from chroma.palettes.palette import Palette, _as_palette, _rgb_to_lab
from chroma.spaces import convert_pixels
from chroma.spaces.gamut import lab_to_srgb_keep_lightness
from chroma.transfers._base import ColorTransfer

__all__ = ["PaletteTransfer", "recolor", "replace_color"]

_CHUNK = 1 << 20  # pixels per chunk in recolor (bounds the (P, K) temporaries)


def _isotonic(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least-squares non-decreasing fit to `y` (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for yi, wi in zip(y, w):
        blocks.append([float(yi), float(wi), 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    return np.concatenate([np.full(c, m) for m, _, c in blocks])


def _lightness_curve(src_L: np.ndarray, tgt_L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knots of the monotonic piecewise-linear L* map through (0,0), the pairs, (100,100).

    Source lightnesses that tie are pooled; target lightnesses that would
    reverse the order are evened out by isotonic regression (Chang et al.
    keep the edited palette's lightness order for the same reason).
    """
    order = np.argsort(src_L, kind="stable")
    xs, ys = np.clip(src_L[order], 0, 100), np.clip(tgt_L[order], 0, 100)
    ux, inv, cnt = np.unique(np.round(xs, 9), return_inverse=True, return_counts=True)
    uy = np.bincount(inv, weights=ys) / cnt
    uy = _isotonic(uy, cnt.astype(float))
    return np.concatenate([[0.0], ux, [100.0]]), np.concatenate([[0.0], uy, [100.0]])


def _rbf_params(src: np.ndarray) -> tuple[float, np.ndarray]:
    """Chang et al.'s RBF kernel width and interpolation matrix for palette `src` (K, 3).

    ``gamma = 1 / (2 σ²)`` with σ the mean distance between palette colors,
    and ``lam = Φ⁻¹`` (pseudo-inverse) with ``Φ_ij = exp(-gamma |s_i - s_j|²)``,
    so that the weights of a pixel equal to ``s_i`` are exactly ``e_i``.
    """
    k = len(src)
    if k == 1:
        return 0.0, np.ones((1, 1))
    d2 = ((src[:, None] - src[None]) ** 2).sum(-1)
    sigma = max(float(np.sqrt(d2)[np.triu_indices(k, 1)].mean()), 1e-6)
    gamma = 1.0 / (2.0 * sigma * sigma)
    return gamma, np.linalg.pinv(np.exp(-gamma * d2))


def _rbf_weights(lab: np.ndarray, src: np.ndarray, gamma: float, lam: np.ndarray) -> np.ndarray:
    """Normalized, non-negative RBF weights of pixels (P, 3) w.r.t. colors (K, 3)."""
    k = len(src)
    d2 = ((lab[:, None, :] - src[None]) ** 2).sum(-1)
    w = np.exp(-gamma * d2) @ lam
    np.maximum(w, 0.0, out=w)
    s = w.sum(1, keepdims=True)
    far = s[:, 0] < 1e-12
    w /= np.where(s < 1e-12, 1.0, s)
    w[far] = 1.0 / k
    return w


def _recolor_params(src: np.ndarray, tgt: np.ndarray):
    xk, yk = _lightness_curve(src[:, 0], tgt[:, 0])
    gamma, lam = _rbf_params(src)
    delta_ab = np.ascontiguousarray(tgt[:, 1:] - src[:, 1:])
    return np.ascontiguousarray(src, dtype=np.float64), gamma, lam, delta_ab, xk, yk


def _np_recolor_lab(lab, src, gamma, lam, delta_ab, xk, yk) -> np.ndarray:
    """NumPy twin of :func:`chroma.palettes._kernels.recolor_lab` (float32 out)."""
    out = np.empty(lab.shape, dtype=np.float32)
    for s in range(0, len(lab), _CHUNK):
        part = lab[s : s + _CHUNK].astype(np.float64)
        w = _rbf_weights(part, src, gamma, lam)
        out[s : s + _CHUNK, 0] = np.interp(part[:, 0], xk, yk)
        out[s : s + _CHUNK, 1:] = part[:, 1:] + w @ delta_ab
    return out


def _recolor_lab(lab: np.ndarray, src: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """Recolor float (P, 3) Lab pixels from palette `src` (K, 3) to `tgt` (K, 3); float32 out."""
    params = _recolor_params(src, tgt)
    lab = np.ascontiguousarray(lab, dtype=np.float32)
    if len(lab) >= _NUMBA_MIN_PIXELS:
        from chroma.palettes import _kernels as K
        return K.recolor_lab(lab, *params)
    return _np_recolor_lab(lab, *params)


def _recolor_rgb(rgb: np.ndarray, src: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """Recolor float32 sRGB pixels (P, 3); float32 sRGB out, clipped to [0, 1]."""
    lab = convert_pixels(rgb, "rgb", "lab")
    return lab_to_srgb_keep_lightness(_recolor_lab(lab, src, tgt))


def recolor(image, source_palette, target_palette, *, mask=None, channel_axis: int = -1):
    """Move each color of `source_palette` to the matching one of `target_palette`.

    Palette-based recoloring in the spirit of Chang et al. [1]: lightness
    goes through a monotonic piecewise-linear curve through (0, 0), each
    ``(source L*, target L*)`` pair and (100, 100), so lightness order (and
    with it shading and edges) is kept; a*b* move by the palette offsets
    ``target - source`` blended with radial-basis weights that are smooth in
    Lab, interpolate exactly (a pixel equal to a source color gets that
    color's offset alone), are clamped to be non-negative and sum to one.
    Colors that leave the sRGB gamut lose chroma at constant L* and hue
    (:func:`chroma.spaces.gamut.lab_to_srgb_keep_lightness`), so the
    lightness curve holds in the output too (the paper scales the offsets
    toward the gamut boundary instead).

    Parameters
    ----------
    image : ndarray
        RGB(A) or gray image; uint8, uint16 or float in [0, 1].
    source_palette, target_palette : Palette, list of hex str or array_like of shape (K, 3)
        Paired colors: ``source_palette[i]`` becomes ``target_palette[i]``.
        Usually the source is ``extract_palette(image)`` and the target an
        edited copy.
    mask : ndarray of shape (M, N), optional
        bool or float in [0, 1]: where to recolor; 0 leaves the pixel unchanged.
    channel_axis : int, optional
        Channel axis of `image` and of the result.

    Returns
    -------
    out : ndarray
        Same shape (gray comes back RGB), dtype and alpha as `image`.

    See Also
    --------
    replace_color : change one color only, leaving the others alone.
    PaletteTransfer : pair two images' palettes automatically.

    Examples
    --------
    >>> img = np.array([[[200, 30, 30], [30, 30, 200]]], dtype=np.uint8)
    >>> src = ["#c81e1e", "#1e1ec8"]
    >>> recolor(img, src, src)
    array([[[200,  30,  30],
            [ 30,  30, 200]]], dtype=uint8)
    >>> recolor(img, src, ["#1ec81e", "#1e1ec8"])[0, 0]
    array([ 30, 200,  30], dtype=uint8)
    """
    src = _as_palette(source_palette, "source_palette")
    tgt = _as_palette(target_palette, "target_palette")
    if len(src) != len(tgt):
        raise ValueError(
            f"`source_palette` and `target_palette` must have the same number of colors, "
            f"got {len(src)} and {len(tgt)}."
        )
    from chroma.compositing import _land

    arr = check_image(image, channel_axis=channel_axis)
    x, restore = working_copy(arr, channels=(3,), gray_to_rgb=True)
    m = None if mask is None else check_mask(mask, x.shape, name="mask")
    flat = x.reshape(-1, 3)
    if m is not None:  # only where it lands (the rest is the input's anyway)
        sel = m.reshape(-1) > 0
        out = flat.copy()
        out[sel] = _recolor_rgb(flat[sel], src.lab, tgt.lab)
    else:
        out = _recolor_rgb(flat, src.lab, tgt.lab)
    return _land(x, out.reshape(x.shape), m, restore, arr, channel_axis)


_REPLACE_KL = 0.25  # weight of lightness differences in replace_color's distance
_REPLACE_KC = 0.25  # weight of chroma differences


def replace_color(image, source_color, target_color, *, tolerance: float = 12.0,
                  strength: float = 1.0, mask=None, channel_axis: int = -1):
    """Change one color of `image` into another ("make the red car blue").

    Pixels near `source_color` take `target_color`'s hue, chroma and
    lightness *relative to their own*: hue is rotated by the hue difference,
    chroma scaled by the chroma ratio, lightness mapped by a monotonic curve
    through ``(source L*, target L*)``, so the shading of the object is kept.
    (For a near-gray source color, C* < 10, a*b* are shifted instead.)
    The effect fades with the distance to `source_color`::

        d = sqrt((ΔL*/4)² + (ΔC*/4)² + ΔH*²)

    (mostly the hue difference ΔH*, in a*b* units: lightness and chroma
    differences count a quarter, so shadows and highlights of the object
    follow), at full strength for ``d <= tolerance`` and smoothly down to
    zero at ``d = 2 * tolerance``; pixels with less than 10 % of the source's
    chroma (grays) are left alone, fading in up to 30 %. Colors of similar
    hue elsewhere change too; pass a `mask` to keep the change on one object.

    Parameters
    ----------
    image : ndarray
        RGB(A) image; uint8, uint16 or float in [0, 1].
    source_color, target_color : str or array_like of shape (3,)
        Hex code, color name or RGB triplet (float in [0, 1] or int in
        [0, 255]; see :func:`chroma.colors.parse_color`).
    tolerance : float, optional
        Distance in ΔE units (see above) within which colors change fully.
    strength : float, optional
        Scales the change, in [0, 1].
    mask : ndarray of shape (M, N), optional
        Where the change may happen (bool or float in [0, 1]).
    channel_axis : int, optional
        Channel axis of `image` and of the result.

    Returns
    -------
    out : ndarray
        Same shape, dtype and alpha as `image`.

    Examples
    --------
    >>> img = np.array([[[200, 20, 20], [20, 160, 20]]], dtype=np.uint8)
    >>> replace_color(img, "#c81414", "#1414c8")
    array([[[ 20,  20, 200],
            [ 20, 160,  20]]], dtype=uint8)
    """
    s_rgb = parse_color(source_color, name="source_color")
    t_rgb = parse_color(target_color, name="target_color")
    tolerance = check_scalar(tolerance, "tolerance", numbers.Real, low=0, include_low=False)
    if not np.isfinite(tolerance):
        raise ValueError(f"`tolerance` must be finite, got {tolerance!r}.")
    strength = check_strength(strength)
    from chroma.compositing import _land

    arr = check_image(image, channel_axis=channel_axis)
    x, restore = working_copy(arr, channels=(3,), gray_to_rgb=True)
    m = None if mask is None else check_mask(mask, x.shape, name="mask")
    s_lab, t_lab = _rgb_to_lab(s_rgb)[0], _rgb_to_lab(t_rgb)[0]
    lab = convert_pixels(x, "rgb", "lab").reshape(-1, 3)
    out_lab = np.empty(lab.shape, dtype=np.float32)
    xk, yk = _lightness_curve(s_lab[:1], t_lab[:1])
    s_c, t_c = np.hypot(*s_lab[1:]), np.hypot(*t_lab[1:])
    s_h = np.arctan2(s_lab[2], s_lab[1])
    rot = np.arctan2(t_lab[2], t_lab[1]) - s_h
    for s in range(0, len(lab), _CHUNK):
        p = lab[s : s + _CHUNK].astype(np.float64)
        c = np.hypot(p[:, 1], p[:, 2])
        dh = 2.0 * np.sqrt(c * s_c) * np.sin((np.arctan2(p[:, 2], p[:, 1]) - s_h) / 2.0)
        d = np.sqrt((_REPLACE_KL * (p[:, 0] - s_lab[0])) ** 2
                    + (_REPLACE_KC * (c - s_c)) ** 2 + dh**2)
        t = np.clip(2.0 - d / tolerance, 0.0, 1.0)  # 1 inside tolerance, 0 beyond twice it
        w = strength * t * t * (3.0 - 2.0 * t)  # smoothstep
        if s_c >= 10.0:  # near-neutral pixels have no hue to speak of: leave them alone
            u = np.clip((c / s_c - 0.1) / 0.2, 0.0, 1.0)
            w *= u * u * (3.0 - 2.0 * u)
        new = np.empty_like(p)
        new[:, 0] = np.interp(p[:, 0], xk, yk)
        if s_c >= 10.0:
            cos, sin, ratio = np.cos(rot), np.sin(rot), t_c / s_c
            new[:, 1] = ratio * (cos * p[:, 1] - sin * p[:, 2])
            new[:, 2] = ratio * (sin * p[:, 1] + cos * p[:, 2])
        else:
            new[:, 1:] = p[:, 1:] + (t_lab[1:] - s_lab[1:])
        out_lab[s : s + _CHUNK] = p + w[:, None] * (new - p)
    out = lab_to_srgb_keep_lightness(out_lab).reshape(x.shape)
    return _land(x, out, m, restore, arr, channel_axis)


class PaletteTransfer(ColorTransfer):
    """Palette transfer: recolor an image with the palette of a reference.

    ``fit(reference)`` extracts the reference's palette (or takes a
    :class:`Palette`); ``transform(image)`` extracts the image's palette with
    as many colors, pairs the two by optimal assignment in Lab
    (:func:`scipy.optimize.linear_sum_assignment` on ΔE76) and calls
    :func:`recolor`. Also ``chroma.transfer(image, reference, method="palette")``.

    Parameters
    ----------
    n_colors : int, optional
        Colors per palette.
    strength : float, optional
        Blend of the result with the input, in [0, 1].
    keep_luminance : bool, optional
        Keep the input's L* (change colors only).
    random_state : None, int or numpy.random.Generator, optional
        Seed of both palette extractions.

    Attributes
    ----------
    palette_ : Palette
        The reference's palette.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    >>> ref = rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)
    >>> PaletteTransfer(3, random_state=0).fit(ref).transform(img).shape
    (8, 8, 3)
    """

    _spaces = ("rgb",)  # the base hands over sRGB pixels; Lab happens inside
    _fitted_attr = "palette_"
    _uses_image_stats = True

    def __init__(self, n_colors: int = 5, *, strength: float = 1.0,
                 keep_luminance: bool = False, random_state=None):
        self.n_colors = n_colors
        self.strength = strength
        self.keep_luminance = keep_luminance
        self.random_state = random_state

    def fit(self, reference, /, *, reference_mask=None, channel_axis: int = -1):
        """Learn the reference's palette; `reference` may be an image or a :class:`Palette`."""
        if isinstance(reference, Palette):
            _check_n_colors(self.n_colors)
            self._check_params()
            self.palette_ = reference
            self.n_features_in_ = 3
            return self
        return super().fit(reference, reference_mask=reference_mask, channel_axis=channel_axis)

    def _palette_of(self, pixels: np.ndarray, n: int) -> Palette:
        counts, mean = _histogram(pixels[:, None, :], None)
        rng = check_random_state(self.random_state)
        return _kmeans_palette(counts, mean, n, rng, "share")

    def _fit_pixels(self, ref: np.ndarray) -> None:
        self.palette_ = self._palette_of(ref, _check_n_colors(self.n_colors))

    def pairs(self, image) -> tuple[Palette, Palette]:
        """The image's palette and the reference colors paired with it (source, target)."""
        check_fitted(self, "palette_")
        x, _ = to_float(image, channels=(3,), gray_to_rgb=True)
        return self._pairs(x.reshape(-1, 3))

    def _pairs(self, stats: np.ndarray) -> tuple[Palette, Palette]:
        return self._paired(self._palette_of(stats, len(self.palette_)))

    def _block_stats(self, arr: np.ndarray, sel: np.ndarray | None) -> tuple[Palette, Palette]:
        """The pairs for `arr`, its color histogram gathered in fixed row blocks.

        The same histogram as :meth:`_pairs` on the float32 working copy,
        without holding that copy: the door then recolors in row tiles.
        """
        from chroma._core.tiles import stat_blocks
        from chroma.palettes.extract import _np_color_histogram

        width = arr.shape[1]
        counts = sums = None
        for rows in stat_blocks(arr.shape[0], width):
            x, _ = working_copy(arr[rows], channels=(3,), gray_to_rgb=True)
            px = x.reshape(-1, 3)
            if sel is not None:
                px = px[sel[rows.start * width : rows.stop * width]]
            if not len(px):
                continue
            ones = np.ones((1, 1), dtype=np.float32)
            if len(px) >= _NUMBA_MIN_PIXELS:
                from chroma._core.parallel import get_num_threads
                from chroma.palettes import _kernels as K

                c, t = K.color_histogram(px[:, None, :], 32.0, ones, False,
                                         int(min(get_num_threads() * 2, len(px))))
            else:
                c, t = _np_color_histogram(px, 32.0, ones, False)
            counts, sums = (c, t) if counts is None else (counts + c, sums + t)
        nz = np.flatnonzero(counts > 0) if counts is not None else np.zeros(0, np.int64)
        if not len(nz):
            raise ValueError(
                "`region` (or the alpha channel) selects no pixels; nothing to extract.")
        mean = np.clip(sums[nz] / counts[nz, None], 0.0, 1.0)
        rng = check_random_state(self.random_state)
        return self._paired(_kmeans_palette(counts[nz], mean, len(self.palette_), rng, "share"))

    def _paired(self, src: Palette) -> tuple[Palette, Palette]:
        from scipy.optimize import linear_sum_assignment

        cost = np.sqrt(((src.lab[:, None] - self.palette_.lab[None]) ** 2).sum(-1))
        rows, cols = linear_sum_assignment(cost)
        src = Palette(src.colors[rows], src.weights[rows])
        return src, Palette(self.palette_.colors[cols], self.palette_.weights[cols])

    def _transform_pixels(self, pixels: np.ndarray, stats) -> np.ndarray:
        src, tgt = stats if isinstance(stats, tuple) else self._pairs(stats)
        return _recolor_rgb(pixels, src.lab, tgt.lab)
