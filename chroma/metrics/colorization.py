"""Colorization scores on CIELAB arrays: :func:`ab_rmse` and :func:`auc_ab`.

Both take ``(output_lab, truth_lab)``: the prediction first.

References
----------
.. [1] R. Zhang, P. Isola, A. A. Efros, "Colorful Image Colorization",
       ECCV 2016.
"""

from __future__ import annotations

import numbers

import numpy as np

from chroma.metrics._common import _lab_pair

__all__ = ["ab_rmse", "auc_ab", "vivid_wrong"]


def _ab_error(output_lab, truth_lab) -> np.ndarray:
    p, t = _lab_pair(output_lab, truth_lab, -1)
    return np.hypot(p[..., 1] - t[..., 1], p[..., 2] - t[..., 2])


def ab_rmse(output_lab, truth_lab, /) -> float:
    """Root mean square a*b* error between a predicted and a true CIELAB image.

    ``sqrt(mean((a_pred - a_true)^2 + (b_pred - b_true)^2))``: the error of
    the chroma only (L* is ignored), as used to score colorizations.

    Parameters
    ----------
    output_lab, truth_lab : array_like of shape (..., 3)
        Predicted and true CIELAB values.

    Returns
    -------
    rmse : float

    Examples
    --------
    >>> ab_rmse(np.array([[50.0, 3.0, 4.0]]), np.array([[10.0, 0.0, 0.0]]))
    5.0
    """
    e = _ab_error(output_lab, truth_lab)
    return float(np.sqrt(np.mean(e**2)))


def auc_ab(
    output_lab,
    truth_lab,
    /,
    thresholds=None,
    weights=None,
) -> float:
    """Area under the curve of a*b* accuracy vs threshold (Zhang et al. 2016 [1]).

    For each threshold ``t`` the (weighted) fraction of pixels whose a*b*
    error ``hypot(Δa*, Δb*)`` is at most ``t``; the curve over
    ``thresholds`` (default 0, 1, ..., 150) is integrated with the trapezoid
    rule and divided by its span, so a perfect prediction scores 1.

    Parameters
    ----------
    output_lab, truth_lab : array_like of shape (..., 3)
        Predicted and true CIELAB images.
    thresholds : array_like, optional
        Increasing thresholds in a*b* units; default ``np.arange(151)``.
    weights : array_like, optional
        Per-pixel weights, shape of the images without the channel axis. Zhang
        et al.'s *rebalanced* AuC weights each pixel by the inverse of the prior
        probability of its true color's a*b* bin; without weights all pixels
        count the same.

    Returns
    -------
    auc : float
        In [0, 1].

    Examples
    --------
    >>> lab = np.zeros((4, 4, 3))
    >>> auc_ab(lab, lab)
    1.0
    >>> far = lab + [0, 200, 0]
    >>> auc_ab(far, lab)
    0.0
    """
    err = _ab_error(output_lab, truth_lab)
    e = err.ravel()
    t = np.arange(151.0) if thresholds is None else np.asarray(thresholds, dtype=np.float64)
    if t.ndim != 1 or t.size < 2 or np.any(np.diff(t) <= 0):
        raise ValueError(
            f"`thresholds` must be a 1-D increasing array of at least 2 values, got {t!r}."
        )
    if weights is None:
        w = np.ones_like(e)
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != err.shape:
            raise ValueError(
                f"`weights` must have the images' shape without the channel axis {err.shape}, "
                f"got {w.shape}."
            )
        w = w.ravel()
        if not np.isfinite(w).all() or np.any(w < 0) or w.sum() <= 0:
            raise ValueError("`weights` must be finite, >= 0 and not all 0.")
    order = np.argsort(e, kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(w[order])]) / w.sum()
    frac = cum[np.searchsorted(e[order], t, side="right")]
    area = np.sum(0.5 * (frac[1:] + frac[:-1]) * np.diff(t))
    return float(area / (t[-1] - t[0]))


def vivid_wrong(output, truth, /, *, chroma_min: float = 20.0, neutral: float = 8.0,
                hue_deg: float = 60.0) -> float:
    """Share of *vivid-wrong* pixels of a colorization: confidently colored, and wrongly.

    A pixel is vivid-wrong when the output's chroma ``C*ab >= chroma_min``
    while the truth there is near-neutral (``C*ab < neutral``) or has a hue
    ``h_ab`` more than ``hue_deg`` degrees away from the output's. CIELAB (D65)
    of sRGB inputs. A gray output scores 0; a faithful one about 0.

    Parameters
    ----------
    output, truth : ndarray (M, N, 3) or (M, N, 4)
        sRGB images (uint8, uint16 or float in [0, 1]) of the same height and
        width; alpha is ignored; gray inputs are taken as RGB.
    chroma_min : float, optional
        Output chroma from which a pixel counts as vivid (C*ab units).
    neutral : float, optional
        Truth chroma below which a pixel counts as near-neutral.
    hue_deg : float, optional
        Largest hue difference, in degrees, that still counts as the right hue.

    Returns
    -------
    share : float
        In [0, 1], over all pixels.

    Examples
    --------
    >>> truth = np.zeros((1, 3, 3), np.uint8); truth[..., 0] = 200  # dark red
    >>> out = truth.copy(); out[0, 1] = (0, 160, 0); out[0, 2] = (120, 120, 120)
    >>> round(vivid_wrong(out, truth), 4)  # green where red: wrong; gray: not vivid
    0.3333
    >>> vivid_wrong(truth, truth)
    0.0
    """
    from chroma._core.validate import check_scalar, to_float
    from chroma.spaces import convert_pixels

    for name, v, high in (("chroma_min", chroma_min, None), ("neutral", neutral, None),
                          ("hue_deg", hue_deg, 180.0)):
        check_scalar(v, name, numbers.Real, low=0.0, high=high)
    o, _ = to_float(output, name="output", channels=(3,), gray_to_rgb=True)
    t, _ = to_float(truth, name="truth", channels=(3,), gray_to_rgb=True)
    if o.shape[:2] != t.shape[:2]:
        raise ValueError(
            f"`output` and `truth` must have the same height and width, got {o.shape[:2]} "
            f"and {t.shape[:2]}."
        )
    ab_o = convert_pixels(o, "rgb", "lab")[..., 1:].astype(np.float64)
    ab_t = convert_pixels(t, "rgb", "lab")[..., 1:].astype(np.float64)
    c_o = np.hypot(ab_o[..., 0], ab_o[..., 1])
    c_t = np.hypot(ab_t[..., 0], ab_t[..., 1])
    # hue difference through the angle between the two a*b* vectors (no wrap-around issue)
    cos = (ab_o * ab_t).sum(-1) / np.maximum(c_o * c_t, 1e-12)
    wrong_hue = cos < np.cos(np.deg2rad(float(hue_deg)))
    bad = (c_o >= float(chroma_min)) & ((c_t < float(neutral)) | wrong_hue)
    return float(bad.mean())
