"""Colorization scores on CIELAB arrays: :func:`ab_rmse` and :func:`auc_ab`.

Both take ``(output_lab, truth_lab)``: the prediction first.

References
----------
.. [1] R. Zhang, P. Isola, A. A. Efros, "Colorful Image Colorization",
       ECCV 2016.
"""

from __future__ import annotations

import numpy as np

from chroma.metrics._common import _lab_pair

__all__ = ["ab_rmse", "auc_ab"]


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
    """Area under the curve of a*b* accuracy vs threshold (Zhang et al. 2016 [1]_).

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
