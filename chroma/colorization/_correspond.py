"""Reference colorization by correspondence: confident matches become hints.

Private helper of :mod:`chroma.colorization.prior` (issue 12). The gray image and
the reference (and the reference mirrored: a photo's content rarely depends
on its handedness) are described cell by cell on the network's 1/4-resolution
grid, at the same pixel scale, by

- the network's own encoder features (1/4 and 1/8 resolution, run on L*
  alone, so both images are seen the same way, as gray), which see texture
  and some semantics, and
- luminance statistics: the cell's mean L* and the local standard deviation,

each block L2-normalized and weighted. Every gray cell is matched to its most
similar reference cell (cosine similarity); a match is kept only if it is
*mutual* (the reference cell's best gray cell is that cell or next to it) and
*distinctive* (the similarity beats the best match outside a 1-cell
neighbourhood of it by ``margin``). The kept matches, at most ``max_hints``,
the most similar first, are point hints: the reference cell's mean a*b* at the
gray cell's center. They go to the hint-aware network and then to the
residual propagation of :mod:`chroma.colorization._residual`.
"""

from __future__ import annotations

import numpy as np

from chroma.colorization._infer import LoadedModel, resize_plane, working_shape
from chroma.colorization._net import import_torch, make_input

FEATURE_WEIGHTS = (1.0, 1.0, 0.5)  # encoder 1/4, encoder 1/8, luminance stats


def _features(model: LoadedModel, *planes: np.ndarray) -> list[np.ndarray]:
    """(h/4 * w/4, D) float32 features of same-size working L* planes (multiples of 8)."""
    torch = import_torch()
    from torch.nn import functional as F

    net = model.net
    x = torch.from_numpy(np.concatenate([make_input(p) for p in planes], 0))
    with torch.inference_mode():
        e2 = net.enc2(net.enc1(x))
        e3 = net.mid(net.enc3(e2))
        e3 = F.interpolate(e3, size=e2.shape[-2:], mode="bilinear", align_corners=False)
        lum = (x[:, :1] + 1.0) * 50.0
        mean = F.avg_pool2d(lum, 4)
        local = F.avg_pool2d(F.pad(mean, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
        var = F.avg_pool2d(F.pad(mean ** 2, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
        std = (var - local ** 2).clamp_min(0).sqrt()
        # lightness and contrast, centered so the cosine sees differences
        stats = torch.cat([(mean - 50.0) / 25.0, std / 10.0, torch.ones_like(mean)], 1)
        out = []
        for i in range(len(planes)):
            blocks = []
            for f, wgt in zip((e2, e3, stats), FEATURE_WEIGHTS, strict=True):
                f = f[i].reshape(f.shape[1], -1).T
                f = f - f.mean(0, keepdim=True) if f.shape[1] > 3 else f
                blocks.append(wgt * F.normalize(f, dim=1))
            out.append(torch.cat(blocks, 1).numpy())
        return out


def _cells(x: np.ndarray) -> np.ndarray:
    """Mean over 4x4 cells of (h, w, C) -> (h/4 * w/4, C)."""
    h, w, c = x.shape
    return x.reshape(h // 4, 4, w // 4, 4, c).mean((1, 3)).reshape(-1, c)


def correspondence_hints(
    model: LoadedModel,
    lightness: np.ndarray,
    ref_lab: np.ndarray,
    *,
    side: int,
    ref_weights: np.ndarray | None = None,
    max_hints: int = 400,
    margin: float = 0.02,
):
    """Hints (full-size a*b* (H, W, 2), bool mask (H, W)) from matches to a reference.

    Parameters
    ----------
    model : LoadedModel
    lightness : ndarray (H, W)
        L* of the gray image.
    ref_lab : ndarray (P, Q, 3)
        The reference in CIELAB (full grid, not a sample).
    side : int
        The network's working size for the gray image; the reference is
        resized by the same factor (same pixel scale).
    ref_weights : ndarray (P, Q), optional
        ``reference_mask``: cells weighing under 0.5 are never matched.
    max_hints, margin : see the module docstring.
    """
    torch = import_torch()
    h, w = lightness.shape
    size = working_shape((h, w), side)
    scale = size[0] / h
    ph, pw = ref_lab.shape[:2]
    mult = 8
    rsize = (max(mult, round(ph * scale / mult) * mult),
             max(mult, round(pw * scale / mult) * mult))
    with torch.inference_mode():
        small_l = resize_plane(torch, torch.from_numpy(
            np.ascontiguousarray(lightness, np.float32))[None, None], size)[0, 0].numpy()
        planes = [np.moveaxis(np.asarray(ref_lab, np.float32), -1, 0)]
        if ref_weights is not None:
            planes.append(np.asarray(ref_weights, np.float32)[None])
        ref_small = resize_plane(torch, torch.from_numpy(np.ascontiguousarray(
            np.concatenate(planes, 0)))[None], rsize)[0].numpy()
    ref_small = np.moveaxis(ref_small, 0, -1)
    (ft,) = _features(model, small_l)
    cands = _features(model, ref_small[..., 0], np.ascontiguousarray(ref_small[:, ::-1, 0]))
    colors, valid, grids = [], [], []
    for flip in (False, True):
        rs = np.ascontiguousarray(ref_small[:, ::-1] if flip else ref_small)
        cells = _cells(rs)
        colors.append(cells[:, 1:3])
        valid.append(cells[:, 3] >= 0.5 if ref_weights is not None
                     else np.ones(len(cells), bool))
        gy, gx = np.divmod(np.arange(len(cells)), rsize[1] // 4)
        grids.append(np.stack([gy, gx + (10 ** 6 if flip else 0)], -1))
    fr = np.concatenate(cands)
    col = np.concatenate(colors)
    ok_r = np.concatenate(valid)
    grid_r = np.concatenate(grids)
    sim = ft @ fr.T  # (n_t, n_r)
    sim[:, ~ok_r] = -np.inf
    best = sim.argmax(1)
    s1 = sim[np.arange(len(ft)), best]
    # distinctiveness: best similarity outside the 3x3 cell neighbourhood of the match
    near = (np.abs(grid_r[None, :, 0] - grid_r[best][:, None, 0]) <= 1) & \
           (np.abs(grid_r[None, :, 1] - grid_r[best][:, None, 1]) <= 1)
    s2 = np.where(near, -np.inf, sim).max(1)
    # mutual: the reference cell's best gray cell is this one or a neighbour
    back = sim.argmax(0)  # (n_r,)
    wt = size[1] // 4
    ty, tx = np.divmod(np.arange(len(ft)), wt)
    by, bx = np.divmod(back[best], wt)
    mutual = (np.abs(by - ty) <= 1) & (np.abs(bx - tx) <= 1)
    keep = np.flatnonzero(mutual & (s1 - s2 >= margin) & np.isfinite(s1))
    keep = keep[np.argsort(-s1[keep])][:max_hints]
    hint_ab = np.zeros((h, w, 2), np.float32)
    known = np.zeros((h, w), bool)
    if keep.size:
        rows = np.clip(((ty[keep] * 4 + 2) / scale).astype(np.int64), 0, h - 1)
        cols = np.clip(((tx[keep] * 4 + 2) * (w / size[1])).astype(np.int64), 0, w - 1)
        hint_ab[rows, cols] = col[best[keep]]
        known[rows, cols] = True
    return hint_ab, known


def reference_grid(reference, reference_mask=None, *, max_side: int = 1024):
    """The reference in CIELAB on its grid (long side at most ``max_side``) and its mask."""
    from chroma._core.validate import check_mask, to_float
    from chroma.spaces import _convert_float

    ref, _ = to_float(reference, name="reference", gray_to_rgb=True)
    w = None if reference_mask is None else check_mask(reference_mask, ref.shape,
                                                       name="reference_mask")
    step = max(1, int(np.ceil(max(ref.shape[:2]) / max_side)))
    lab = _convert_float(np.ascontiguousarray(ref[::step, ::step, :3]), "rgb", "lab")
    return lab, (None if w is None else np.ascontiguousarray(w[::step, ::step]))
