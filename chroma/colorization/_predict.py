"""The prior's a*b* with its guidance: hints, reference correspondences (issue 12).

Private; :func:`chroma.colorization.prior.colorize_prior` calls :func:`predict_guided`.

1. The network runs on L* at the working size, with the point hints (user
   hints, or the confident reference correspondences of
   :mod:`chroma.colorization._correspond`) in its local hint channels and the
   reference's a*b* histogram as its global hint.
2. Its distribution is decoded with the hue-consistency gain of
   :mod:`chroma.colorization._decode` and upsampled guided by the full-size L*.
3. With hints, what the network still misses at the hinted pixels is
   propagated edge-aware (:mod:`chroma.colorization._residual`) and the hinted
   pixels take their hint.

``reference_strength`` blends the reference-guided a*b* (step 1 with the
correspondence hints, then 3) with the global-hint-only prediction: 0 uses the
histogram hint alone, 1 follows the correspondences fully.
"""

from __future__ import annotations

import numpy as np

# decoding and propagation defaults of the guided paths (hints, reference), chosen on the
# training photos held out by the training run (benchmarks/colorization.py select), never
# on the eval photos
CONFIDENCE = 1.5
# four views: the working size and 10/7 of it, each also mirrored (see _decode.predict_logits)
VIEWS = ((1.0, False), (1.0, True), (10 / 7, False), (10 / 7, True))
# the unguided prediction's decoding (the automatic network, prior_auto.pt) and the views
# it averages, chosen apart from the guided paths' (benchmarks/colorization.py select
# --auto-only; benchmarks/results/colorization_selection_auto.md); today the same values
AUTO_CONFIDENCE = 1.5
AUTO_VIEWS = VIEWS
GUIDE_RADIUS = 0  # 0: bilinear (the selection did not pick the guided filter)
GUIDE_EPS = 25.0
RESIDUAL_LAMBDA = 0.0
RESIDUAL_SIGMA = 3.0
PRIOR_WEIGHT = None  # fitted to the hints (see _residual.fit_prior_weight)


def _disks(known: np.ndarray, ab: np.ndarray, radius: int):
    """Each hinted pixel's a*b* painted over a disk of ``radius`` (sparse: by coordinates)."""
    if radius <= 0:
        return known, ab
    h, w = known.shape
    rows, cols = np.nonzero(known)
    vals = ab[rows, cols]
    dy, dx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    disk = dy ** 2 + dx ** 2 <= radius * (radius + 0.5)
    rr = (rows[:, None] + dy[disk][None]).ravel()
    cc = (cols[:, None] + dx[disk][None]).ravel()
    vv = np.repeat(vals, int(disk.sum()), axis=0)
    ok = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < w)
    out_known = np.zeros_like(known)
    out_ab = np.zeros((h, w, 2), np.float32)
    out_known[rr[ok], cc[ok]] = True
    out_ab[rr[ok], cc[ok]] = vv[ok]
    return out_known, out_ab


def predict_guided(
    model,
    lightness: np.ndarray,
    *,
    temperature: float,
    correction: float,
    side: int,
    hint_ab: np.ndarray | None = None,
    hint_known: np.ndarray | None = None,
    ref_lab: np.ndarray | None = None,
    ref_weights: np.ndarray | None = None,
    reference_strength: float = 1.0,
    hist: np.ndarray | None = None,
    confidence: float = CONFIDENCE,
    guide_radius: int = GUIDE_RADIUS,
    guide_eps: float = GUIDE_EPS,
    residual_lambda: float = RESIDUAL_LAMBDA,
    residual_sigma: float = RESIDUAL_SIGMA,
    prior_weight: float | None = PRIOR_WEIGHT,
    prior_shrink: float | None = None,
    auto_model=None,
    views: tuple[tuple[float, bool], ...] = AUTO_VIEWS,
    auto_correction: float | None = None,
    auto_confidence: float | None = None,
) -> np.ndarray:
    """Full-size a*b* (H, W, 2) float32 for an L* plane (see the module docstring).

    ``hint_ab`` / ``hint_known``: full-size hint a*b* and bool mask of the
    hinted pixels (user hints); ``ref_lab`` / ``ref_weights``: the reference
    in CIELAB on its full grid and its mask. ``auto_model``: the network for
    the unguided prediction (default: `model`); ``views``: the views it
    averages; ``auto_correction`` / ``auto_confidence``: its decoding (default:
    `correction` / `confidence`, the guided paths' decoding).
    """
    from chroma.colorization._decode import predict_ab_v2
    from chroma.colorization._residual import propagate_residuals

    h, w = lightness.shape
    # a point must survive the shrink to the working size: the net sees small disks
    radius = max(0, round(min(h, w) / side / 2))
    opts = dict(temperature=temperature, correction=correction, confidence=confidence,
                side=side, radius=guide_radius, eps=guide_eps, hist=hist)
    auto_opts = {**opts, "views": views,
                 "correction": correction if auto_correction is None else auto_correction,
                 "confidence": confidence if auto_confidence is None else auto_confidence}

    def unguided():
        return predict_ab_v2(auto_model or model, lightness, **auto_opts)

    def guided(ab_pts, known):
        net_known, net_ab = _disks(known, ab_pts, radius)
        prior = predict_ab_v2(model, lightness, hint_ab=net_ab,
                              hint_mask=net_known.astype(np.float32), **opts)
        return propagate_residuals(lightness, prior, ab_pts, known, lam=residual_lambda,
                                   sigma=residual_sigma, prior_weight=prior_weight,
                                   **({} if prior_shrink is None
                                      else {"prior_shrink": prior_shrink}))

    if ref_lab is not None and reference_strength > 0:
        from chroma.colorization._correspond import correspondence_hints

        c_ab, c_known = correspondence_hints(model, lightness, ref_lab, side=side,
                                             ref_weights=ref_weights)
        if hint_known is not None and hint_known.any():  # user hints win over matches
            c_known = c_known & ~_disks(hint_known, hint_ab, radius)[0]
            c_ab = np.where(hint_known[..., None], hint_ab, c_ab)
            c_known = c_known | hint_known
        if c_known.any():
            ab_ref = guided(c_ab, c_known)
            if reference_strength >= 1:
                return ab_ref
            base = (guided(hint_ab, hint_known) if hint_known is not None and hint_known.any()
                    else unguided())
            return base + np.float32(reference_strength) * (ab_ref - base)
    if hint_known is not None and hint_known.any():
        return guided(np.asarray(hint_ab, np.float32), hint_known)
    return unguided()
