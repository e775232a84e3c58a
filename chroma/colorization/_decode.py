"""Confidence-aware decoding of the network's distribution and edge-aware upsampling.

Private helpers of :mod:`chroma.colorization.prior` (issue 12).

Decoding
--------
The network gives, per cell of a 1/4-resolution grid, a distribution ``q``
over the quantized a*b* bins. Its annealed mean (:func:`decode`) is the
color; its *hue consistency*

    kappa = |E_q[ab]| / E_q[|ab|]  in [0, 1]

is 1 when all the mass lies along one hue (the net is sure of the hue, if not
of the chroma) and falls toward 0 when hues compete (a red-or-green object:
the mean is a muddy compromise, and a vivid pick would be wrong half of the
time). The decoded a*b* are scaled by ``kappa ** confidence``: saturated
where the distribution is peaked in hue, toward neutral where it is spread.
``confidence=0`` is the plain annealed mean.

Views
-----
:func:`predict_logits` can average the network's distribution over several
*views* of the photo (the working size scaled, the photo mirrored): the mean
of the views' probabilities, mapped back to the first view's grid. Where the
views agree nothing changes; where they disagree on the hue the mean spreads
over the competing hues and the hue-consistency gain pulls it toward neutral,
so view-dependent guesses (a blue blob in a night sky) lose their chroma.

Upsampling
----------
:func:`guided_upsample` is the fast guided filter of He & Sun (2015) used for
joint upsampling: at the low resolution, each a*b* channel is fitted locally
as a linear function of L* (box radius ``radius``, regularization ``eps`` in
L*^2 units), the coefficients are upsampled bilinearly and applied to the
full-resolution L*, so color edges follow the lightness edges of the input
instead of the blurry 1/4-resolution grid.

References
----------
.. [1] K. He, J. Sun, "Fast Guided Filter", arXiv:1505.00996, 2015.
"""

from __future__ import annotations

import numpy as np

from chroma.colorization._infer import LoadedModel, predict_raw, resize_plane
from chroma.colorization._net import import_torch


def decode(
    model: LoadedModel,
    raw: np.ndarray,
    *,
    temperature: float,
    correction: float,
    confidence: float = 0.0,
) -> np.ndarray:
    """a*b* (h, w, 2) float32 from the raw network output (C, h, w).

    Parameters
    ----------
    model : LoadedModel
        Gives the bins and the rebalancing weights.
    raw : ndarray (C, h, w)
        Logits (head "ce") or a*b* / 110 (head "l2"), from :func:`predict_raw`.
    temperature : float
        Annealed-mean temperature (> 0).
    correction : float
        Share of the class rebalancing undone (see :func:`chroma.colorization.prior`).
    confidence : float
        Exponent of the hue-consistency gain (0: none).
    """
    if model.head != "ce":
        return np.ascontiguousarray(np.moveaxis(raw, 0, -1) * 110.0, dtype=np.float32)
    logits = raw.reshape(raw.shape[0], -1).astype(np.float32)
    if correction:
        logits = logits - correction * model.log_rebalance[:, None]
    bins = model.bins.astype(np.float32)
    z = logits / temperature
    z -= z.max(axis=0, keepdims=True)
    q = np.exp(z)
    q /= q.sum(axis=0, keepdims=True)
    ab = bins.T @ q  # (2, n)
    if confidence:
        # hue consistency of the calibrated posterior (T = 1)
        z1 = logits - logits.max(axis=0, keepdims=True)
        p = np.exp(z1)
        p /= p.sum(axis=0, keepdims=True)
        mean = bins.T @ p
        mean_c = np.hypot(bins[:, 0], bins[:, 1]) @ p
        kappa = np.hypot(mean[0], mean[1]) / np.maximum(mean_c, 1e-6)
        ab *= np.clip(kappa, 0.0, 1.0) ** confidence
    return np.ascontiguousarray(ab.T.reshape(*raw.shape[1:], 2), dtype=np.float32)


def predict_logits(
    model: LoadedModel,
    lightness: np.ndarray,
    *,
    side: int,
    views: tuple[tuple[float, bool], ...] = ((1.0, False),),
    hist: np.ndarray | None = None,
) -> np.ndarray:
    """Log of the mean distribution over ``views`` (C, h, w), on the first view's grid.

    Each view is ``(scale, mirrored)``: the network runs at working size
    ``round(side * scale)`` on L* (mirrored left-right if asked, its output
    mirrored back). One view ``(1.0, False)`` is :func:`predict_raw` itself.
    Only the global hint `hist` is allowed (point hints are not view-invariant).

    Examples
    --------
    >>> from chroma.colorization._infer import load_auto_model
    >>> light = np.tile(np.linspace(20, 80, 64, dtype=np.float32), (48, 1))
    >>> model = load_auto_model()
    >>> one = predict_logits(model, light, side=32)
    >>> two = predict_logits(model, light, side=32, views=((1.0, False), (1.5, True)))
    >>> one.shape == two.shape, one.shape[0] == len(model.bins)  # on the first view's grid
    (True, True)
    """
    if model.head != "ce" or tuple(views) == ((1.0, False),):
        return predict_raw(model, lightness, side=side, hist=hist)
    torch = import_torch()
    from chroma.colorization._infer import global_vector, working_shape
    from chroma.colorization._net import make_input

    flag = float(hist is not None)
    sizes: dict[int, list[bool]] = {}  # working size -> mirrored flags, one batch per size
    for scale, mirrored in views:
        sizes.setdefault(max(16, round(side * scale)), []).append(bool(mirrored))
    total = None
    with torch.inference_mode():
        plane = torch.from_numpy(np.ascontiguousarray(lightness, dtype=np.float32))[None, None]
        for s, flags in sizes.items():
            lum = resize_plane(torch, plane, working_shape(lightness.shape, s))[0, 0].numpy()
            # a bilinear resize commutes with a mirror: mirror the small plane
            x = np.concatenate([make_input(np.ascontiguousarray(lum[:, ::-1]) if m else lum,
                                           global_flag=flag) for m in flags], 0)
            out = model.net(torch.from_numpy(x), torch.from_numpy(global_vector(model, hist,
                                                                                 len(flags))))
            p = torch.softmax(out, 1)
            p = torch.stack([p[i].flip(-1) if m else p[i] for i, m in enumerate(flags)]).sum(0)
            if total is None:
                total = p
            else:
                if p.shape[1:] != total.shape[1:]:
                    p = resize_plane(torch, p[None], tuple(total.shape[1:]))[0]
                total = total + p
        total = total / total.sum(0, keepdim=True).clamp_min(1e-12)
        return np.ascontiguousarray(torch.log(total.clamp_min(1e-12)).numpy())


def _box(x: np.ndarray, r: int) -> np.ndarray:
    """Mean over a (2r + 1)^2 window, edges handled by normalizing (same size out)."""
    from scipy.ndimage import uniform_filter

    if r <= 0:
        return x
    return uniform_filter(x, size=(2 * r + 1, 2 * r + 1) + (1,) * (x.ndim - 2),
                          mode="reflect")


def guided_upsample(
    ab_small: np.ndarray,
    lightness: np.ndarray,
    *,
    radius: int = 2,
    eps: float = 25.0,
) -> np.ndarray:
    """Upsample a*b* (h, w, 2) to the size of ``lightness`` (H, W), guided by it.

    ``radius`` is in low-resolution cells, ``eps`` in L*^2 (larger: closer to
    plain bilinear upsampling). ``radius=0`` is plain bilinear upsampling.

    Examples
    --------
    >>> light = np.zeros((8, 8), np.float32); light[:, 4:] = 80.0  # a sharp edge
    >>> ab = np.zeros((2, 2, 2), np.float32); ab[:, 1] = 40.0  # colored on the right
    >>> up = guided_upsample(ab, light, radius=1, eps=1.0)
    >>> bool(up[:, :4].max() < up[:, 4:].min())  # the color edge sits on the lightness edge
    True
    """
    torch = import_torch()
    h, w = ab_small.shape[:2]
    big = lightness.shape
    with torch.inference_mode():
        def resize(x, size):
            t = torch.from_numpy(np.ascontiguousarray(np.moveaxis(x, -1, 0), np.float32))
            return np.moveaxis(resize_plane(torch, t[None], size)[0].numpy(), 0, -1)

        if radius <= 0:
            return np.ascontiguousarray(resize(ab_small, big))
        guide = resize(np.asarray(lightness, np.float32)[..., None], (h, w))  # (h, w, 1)
        mean_i = _box(guide, radius)
        mean_p = _box(ab_small, radius)
        var_i = _box(guide * guide, radius) - mean_i * mean_i
        cov = _box(guide * ab_small, radius) - mean_i * mean_p
        a = cov / (np.maximum(var_i, 0.0) + eps)
        b = mean_p - a * mean_i
        coef = np.concatenate([_box(a, radius), _box(b, radius)], axis=-1)
        coef = resize(coef, big)
        out = coef[..., :2] * np.asarray(lightness, np.float32)[..., None] + coef[..., 2:]
        return np.ascontiguousarray(out, dtype=np.float32)


def predict_ab_v2(
    model: LoadedModel,
    lightness: np.ndarray,
    *,
    temperature: float,
    correction: float,
    confidence: float,
    side: int,
    radius: int,
    eps: float,
    hint_ab: np.ndarray | None = None,
    hint_mask: np.ndarray | None = None,
    hist: np.ndarray | None = None,
    views: tuple[tuple[float, bool], ...] = ((1.0, False),),
) -> np.ndarray:
    """Full-size a*b* (H, W, 2): network, confidence-aware decoding, guided upsampling.

    ``views`` (see :func:`predict_logits`) apply without point hints only.
    """
    if hint_ab is None:
        raw = predict_logits(model, lightness, side=side, views=views, hist=hist)
    else:
        raw = predict_raw(model, lightness, side=side, hint_ab=hint_ab, hint_mask=hint_mask,
                          hist=hist)
    ab = decode(model, raw, temperature=temperature, correction=correction,
                confidence=confidence)
    return guided_upsample(ab, lightness, radius=radius, eps=eps)
