"""The few internals the page uses that the public API does not offer (yet).

Kept in one place so that the architecture move (issue 11) repoints them here only:

* :func:`lab_to_rgb_keep_lightness`: the one "lower chroma at constant L*"
  gamut map (``chroma.spaces.gamut`` in the v2 layout);
* :func:`network_modes`: the colorizer's predicted a*b* distribution at a
  pixel, for the suggested colors (``chroma.colorization.prior`` internals).
  Anything that goes wrong there (no torch, other weights, another head)
  gives no suggestion rather than an error: the page works without it;
* :func:`parse_color`, :func:`write_hints` (``chroma.colors`` and
  ``chroma.colorization.hints`` in the v2 layout) and :func:`step_class` (a
  recipe method name -> its class, ``chroma.pipeline``'s registry lookup).
"""

from __future__ import annotations

import numpy as np

__all__ = ["lab_to_rgb_keep_lightness", "network_distribution", "network_modes",
           "parse_color", "step_class", "write_hints"]


def parse_color(color, *, name: str = "color") -> tuple[int, int, int]:
    """A color ("#rrggbb", "#rgb", an RGB triple) as three 0-255 ints."""
    from chroma.colors import parse_color as fn

    return tuple(int(v) for v in np.rint(fn(color, name=name) * 255))


def write_hints(path, hints) -> None:
    """Hints as the JSON file that ``chroma colorize --hints`` reads."""
    from chroma.colorization.hints import write_hints as fn

    fn(path, hints)


def step_class(method: str):
    """The estimator class a recipe's ``method = ...`` names."""
    from chroma.pipeline import _import_class

    return _import_class(method)


def lab_to_rgb_keep_lightness(lab: np.ndarray) -> np.ndarray:
    """CIELAB (..., 3) -> sRGB in [0, 1], out-of-gamut colors lose chroma, never L*."""
    from chroma.spaces.gamut import lab_to_srgb_keep_lightness as fn

    return fn(np.asarray(lab, dtype=np.float32))


def network_distribution(lightness: np.ndarray):
    """The colorizer's a*b* distribution for an L* plane (no hints, no reference).

    Returns ``(q, bins)``: ``q`` of shape (Q, h, w) on the network's output
    grid (probabilities, rebalancing undone as :func:`chroma.colorization` does)
    and ``bins`` of shape (Q, 2), or ``None`` when the model is not available.
    """
    try:
        from chroma.colorization._infer import load_model, resize_plane, working_shape
        from chroma.colorization._net import import_torch, make_input
        from chroma.colorization.prior import DEFAULT_CORRECTION, WORKING_SIZE

        model = load_model(None)
        if model.head != "ce":
            return None
        torch = import_torch()
        size = working_shape(lightness.shape, WORKING_SIZE)
        with torch.inference_mode():
            lum = torch.from_numpy(np.ascontiguousarray(lightness, dtype=np.float32))[None, None]
            small = resize_plane(torch, lum, size)[0, 0].numpy()
            x = make_input(small)
            hvec = np.zeros((1, len(model.bins)), dtype=np.float32)
            out = model.net(torch.from_numpy(x), torch.from_numpy(hvec))
            logw = torch.from_numpy(model.log_rebalance)[None, :, None, None]
            q = torch.softmax(out - DEFAULT_CORRECTION * logw, dim=1)[0].numpy()
        return q, np.asarray(model.bins, dtype=np.float32)
    except Exception:  # no torch, other weights, a changed internal: no suggestions
        return None


def network_modes(dist, x: float, y: float, shape, k: int = 5,
                  separation: float = 14.0) -> list[tuple[float, float, float]]:
    """The top `k` modes (a*, b*, probability) of the distribution at pixel (x, y).

    Modes are the most probable bins, each at least `separation` a*b* units
    from the ones already taken (a crude non-maximum suppression).
    """
    if dist is None:
        return []
    q, bins = dist
    h, w = shape[:2]
    qy = min(q.shape[1] - 1, int(y * q.shape[1] / h))
    qx = min(q.shape[2] - 1, int(x * q.shape[2] / w))
    p = q[:, qy, qx]
    taken: list[tuple[float, float, float]] = []
    for i in np.argsort(p)[::-1]:
        if p[i] < 0.02 * p.max() or len(taken) == k:
            break
        a, b = float(bins[i, 0]), float(bins[i, 1])
        if all((a - ta) ** 2 + (b - tb) ** 2 >= separation ** 2 for ta, tb, _ in taken):
            taken.append((a, b, float(p[i])))
    return taken
