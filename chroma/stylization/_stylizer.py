"""``chroma.stylize`` and :class:`Stylizer` (see :mod:`chroma.stylization`)."""

from __future__ import annotations

import inspect
import numbers

import numpy as np

from chroma._core.base import ColorStep
from chroma.stylization import _operators as ops
from chroma.stylization._compat import (
    _INT_MAX,
    check_fitted,
    check_image,
    check_mask,
    check_random_state,
    check_region,
    check_strength,
    convert,
    to_float,
)

__all__ = ["Stylizer", "stylize"]

INITS = ("reinhard", "idt", "identity")
COARSE_SIDE = 256  # proxies above this long side are fitted coarse to fine
_WEIGHTS = ("style_weight", "sw_weight", "lab_weight", "content_weight", "smooth_weight",
            "artifact_weight", "gamut_weight", "blotch_weight", "palette_weight")


def _check_int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an int in [{low}, {high}], got "
                        f"{type(value).__name__}.")
    if not low <= value <= high:
        raise ValueError(f"`{name}` must be an int in [{low}, {high}], got {value!r}.")
    return int(value)


def _check_weight(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a number >= 0, got {type(value).__name__}.")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"`{name}` must be a number >= 0, got {value!r}.")
    return float(value)


def _check_choice(value, name: str, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name}={value!r} is not supported; choose from {list(choices)}.")
    return value


def _proxy(x: np.ndarray, size: int) -> np.ndarray:
    """Area-averaged copy of float (H, W, C) ``x`` whose long side is at most ``size``."""
    h, w = x.shape[:2]
    scale = size / max(h, w)
    if scale >= 1.0:
        return np.ascontiguousarray(x, dtype=np.float32)
    from skimage.transform import resize

    shape = (max(1, round(h * scale)), max(1, round(w * scale)))
    return resize(x, shape, order=1, anti_aliasing=True, preserve_range=True).astype(np.float32)


def _lab(x: np.ndarray) -> np.ndarray:
    return convert(np.clip(x, 0.0, 1.0), "rgb", "lab", backend="numpy").astype(np.float64)


class Stylizer(ColorStep):
    """Color-only style transfer: the colors of a style image, lightness and silhouettes kept.

    :meth:`fit` keeps the feature statistics of the style (Gram matrices and
    feature samples); :meth:`transform` fits a small color operator for the
    image at a proxy size (`size` pixels on the long side) by gradient
    descent on a style loss, then applies it at full resolution. Only a*b*
    is ever changed: the output's CIELAB L* is the input's (colors that
    leave the sRGB gamut lose chroma at constant L*, never lightness).

    Parameters
    ----------
    operator : {"grid", "lut", "free"}, optional
        What is optimized: a bilateral grid over (x, y, L*) of local affine
        a*b* maps (an offset and a 2x2 gain per node; smooth in space, sharp
        across lightness edges), a global
        L*-conditioned 3-D LUT (exports with :meth:`to_lut`), or one offset
        per proxy pixel (for comparison; it can blotch).
    features : {"random", "colornet", "both"}, optional
        Features whose statistics the style loss compares: random multi-scale
        filters on Lab, the encoder of chroma's colorization network, or both.
    size : int, optional
        Long side of the proxy on which the operator is fitted (64 to 1024).
    iterations : int, optional
        Optimizer steps (Adam).
    strength : float in [0, 1], optional
        0 gives the input back, 1 the full effect (a*b* interpolated).
    init : {"idt", "reinhard", "identity"}, optional
        The classical transfer (in Lab, lightness kept) the content term
        anchors to. The "lut" and "free" operators add offsets to it; the
        "grid" starts from the image's own colors with the transfer
        projected onto its affine maps (least squares per node), so the
        grain a global color map puts into flat regions is not carried
        over. "identity": the image's own colors.
    style_weight, sw_weight, lab_weight, content_weight, smooth_weight, artifact_weight, \
gamut_weight, blotch_weight : float
        Weights of the Gram, feature sliced-Wasserstein, pixel (joint L*a*b*)
        sliced-Wasserstein, content, edge-aware smoothness, gradient-artifact,
        out-of-gamut and blotch terms (see :mod:`chroma.stylization._torch`;
        the blotch term is the square of :func:`color_blotches` on the proxy,
        / 10²). Every term sees the colors after the gamut map the output gets.
    palette_weight : float, optional
        Weight of the in-style color term: ``mean(max(D - 4, 0)²) / 10²``, where
        ``D`` is the distance from an output pixel to the nearest style pixel
        (L* differences counted half), so colors the style does not have at a
        similar lightness cost; 0 (the default) is off. See
        :func:`~chroma.stylization._torch.palette_field`.
    color_nodes : int, optional
        For the grid: nodes per axis of a global a*b* offset table over the
        input's RGB, fitted with the grid and added to the start before its
        affine maps (all pixels of one color move alike: what the blotch term
        leaves free); 0 turns it off. Baked into the operator's start table,
        so applying the operator costs the same.
    lightness_smooth : float, optional
        For the grid, after the fit: diffuse its maps along L* for this time
        (in squared lightness levels; :func:`~chroma.stylization._operators.smooth_lightness`),
        so that L* texture puts less a*b* texture in; 0 (off) keeps the fit.
    gain_cap : float, optional
        For the grid, after the fit: the largest singular value of each node's
        a*b* gain (>= 1; 0 is off).
    change_blur : float, optional
        For the grid, when applied: the standard deviation in pixels (of the
        image it is applied to; at most 8) of a Gaussian that the a*b* change
        (to the gamut-mapped color) is convolved with
        (:func:`~chroma.stylization._operators.soften_change`): the grid's
        change follows the input's one-pixel L* edges, the input's own a*b*
        edges are softer, and the sum would have a*b* gradients the input
        had not. 0 (the default) is off. The fit does not see it. At 1.5 it
        halved the artifacts on train and eval pairs but cost SW wins over IDT
        on eval, and it adds gradients next to the edges of images whose a*b*
        is as sharp as their L* (``benchmarks/results/stylize_blur15.md``).
    gamut_blur : float, optional
        Any operator, when applied: the standard deviation in pixels (of the
        image it is applied to; at most 8) of a Gaussian that the keep-L* gamut
        map's own change (the chroma it takes from the operator's out-of-gamut
        colors) is convolved with before the map runs again
        (:func:`~chroma.stylization._operators.soften_gamut`). The sRGB boundary
        changes with L*, so colors clipped to it copy the input's L* texture into
        a*b*; softened, about the same chroma is removed, smoothly, and the
        operator's own edges are kept. 0 (the default) is off; not with
        ``change_blur``. The fit does not see it. At 2 it lowered the train
        artifacts 0.90 -> 0.59 with the style wins kept; with ``regrain=0.05,
        regrain_edge=5`` the eval artifacts fell 0.294 -> 0.131 with every style
        item kept, still above IDT + regrain's 0.122
        (``benchmarks/results/stylize_gamut_regrain.md``). 12 MP: 1.2 s.
    regrain : float, optional
        Any operator, after it is applied: 0 (the default) is off; above 0, a
        chroma-only regrain (Pitié et al. 2007, as :func:`chroma.regrain` does
        for IDT) of the output with this ``smoothness``
        (:func:`~chroma.stylization._operators.regrain_chroma`): a*b* keeps the
        output's low frequencies and takes the input's gradients where the
        input is flat, L* stays the input's. It runs at the resolution of the
        image it is applied to (12 MP: 10.7 s against 1.5 s without it, on 2
        cores: the 2 s apply budget is missed with it; see ``regrain_size``), and costs style
        distance: at ``regrain=0.1, regrain_edge=5`` the eval artifacts fell
        0.294 -> 0.169 but the SW wins over IDT 9/10 -> 7/10
        (``benchmarks/results/stylize_regrain.md``).
    regrain_edge : float, optional
        With ``regrain``: 0 regrains every pixel; above 0, only those within a
        pixel of an input L* edge steeper than this (L* units per pixel), feathered.
    regrain_size : int, optional
        With ``regrain``: 0 (the default) regrains at the image's own size; above
        0, images with a longer side than this are regrained on an area-averaged
        copy of this long side and the correction is carried to full size inside
        the apply kernel as a guided filter of the input's colors
        (:func:`~chroma.stylization._operators.regrain_coefficients`). Faster (12 MP
        with ``gamut_blur=2``: 1.7 s at 512, 3.1 s at 1024, against about 10 s at
        full size), but the regrain acts at the pixel scale: carried 2x it kept
        part of its effect on train pairs, carried 4x or more it added artifacts
        instead (``benchmarks/results/stylize_regrain_carry.md``).
    cells : int, optional
        Grid/LUT resolution: cells along the long side (grid) or along each
        a*b* axis (LUT).
    lightness_bins : int, optional
        Nodes along L*.
    coarse : float in [0, 1], optional
        For ``size`` above 256 and the resolution-free operators ("grid",
        "lut"): the fraction of the iterations run on a half-size proxy (at
        least 256 px) before the rest at ``size`` (coarse to fine; one
        cosine-decayed step size over both). 0: every iteration at ``size``.
        Proxies of 256 px or less (the default) are fitted in one stage.
    random_state : None, int or numpy.random.Generator, optional
        Seed of the filters, the samples and the start (IDT): equal seeds
        give equal outputs.
    progress : bool, optional
        Show a tqdm bar over the iterations.

    Attributes
    ----------
    style_stats_ : dict
        The style's Gram matrices and feature samples (set by :meth:`fit`).
    operator_ : Operator
        The operator fitted by the last :meth:`transform` / :meth:`fit_operator`.
    loss_history_ : list of float
        The loss at each iteration of the last fit.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = rng.random((24, 32, 3)).astype(np.float32)
    >>> style = rng.random((20, 20, 3)).astype(np.float32)
    >>> st = Stylizer(size=32, iterations=3, random_state=0, progress=False).fit(style)
    >>> out = st.transform(img)
    >>> out.shape, out.dtype
    ((24, 32, 3), dtype('float32'))
    """

    def __init__(
        self,
        operator: str = "grid",
        *,
        features: str = "random",
        size: int = 256,
        iterations: int = 100,
        strength: float = 1.0,
        init: str = "idt",
        style_weight: float = 1.0,
        sw_weight: float = 1.0,
        lab_weight: float = 8.0,
        content_weight: float = 0.05,
        smooth_weight: float = 0.05,
        artifact_weight: float = 2.0,
        gamut_weight: float = 1.0,
        blotch_weight: float = 1.0,
        palette_weight: float = 0.0,
        color_nodes: int = 9,
        lightness_smooth: float = 0.0,
        gain_cap: float = 0.0,
        change_blur: float = 0.0,
        gamut_blur: float = 0.0,
        regrain: float = 0.0,
        regrain_edge: float = 0.0,
        regrain_size: int = 0,
        cells: int = 12,
        lightness_bins: int = 8,
        coarse: float = 0.75,
        random_state=None,
        progress: bool = True,
    ):
        self.operator = operator
        self.features = features
        self.size = size
        self.iterations = iterations
        self.strength = strength
        self.init = init
        self.style_weight = style_weight
        self.sw_weight = sw_weight
        self.lab_weight = lab_weight
        self.content_weight = content_weight
        self.smooth_weight = smooth_weight
        self.artifact_weight = artifact_weight
        self.gamut_weight = gamut_weight
        self.blotch_weight = blotch_weight
        self.palette_weight = palette_weight
        self.color_nodes = color_nodes
        self.lightness_smooth = lightness_smooth
        self.gain_cap = gain_cap
        self.change_blur = change_blur
        self.gamut_blur = gamut_blur
        self.regrain = regrain
        self.regrain_edge = regrain_edge
        self.regrain_size = regrain_size
        self.cells = cells
        self.lightness_bins = lightness_bins
        self.coarse = coarse
        self.random_state = random_state
        self.progress = progress

    def _check(self) -> None:
        _check_choice(self.operator, "operator", ops.OPERATORS)
        from chroma.stylization._torch import FEATURES

        _check_choice(self.features, "features", FEATURES)
        _check_choice(self.init, "init", INITS)
        _check_int(self.size, "size", 16, 1024)
        _check_int(self.iterations, "iterations", 0, 100_000)
        _check_int(self.cells, "cells", 2, 64)
        _check_int(self.lightness_bins, "lightness_bins", 2, 64)
        if self.color_nodes != 0:
            _check_int(self.color_nodes, "color_nodes", 2, ops.START_SIZE)
        check_strength(self.strength)
        if _check_weight(self.coarse, "coarse") > 1.0:
            raise ValueError(f"`coarse` must be a number in [0, 1], got {self.coarse!r}.")
        for k in _WEIGHTS:
            _check_weight(getattr(self, k), k)
        _check_weight(self.lightness_smooth, "lightness_smooth")
        if _check_weight(self.change_blur, "change_blur") > 8.0:
            raise ValueError(f"`change_blur` must be a number in [0, 8] (pixels), got "
                             f"{self.change_blur!r}.")
        if _check_weight(self.gamut_blur, "gamut_blur") > 8.0:
            raise ValueError(f"`gamut_blur` must be a number in [0, 8] (pixels), got "
                             f"{self.gamut_blur!r}.")
        if self.gamut_blur > 0 and self.change_blur > 0:
            raise ValueError(f"`gamut_blur` and `change_blur` cannot both be on, got "
                             f"gamut_blur={self.gamut_blur!r}, change_blur={self.change_blur!r}.")
        if _check_weight(self.regrain, "regrain") > 100.0:
            raise ValueError(f"`regrain` must be 0 (off) or a smoothness in (0, 100], got "
                             f"{self.regrain!r}.")
        _check_weight(self.regrain_edge, "regrain_edge")
        if self.regrain_size != 0:
            _check_int(self.regrain_size, "regrain_size", 16, 1 << 16)
        if self.gain_cap != 0 and _check_weight(self.gain_cap, "gain_cap") < 1.0:
            raise ValueError(f"`gain_cap` must be 0 (off) or a number >= 1, got "
                             f"{self.gain_cap!r}.")

    # --- fit -------------------------------------------------------------------------------
    def fit(self, style, *, reference_mask=None, channel_axis: int = -1) -> Stylizer:
        """Keep the style's feature statistics.

        Parameters
        ----------
        style : ndarray
            The style image (RGB(A) or gray; any dtype chroma takes; any size).
        reference_mask : ndarray of shape (M, N), optional
            Which pixels of `style` count (>= 0.5 for the samples, weights for
            the Gram matrices).
        channel_axis : int, optional
            Channel axis of `style`.

        Returns
        -------
        self
        """
        self._check()
        x, _ = to_float(style, name="style", channels=(3,), gray_to_rgb=True,
                        channel_axis=channel_axis)
        rng = check_random_state(self.random_state)
        self.seed_ = int(rng.integers(2**31 - 1))
        from chroma.stylization._compat import transfer_estimator

        ref_m = None if reference_mask is None else check_mask(reference_mask, x.shape,
                                                               name="reference_mask")
        if self.init == "identity":
            self.start_ = None
        else:
            start = transfer_estimator(
                self.init, space="lab", keep_luminance=True,
                **({"random_state": self.seed_} if self.init == "idt" else {}))
            self.start_ = start.fit(x, reference_mask=ref_m)
        small = _proxy(x, self.size)
        weight = None
        if ref_m is not None:
            weight = _proxy(ref_m[..., None], self.size)[..., 0]
        from chroma.stylization._torch import style_statistics

        self.style_stats_ = style_statistics(_lab(small), self.features, self.seed_, weight)
        self.n_features_in_ = 3
        return self

    # --- the operator for one image ------------------------------------------------------
    def fit_operator(self, image, *, region=None, channel_axis: int = -1) -> Stylizer:
        """Fit the color operator for `image` (at the proxy size) without applying it.

        Parameters
        ----------
        image : ndarray
            The image to stylize.
        region : ndarray of shape (M, N), optional
            Where the image's statistics come from (the style loss and the
            start's statistics see only these pixels). Never a blend.
        channel_axis : int, optional
            Channel axis of `image`.

        Returns
        -------
        self
        """
        check_fitted(self, "style_stats_")
        self._check()
        x, _ = to_float(image, name="image", channels=(3,), gray_to_rgb=True,
                        channel_axis=channel_axis)
        # a region is a set of pixels (check_region: where it is >= 0.5), as everywhere
        sel = check_region(region, x.shape, name="region")
        reg = None if sel is None else sel.reshape(x.shape[:2]).astype(np.float32)
        small = _proxy(x, self.size)
        reg_small = None if reg is None else _proxy(reg[..., None], self.size)[..., 0]
        hard = None if reg_small is None else (reg_small >= 0.5).astype(np.float32)
        kind = self.operator
        axis = np.linspace(0.0, 1.0, ops.START_SIZE, dtype=np.float32)
        identity = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), -1)
        classical = (identity if self.start_ is None
                     else self.start_.to_lut(ops.START_SIZE, image=small, region=hard))
        # the grid starts from the image's own colors and the classical transfer is
        # projected onto its local affine maps (it stays the content term's anchor):
        # the grain a global color map puts into flat regions has no place to live
        start = ops.start_table(identity if kind == "grid" else classical)
        shape = ops.volume_shape(kind, small.shape[:2], self.cells, self.lightness_bins)
        weights = {"style": self.style_weight, "sw": self.sw_weight, "lab": self.lab_weight,
                   "content": self.content_weight, "smooth": self.smooth_weight,
                   "gamut": self.gamut_weight, "blotch": self.blotch_weight,
                   "palette": self.palette_weight, "artifacts": self.artifact_weight}
        from chroma.stylization._torch import optimize

        def stage(side, iterations, volume, lr, lr_end, norm_volume=None, color=None):
            """Fit at a proxy of long side ``side``, from ``volume`` (the projection if None)."""
            sm = small if side == self.size else _proxy(x, side)
            rs = None if reg is None else (reg_small if side == self.size
                                           else _proxy(reg[..., None], side)[..., 0])
            hd = None if rs is None else (rs >= 0.5).astype(np.float32)
            lab = _lab(sm)
            flat = np.clip(sm.reshape(-1, 3).astype(np.float64), 0.0, 1.0)

            def read(table):
                return ops.np_trilinear(table, flat[:, 0], flat[:, 1], flat[:, 2]).reshape(
                    *sm.shape[:2], 2)

            start_ab = read(start)
            anchor = projected = None
            if kind == "grid":
                anchor = read(ops.start_table(classical))
                target = anchor if hd is None else np.where(hd[..., None] >= 0.5, anchor,
                                                            start_ab)
                projected = ops.project_grid(lab, start_ab, target, shape)
            theta, history, color = optimize(
                lab, start_ab, self.style_stats_, kind=kind, shape=shape,
                features=self.features, iterations=iterations, weights=weights,
                seed=self.seed_, region=rs, progress=self.progress, lr=lr, lr_end=lr_end,
                init_volume=projected if volume is None else volume, anchor_ab=anchor,
                norm_volume=norm_volume, rgb=sm, color_nodes=color_nodes, init_color=color)
            return theta, history, projected, color

        # coarse to fine (the resolution-free operators, proxies above COARSE_SIDE): most
        # steps on a half-size proxy, the last ones at full size, one cosine-decayed step size
        n = self.iterations
        coarse = (round(self.coarse * n) if kind != "free" and self.size > COARSE_SIDE
                  else 0)
        lr0, lr1 = 2.0, 0.2

        def lr_at(t):
            return lr1 + (lr0 - lr1) * 0.5 * (1 + np.cos(np.pi * t / max(n, 1)))

        color_nodes = self.color_nodes if kind == "grid" else 0
        if coarse:
            side = max(COARSE_SIDE, self.size // 2)
            theta, history, projected, color = stage(side, coarse, None, lr0, lr_at(coarse))
            if n - coarse:
                # the terms are normalized at the start (the projection at full size)
                full_start = projected if kind == "grid" else np.zeros_like(theta)
                theta, more, _, color = stage(self.size, n - coarse, theta, lr_at(coarse), lr1,
                                              norm_volume=full_start, color=color)
                history = history + more
        else:
            theta, history, _, color = stage(self.size, n, None, lr0, lr1)
        if color is not None:  # the global color table, baked into the start table (exact
            # where START_SIZE - 1 is a multiple of color_nodes - 1; close otherwise)
            start = start + ops.lattice_read(color, ops.START_SIZE)
        if kind == "grid" and self.lightness_smooth > 0:
            theta = ops.smooth_lightness(theta, self.lightness_smooth)
        if kind == "grid" and self.gain_cap > 0:
            theta = ops.cap_gain(theta, self.gain_cap)
        if kind == "free":
            self.operator_ = ops.Operator(kind, start, offsets=theta,
                                          gamut_blur=float(self.gamut_blur))
        else:
            self.operator_ = ops.Operator(kind, start, volume=theta,
                                          blur=self.change_blur if kind == "grid" else 0.0,
                                          gamut_blur=float(self.gamut_blur))
        self.loss_history_ = history
        return self

    def apply(self, image, *, channel_axis: int = -1) -> np.ndarray:
        """Apply the fitted operator to `image` (any size: a full-resolution copy of it).

        Returns
        -------
        out : ndarray
            RGB (gray input comes back RGB), the input's dtype, channel axis and
            alpha; L* is the input's.
        """
        check_fitted(self, "operator_")
        strength = check_strength(self.strength)
        arr = check_image(image, name="image", channel_axis=channel_axis)
        if arr.ndim == 3 and arr.shape[-1] == 3 and arr.dtype in (np.uint8, np.uint16):
            out = self._apply_array(np.ascontiguousarray(arr), strength)
            return out if channel_axis in (-1, 2) else np.moveaxis(out, -1, channel_axis)
        x, restore = to_float(image, name="image", channels=(3,), gray_to_rgb=True,
                              channel_axis=channel_axis)
        return restore(self._apply_array(x, strength))

    def _apply_array(self, arr: np.ndarray, strength: float) -> np.ndarray:
        """The operator (and the regrain, when ``regrain`` > 0) on a channels-last (H, W, 3)
        uint8/uint16 or float32 image; the same dtype back.

        The regrain runs at the image's size, unless ``regrain_size`` is set and the long
        side is larger: then it is solved on an area-averaged copy of that size and its
        correction carried to full size inside the apply kernel
        (:func:`ops.regrain_coefficients`).
        """
        op = self.operator_
        if self.regrain <= 0:
            return ops.apply(arr, op, strength)
        if 0 < self.regrain_size < max(arr.shape[:2]):
            small = ops.area_resize(arr, self.regrain_size)
            coef = ops.regrain_coefficients(small, ops.apply(small, op, strength),
                                            self.regrain, self.regrain_edge)
            return ops.apply(arr, op, strength, coef=coef)
        out = ops.apply(arr, op, strength)
        top = _INT_MAX.get(arr.dtype)
        if top is None:
            return ops.regrain_chroma(arr, out, self.regrain, self.regrain_edge)
        top = np.float32(top)
        r = ops.regrain_chroma(arr.astype(np.float32) / top, out.astype(np.float32) / top,
                               self.regrain, self.regrain_edge)
        return np.rint(np.clip(r, 0.0, 1.0) * top).astype(arr.dtype)

    def _apply_float(self, x: np.ndarray) -> np.ndarray:
        return self._apply_array(np.ascontiguousarray(x, dtype=np.float32),
                                 check_strength(self.strength))

    def transform(self, image, /, *, region=None, channel_axis: int = -1) -> np.ndarray:
        """Fit the operator for `image` and apply it (see :meth:`fit_operator`, :meth:`apply`)."""
        return self.fit_operator(image, region=region, channel_axis=channel_axis).apply(
            image, channel_axis=channel_axis)

    def _transform_image(self, arr: np.ndarray, sel) -> np.ndarray:
        region = None if sel is None else sel.reshape(arr.shape[:2])
        return self.fit_operator(arr, region=region).apply(arr)

    def fit_transform(self, style, image, **kwargs) -> np.ndarray:
        """``fit(style).transform(image, **kwargs)``."""
        return self.fit(style).transform(image, **kwargs)

    def to_lut(self, size: int = 33) -> np.ndarray:
        """The fitted global operator (``operator="lut"``) sampled on a ``size**3`` RGB lattice.

        Returns
        -------
        lut : ndarray of float32, shape (size, size, size, 3)
            ``lut[r, g, b]``; write it with :func:`chroma.write_cube`. The LUT
            is the operator of the last transformed image (its start depends
            on that image's statistics).
        """
        check_fitted(self, "operator_")
        if self.operator_.kind != "lut":
            raise ValueError(
                f"to_lut needs a global operator; this one is operator="
                f"{self.operator_.kind!r}, which depends on where a pixel is. "
                "Use Stylizer(operator='lut').")
        size = _check_int(size, "size", 2, 256)
        return ops.lattice_lut(self.operator_, size)


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return a is b


def stylize(
    image,
    style,
    *,
    operator: str = "grid",
    features: str = "random",
    size: int = 256,
    iterations: int = 100,
    strength: float = 1.0,
    mask=None,
    reference_mask=None,
    random_state=None,
    progress: bool = True,
    channel_axis: int = -1,
    **options,
) -> np.ndarray:
    """Give `image` the colors of `style`, keeping its lightness (and so every silhouette).

    Parameters
    ----------
    image : ndarray
        The image to recolor: RGB(A) or gray; uint8, uint16 or float in [0, 1].
    style : ndarray or Stylizer
        A painting or photo whose colors are taken (any size), or a
        :class:`Stylizer` already fitted on one (its parameters are used, and
        after the call it holds the operator fitted for `image`: the way to
        stylize many images from one style, or to export a LUT).
    operator, features, size, iterations, strength, random_state, progress
        See :class:`Stylizer`.
    mask : ndarray of shape (M, N), optional
        Where the effect lands (1), blends (between) or is absent (0: those
        pixels come back bit for bit). It also chooses the region whose
        statistics the style loss sees.
    reference_mask : ndarray, optional
        Which pixels of `style` count.
    channel_axis : int, optional
        Channel axis of both images and of the result.
    **options
        Other :class:`Stylizer` parameters (``init``, the loss weights, ``cells``...).

    Returns
    -------
    out : ndarray
        Same shape (gray input comes back RGB), dtype and alpha as `image`;
        CIELAB L* equal to the input's (within the output's rounding).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    >>> style = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    >>> out = stylize(img, style, size=32, iterations=2, random_state=0, progress=False)
    >>> out.shape, out.dtype
    ((24, 32, 3), dtype('uint8'))
    """
    if isinstance(style, Stylizer):
        given = {k: v for k, v in dict(operator=operator, features=features, size=size,
                                       iterations=iterations, strength=strength,
                                       random_state=random_state, progress=progress).items()
                 if not _same(v, _DEFAULTS[k])}
        extra = sorted([*given, *options, *(["reference_mask"] if reference_mask is not None
                                             else [])])
        if extra:
            raise TypeError(
                "`style` is a fitted Stylizer, whose own parameters are used; do not pass "
                f"{extra} with it (use style.set_params).")
        st = style
        check_fitted(st, "style_stats_")
    else:
        st = Stylizer(operator, features=features, size=size, iterations=iterations,
                      strength=strength, random_state=random_state, progress=progress,
                      **options)
        st.fit(style, reference_mask=reference_mask, channel_axis=channel_axis)
    # the operator is fitted for `image` (statistics from the mask's region) and blended in
    # by the mask: chroma.compositing.apply_step, what every mask= in chroma means
    from chroma.compositing import apply_step

    return apply_step(st, image, mask=mask, channel_axis=channel_axis)


_DEFAULTS = {k: p.default for k, p in inspect.signature(stylize).parameters.items()}
