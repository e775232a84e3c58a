"""Pipeline steps for edits made by hand: hint colorization and a splash background.

These two steps let a recipe (see :mod:`chroma.pipeline`) replay what a user
did on the ``chroma serve`` page, with nothing but the public functions:

* :class:`HintColorizer` is :func:`chroma.colorization` with its point `hints`,
  a hint patch size and the method (``"prior"``, ``"scribble"``, ``"welsh"``)
  as recipe options;
* :class:`SplashStep` is the background of :func:`chroma.splash` (gray,
  sepia or a tone at unchanged lightness) over the whole image. A recipe
  applies it through the step's mask with ``mode = "chroma"``, which keeps
  the colors where the mask is 0: with ``mask = {file = "keep.png",
  invert = true}`` it is a color splash that keeps the colors painted in
  ``keep.png``.

Neither step applies a mask itself (the pipeline does).

A recipe that uses them::

    [[steps]]
    name = "colorize"
    method = "chroma.hand_steps:HintColorizer"
    options = {hints = [[120, 80, "#c03020"], [40, 200, "#3050a0"]], patch = 1}

    [[steps]]
    name = "splash"
    method = "chroma.hand_steps:SplashStep"
    mask = {file = "mask.png", invert = true}
    mode = "chroma"
"""

from __future__ import annotations

import numbers

import numpy as np

from chroma.colorization.prior import Colorizer

__all__ = ["HintColorizer", "SplashStep"]

METHODS = ("prior", "scribble", "welsh")
MAX_PATCH = 32


class _Params:
    """``get_params`` / ``set_params`` / ``repr`` from the ``__init__`` arguments."""

    _param_names: tuple[str, ...] = ()

    def get_params(self, deep: bool = True) -> dict:
        return {k: getattr(self, k) for k in self._param_names}

    def set_params(self, **params):
        for k, v in params.items():
            if k not in self._param_names:
                raise ValueError(f"{type(self).__name__} has no parameter {k!r}; "
                                 f"parameters are {list(self._param_names)}.")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._param_names)
        return f"{type(self).__name__}({inner})"


def _check_patch(patch) -> int:
    if isinstance(patch, bool) or not isinstance(patch, numbers.Integral):
        raise TypeError(f"`patch` must be an int in [0, {MAX_PATCH}], got "
                        f"{type(patch).__name__}.")
    if not 0 <= patch <= MAX_PATCH:
        raise ValueError(f"`patch` must be an int in [0, {MAX_PATCH}], got {patch!r}.")
    return int(patch)


def expand_hints(hints, shape, patch: int) -> list[tuple[int, int, str]]:
    """Each point hint repeated over the ``(2 * patch + 1)`` square around it (clipped).

    Parameters
    ----------
    hints : list of (x, y, color)
        Point hints (see :mod:`chroma.colorization.hints`); colors as hex or RGB.
    shape : tuple
        The image's shape (rows first).
    patch : int
        Half side of the square; 0 keeps the points as they are.

    Returns
    -------
    points : list of (x, y, "#rrggbb")

    Examples
    --------
    >>> expand_hints([(0, 0, "#ff0000")], (4, 4), 1)
    [(0, 0, '#ff0000'), (1, 0, '#ff0000'), (0, 1, '#ff0000'), (1, 1, '#ff0000')]
    """
    from chroma.colorization.hints import parse_hints

    h = parse_hints(list(hints), shape=shape)
    rows, cols = shape[:2]
    out = []
    for r, c, rgb in zip(h.rows.tolist(), h.cols.tolist(), h.rgb8.tolist()):
        hexcolor = "#{:02x}{:02x}{:02x}".format(*rgb)
        for y in range(max(0, r - patch), min(rows, r + patch + 1)):
            for x in range(max(0, c - patch), min(cols, c + patch + 1)):
                out.append((x, y, hexcolor))
    return out


class HintColorizer(Colorizer):
    """:class:`chroma.colorization.Colorizer` with each point hint spread over a patch.

    A :class:`~chroma.colorization.Colorizer` whose recipe options are those
    the ``chroma serve`` page records: the method, the hints, a hint patch
    size and the vibrancy. ``"scribble"`` may have no hints (then the image
    stays gray), and ``"welsh"`` is seeded by default, so that a recipe
    replays the same pixels.

    Parameters
    ----------
    method : {"prior", "scribble", "welsh"}, optional
        ``"prior"``: the CNN, guided by the hints (and by the reference given
        to :meth:`fit`, if any); ``"scribble"``: Levin et al. propagation of
        the hints; ``"welsh"``: colors from the reference (hints unused).
    hints : list of [x, y, color], optional
        Point hints in the coordinates of the image that :meth:`transform` gets.
    patch : int, optional
        Each hint colors the ``(2 * patch + 1)`` pixel square around it.
    vibrancy : float, optional
        ``"prior"`` only (see :func:`chroma.colorization`).
    random_state : int, optional
        Seed of ``"welsh"``'s sampling of the reference.

    Examples
    --------
    >>> gray = np.full((8, 8), 0.5, np.float32)
    >>> step = HintColorizer("scribble", hints=[[0, 0, "#c04040"]], patch=1).fit()
    >>> out = step.transform(gray)
    >>> out.shape, bool(out[..., 0].mean() > out[..., 2].mean())
    ((8, 8, 3), True)
    """

    def __init__(self, method: str = "prior", *, hints=None, patch: int = 0,
                 vibrancy: float | None = None, random_state: int = 0):
        super().__init__(method, vibrancy=vibrancy, hints=hints, random_state=random_state)
        self.patch = patch

    def _check_params(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method={self.method!r}; choose from {list(METHODS)}.")
        _check_patch(self.patch)

    def fit(self, reference=None, /, *, reference_mask=None, channel_axis: int = -1):
        """Check the options and keep the (optional) reference; returns self."""
        self._check_params()
        hints = self.hints
        if self.method == "scribble" and not hints:
            self.hints = []  # no hints: the image stays gray (Colorizer asks for some)
        try:
            return super().fit(reference, reference_mask=reference_mask,
                               channel_axis=channel_axis)
        finally:
            self.hints = hints

    def _options(self) -> dict:
        opts = super()._options()
        if self.method == "scribble":
            opts["hints"] = self._points or []
        elif self.method == "prior":
            opts["hints"] = self._points
        return opts

    def _transform_image(self, arr, sel):
        self._points = (expand_hints(self.hints, arr.shape, self.patch) if self.hints
                        else None)
        try:
            return super()._transform_image(arr, sel)
        finally:
            del self._points


class SplashStep(_Params):
    """The background of a color splash (:func:`chroma.splash`) over the whole image.

    Lightness is kept; a*b* go to 0 (``"gray"``), to sepia, or to a tone.

    Parameters
    ----------
    background : str or color, optional
        ``"gray"``, ``"sepia"``, ``"cyanotype"`` or a color (``"#rrggbb"``).
    strength : float in [0, 1], optional
        How far the colors go to the background.

    Examples
    --------
    >>> img = np.array([[[200, 30, 30]]], dtype=np.uint8)
    >>> SplashStep().fit().transform(img)
    array([[[102, 102, 102]]], dtype=uint8)
    """

    _param_names = ("background", "strength")

    def __init__(self, background="gray", *, strength: float = 1.0):
        self.background = background
        self.strength = strength

    def fit(self, reference=None) -> SplashStep:
        """Nothing to learn; returns self."""
        self.fitted_ = True
        return self

    def transform(self, image) -> np.ndarray:
        """`image` with the background's colors everywhere (same shape and dtype)."""
        from chroma import splash
        from chroma._core.validate import check_image

        img = check_image(image)
        keep = np.zeros(img.shape[:2], dtype=np.float32)
        return splash(img, keep, background=self.background, strength=self.strength)
