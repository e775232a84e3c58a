"""Temporal flicker of a frame sequence: how much its color jumps from frame to frame.

Two measures in CIELAB a*b* units (ΔE-like, chroma only: lightness changes of the
content are not flicker), averaged over consecutive frame pairs:

``mean_ab``
    The change of the per-frame mean a*b*: a global color cast that moves.
``static_ab``
    The per-pixel change of a*b* on *static* pixels: those whose source color
    (``source=``, the frames before grading) changes by less than
    ``static_threshold`` ΔE76 between the two frames. A fixed operator leaves
    them still; per-frame fitting moves them with its statistics.

A camera pan would count as change of both: by default (``motion="global"``)
consecutive frames are first aligned by one integer translation (phase
correlation on L*), and both measures are taken on the content the two frames
share, in the spirit of the warping error of Lai et al. (2018).

References
----------
.. [1] W.-S. Lai et al., "Learning Blind Video Temporal Consistency", ECCV 2018.

:func:`flicker` is their sum; :func:`flicker_components` returns both and the
fraction of pixels found static.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["flicker", "flicker_components"]


def _lab(frame, name: str, channel_axis: int) -> np.ndarray:
    from chroma.spaces import convert

    x = np.asarray(frame)
    if x.ndim == 3:
        x = np.moveaxis(x, channel_axis, -1)
    if x.ndim == 2 or (x.ndim == 3 and x.shape[-1] in (1, 2)):
        gray = x if x.ndim == 2 else x[..., 0]
        x = np.repeat(gray[..., None], 3, axis=-1)
    if x.ndim != 3 or x.shape[-1] not in (3, 4):
        raise ValueError(f"`{name}` frames must be (M, N, 3) or (M, N, 4) images, got shape "
                         f"{np.shape(frame)}.")
    return convert(x[..., :3], "rgb", "lab")


def _frames(frames, name: str) -> Iterable:
    if isinstance(frames, np.ndarray):
        if frames.ndim not in (3, 4):
            raise ValueError(f"`{name}` must be (T, M, N[, C]) frames, got shape {frames.shape}.")
        return iter(frames)
    if isinstance(frames, (str, bytes)) or not isinstance(frames, Iterable):
        raise TypeError(f"`{name}` must be an array of frames or an iterable of images, got "
                        f"{type(frames).__name__}.")
    return iter(frames)


def _global_shift(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """Integer translation ``(dy, dx)`` with ``b ≈ np.roll(a, (dy, dx))`` (phase correlation)."""
    fa = np.fft.rfft2(a - a.mean())
    fb = np.fft.rfft2(b - b.mean())
    cross = fb * np.conj(fa)
    cross /= np.maximum(np.abs(cross), 1e-12)
    r = np.fft.irfft2(cross, s=a.shape)
    dy, dx = np.unravel_index(int(np.argmax(r)), r.shape)
    h, w = a.shape
    return (dy - h if dy > h // 2 else dy), (dx - w if dx > w // 2 else dx)


def _overlap(n: int, d: int) -> tuple[slice, slice]:
    """Slices of the earlier and the later frame that show the same content."""
    return slice(max(0, -d), n - max(0, d)), slice(max(0, d), n - max(0, -d))


def flicker_components(frames, *, source=None, motion: str | None = "global",
                       static_threshold: float = 1.0,
                       channel_axis: int = -1) -> dict[str, float]:
    """The two flicker measures of a frame sequence (see the module docstring).

    Parameters
    ----------
    frames : ndarray (T, M, N, 3) or iterable of images
        The frames to measure (any dtype chroma reads; alpha ignored). Read
        once, two frames at a time.
    source : ndarray or iterable of images, optional
        The frames before processing, same count and size: camera motion is
        estimated on them and static pixels are where they stay still.
        Default: the frames' own lightness L*.
    motion : {"global", None}, optional
        ``"global"``: compensate a camera pan between consecutive frames (one
        integer translation, found by phase correlation on L*) and compare the
        overlap, content with content. ``None``: a still camera.
    static_threshold : float, optional
        ΔE76 (ΔL* without `source`) below which an aligned pixel counts as
        static between two frames.
    channel_axis : int, optional
        Channel axis of each frame.

    Returns
    -------
    parts : dict
        ``mean_ab`` (change of the mean a*b* of the shared content),
        ``static_ab`` (mean per-pixel a*b* change on static pixels), both in
        ΔE per frame step, and ``static_fraction`` (mean fraction of pixels
        found static).

    Examples
    --------
    >>> still = np.full((5, 8, 8, 3), 0.4)
    >>> flicker_components(still)
    {'mean_ab': 0.0, 'static_ab': 0.0, 'static_fraction': 1.0}
    """
    if isinstance(static_threshold, bool) or not isinstance(static_threshold, (int, float)) \
            or not static_threshold > 0:
        raise ValueError(f"`static_threshold` must be a positive number, got "
                         f"{static_threshold!r}.")
    if motion not in ("global", None):
        raise ValueError(f"motion={motion!r} is not supported; choose 'global' or None.")
    it = _frames(frames, "frames")
    src = None if source is None else _frames(source, "source")
    prev = prev_src = None
    mean_steps, static_steps, fractions = [], [], []
    for k, frame in enumerate(it):
        lab = _lab(frame, "frames", channel_axis)
        if src is not None:
            try:
                s = _lab(next(src), "source", channel_axis)
            except StopIteration:
                raise ValueError(f"`source` has fewer frames than `frames` ({k}).") from None
            if s.shape != lab.shape:
                raise ValueError(f"`source` frame {k} is {s.shape[:2]} but the frame is "
                                 f"{lab.shape[:2]}.")
        else:
            s = lab[..., :1]  # lightness only
        if prev is not None:
            if lab.shape != prev.shape:
                raise ValueError(f"frame {k} is {lab.shape[:2]}, frame {k - 1} "
                                 f"{prev.shape[:2]}: frames must share one size.")
            dy, dx = (0, 0) if motion is None else _global_shift(prev_src[..., 0], s[..., 0])
            (ya, yb), (xa, xb) = _overlap(lab.shape[0], dy), _overlap(lab.shape[1], dx)
            a, b = prev[ya, xa, 1:], lab[yb, xb, 1:]
            d_mean = b.mean(axis=(0, 1)) - a.mean(axis=(0, 1))
            mean_steps.append(float(np.hypot(*d_mean)))
            still = np.sqrt(((s[yb, xb] - prev_src[ya, xa]) ** 2).sum(-1)) < static_threshold
            fractions.append(float(still.mean()))
            if still.any():
                d_ab = b[still] - a[still]
                static_steps.append(float(np.sqrt((d_ab ** 2).sum(-1)).mean()))
        prev, prev_src = lab, s
    if prev is None or not mean_steps:
        raise ValueError("`frames` must hold at least 2 frames.")
    if src is not None and next(src, None) is not None:
        raise ValueError(f"`source` has more frames than `frames` ({len(mean_steps) + 1}).")
    return {
        "mean_ab": float(np.mean(mean_steps)),
        "static_ab": float(np.mean(static_steps)) if static_steps else 0.0,
        "static_fraction": float(np.mean(fractions)),
    }


def flicker(frames, *, source=None, motion: str | None = "global",
            static_threshold: float = 1.0, channel_axis: int = -1) -> float:
    """Flicker of a frame sequence: ``mean_ab + static_ab`` (lower is steadier).

    Parameters are those of :func:`flicker_components`.

    Returns
    -------
    value : float
        Mean ΔE in a*b* per frame step; 0 for a still sequence.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> frame = rng.random((16, 16, 3))
    >>> steady = np.stack([frame] * 4)
    >>> jumpy = np.stack([frame, frame[..., ::-1], frame, frame[..., ::-1]])
    >>> flicker(steady), flicker(jumpy, source=steady) > 10
    (0.0, True)
    """
    parts = flicker_components(frames, source=source, motion=motion,
                               static_threshold=static_threshold, channel_axis=channel_axis)
    return parts["mean_ab"] + parts["static_ab"]
