"""Features, losses and the optimizer of :mod:`chroma.stylization` (private; torch inside).

Nothing here imports torch at module import: every function that needs it
calls :func:`_torch` first.

Features
--------
``"random"``
    A fixed bank of random convolution filters on Lab at four scales (the
    image and its 2x, 4x, 8x area-downsampled copies; 5x5 valid convolutions,
    ReLU): random filters carry texture statistics [1]_ [2]_.
``"colornet"``
    The encoder of chroma's shipped colorization network (three stages, 1/2,
    1/4 and 1/8 resolution), fed L* and the a*b* being optimized as a dense
    hint: it has learned what gray textures are and which colors sit on them.
``"both"``
    Both lists of layers.

Loss
----
``style * sum_l |G_l(out) - G_l(style)|² / |G_l(style)|²``  (Gram matrices [3]_)
``+ sw * sum_l SW²_l(out, style)``  (sliced Wasserstein on the features and on
the Lab pixels themselves, fresh random directions at each iteration [4]_)
``+ content * mean(|offset|²) / 10²``  (stay near the classical start)
``+ smooth * mean(w |grad offset|²)``, ``w = exp(-|grad L*|² / 2·2²)`` (edge-aware;
for the grid, plus ``mean(|θ_i - θ_j|²) / 10²`` over the neighbouring nodes ``i, j``
of one L* level: the smoothness in bilateral space)
``+ artifacts * mean(max(|grad Lab(out)| - |grad Lab(image)|, 0)²)`` (no new edges)
``+ gamut * mean(distance outside [0, 1] in linear RGB)²``
``+ blotch * blotches(out, image)² / 10²`` (:func:`chroma.stylization.color_blotches`
on the proxy: the low-frequency a*b* change that the input's colors do not explain,
in regions of flat L*; a change that is a function of the input color costs nothing)
``+ palette * mean(max(D(out) - PALETTE_TOL, 0)²) / 10²`` (in-style colors: ``D`` is the
distance from a color to the nearest style pixel, L* differences counted
:data:`PALETTE_L_SCALE` times, read trilinearly from a lattice over Lab, :func:`palette_field`;
colors the style does not have at that L* cost, the style's own colors are free).
The grid can also carry a global a*b* offset table over the input's RGB (the
``color_nodes`` of :class:`~chroma.stylization.Stylizer`), smoothed like the grid's
nodes: with the blotch term it is how colors move without blotching.
Each style and SW term is divided by its value at the start, so the weights are
relative; the Lab pixels' SW term counts as much as all feature layers together.
The artifact term is divided by its value at the start too, but by no more than
:data:`ARTIFACT_CAP`: a start that already has grain (a projected IDT that leaves
the gamut) does not make new grain cheap.

Every term sees the colors after the keep-L* gamut map that the apply kernel
uses (:func:`_in_gamut`): chroma clipped at constant L* follows the gamut's
boundary, which changes with L*, so an operator that leaves the gamut puts the
texture of L* into a*b* (the largest source of the artifacts measured on the
train pairs, ``benchmarks/results/stylize_tune.md``).

References
----------
.. [1] I. Ustyuzhaninov, W. Brendel, L. Gatys, M. Bethge, "What does it take
       to generate natural textures?", ICLR 2017.
.. [2] K. He, Y. Wang, J. Hopcroft, "A powerful generative model using random
       weights for the deep image representation", NeurIPS 2016.
.. [3] L. A. Gatys, A. S. Ecker, M. Bethge, "Image style transfer using
       convolutional neural networks", CVPR 2016.
.. [4] E. Heitz, K. Vanhoey, T. Chambon, L. Belcour, "A sliced Wasserstein
       loss for neural texture synthesis", CVPR 2021.
"""

from __future__ import annotations

import numpy as np

_MSG = 'chroma.stylize needs PyTorch: pip install "chroma[neural]"'
FEATURES = ("random", "colornet", "both")
SW_SAMPLES = 2048  # pixels per layer and iteration in the sliced-Wasserstein term
SW_SETS = 8  # direction sets, cycled over the iterations
STYLE_SAMPLES = 8192  # feature vectors kept per style layer
LAB_SAMPLES = 16384  # pixels (of the style: kept; of the output: per iteration) of the Lab term
LAB_DIRECTIONS = 32  # directions per set of the Lab term
ARTIFACT_CAP = 1.0  # largest normalizer of the artifact term ((ΔE per pixel)²)
PALETTE_L_SCALE = 0.5  # weight of a L* difference in the palette term's distance
PALETTE_TOL = 4.0  # distance (ΔE) to the nearest style color that costs nothing
PALETTE_STEP = (5.0, 4.0, 4.0)  # lattice spacing of the palette field (L*, a*, b*)
PALETTE_AB = 112.0  # the field covers a*, b* in [-PALETTE_AB, PALETTE_AB]


def _torch():
    try:
        import torch
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(_MSG) from err
    return torch


TORCH_THREADS = 1  # intra-op threads of the optimizer (a fixed count; see _threads)


class _threads:
    """Run torch on ``TORCH_THREADS`` intra-op threads (a fixed count, whatever the load).

    Measured here (2 cores; ten 512 px iterations and the setup, three runs
    each, interleaved): at load 2.2, 1 thread 3.2-4.5 s and 2 threads 2.3-2.6 s;
    at load 4.5 (other processes on both cores), 1 thread 6.3-9.1 s and 2
    threads 14-30 s: torch's threads spin at every barrier for a core that is
    busy. One thread is never far from the best and never collapses; the
    previous rule (as many threads as idle cores by the load average) picked
    one thread on this machine anyway, but from a number that changes between
    and during runs. It also makes the float sums independent of the machine.
    """

    def __enter__(self):
        torch = _torch()
        self.before = torch.get_num_threads()
        torch.set_num_threads(TORCH_THREADS)
        return self

    def __exit__(self, *exc):
        _torch().set_num_threads(self.before)
        return False


# --- feature banks ---------------------------------------------------------------------------
class RandomBank:
    """Random multi-scale 5x5 filters on normalized Lab (fixed by ``seed``)."""

    def __init__(self, seed: int, *, scales: int = 4, channels: int = 32, kernel: int = 5):
        torch = _torch()
        g = torch.Generator().manual_seed(int(seed))
        fan = 3 * kernel * kernel
        self.params = [
            (torch.randn(channels, 3, kernel, kernel, generator=g) / np.sqrt(fan),
             (torch.rand(channels, generator=g) - 0.5) * 0.5)
            for _ in range(scales)
        ]

    def __call__(self, lab):
        torch = _torch()
        F = torch.nn.functional
        scale = torch.tensor([50.0, 40.0, 40.0]).view(1, 3, 1, 1)
        x = (lab - torch.tensor([50.0, 0.0, 0.0]).view(1, 3, 1, 1)) / scale
        feats = []
        for s, (w, b) in enumerate(self.params):
            xs = x if s == 0 else F.avg_pool2d(x, 2**s, ceil_mode=True)
            if min(xs.shape[-2:]) < w.shape[-1]:
                break
            feats.append(F.relu(F.conv2d(xs, w, b)))
        return feats


class ColorNetBank:
    """The shipped colorization network's encoder, fed L* and a dense a*b* hint."""

    def __init__(self):
        from chroma.stylization._compat import load_colornet

        self.net = load_colornet().net
        for p in self.net.parameters():
            p.requires_grad_(False)

    def __call__(self, lab):
        torch = _torch()
        L = lab[:, :1]
        ones = torch.ones_like(L)
        x = torch.cat([L / 50.0 - 1.0, lab[:, 1:] / 110.0, ones, torch.zeros_like(L)], 1)
        e1 = self.net.enc1(x)
        e2 = self.net.enc2(e1)
        e3 = self.net.enc3(e2)
        return [e1, e2, e3]


class _Both:
    def __init__(self, seed):
        self.banks = [RandomBank(seed), ColorNetBank()]

    def __call__(self, lab):
        return [f for bank in self.banks for f in bank(lab)]


def make_bank(features: str, seed: int):
    """The feature bank named ``features`` ("random", "colornet" or "both")."""
    if features == "random":
        return RandomBank(seed)
    if features == "colornet":
        return ColorNetBank()
    return _Both(seed)


# --- statistics ------------------------------------------------------------------------------
def _weights_like(weight, f):
    torch = _torch()
    if weight is None:
        return None
    return torch.nn.functional.adaptive_avg_pool2d(weight, f.shape[-2:]).reshape(-1)


def gram(f, w=None):
    """Gram matrix of features ``f`` (1, C, h, w), weighted by ``w`` (h*w,) if given."""
    c = f.shape[1]
    x = f.reshape(c, -1)
    if w is None:
        return x @ x.T / x.shape[1]
    return (x * w) @ x.T / w.sum().clamp_min(1e-6)


def _rows(f, w, n, gen):
    """Up to ``n`` feature vectors (rows) of ``f``, drawn where ``w >= 0.5``."""
    torch = _torch()
    x = f.reshape(f.shape[1], -1)
    if w is not None:
        x = x[:, w >= 0.5]
    if x.shape[1] > n:  # a gather along the contiguous axis (rows of x.T are strided)
        x = x.index_select(1, torch.randint(x.shape[1], (n,), generator=gen))
    return x.T


def to_tensor(lab: np.ndarray):
    """(h, w, 3) Lab NumPy -> (1, 3, h, w) float32 tensor."""
    torch = _torch()
    return torch.from_numpy(np.ascontiguousarray(lab.transpose(2, 0, 1), np.float32))[None]


def _weight_tensor(weight):
    torch = _torch()
    if weight is None:
        return None
    return torch.from_numpy(np.ascontiguousarray(weight, np.float32))[None, None]


def style_statistics(lab: np.ndarray, features: str, seed: int, weight=None) -> dict:
    """Gram matrices and feature samples of a style image (Lab, (h, w, 3)) as NumPy."""
    torch = _torch()
    gen = torch.Generator().manual_seed(int(seed) + 7)
    bank = make_bank(features, seed)
    with torch.no_grad(), _threads():
        t = to_tensor(lab)
        wt = _weight_tensor(weight)
        feats = bank(t)
        grams, samples = [], []
        for f in feats:
            w = _weights_like(wt, f)
            grams.append(gram(f, w).numpy())
            samples.append(_rows(f, w, STYLE_SAMPLES, gen).numpy())
        pixels = _rows(t, None if wt is None else wt.reshape(-1), 2 * LAB_SAMPLES, gen).numpy()
    return {"grams": grams, "samples": samples, "pixels": pixels}


def _quantiles(sorted_x, n):
    """Linear interpolation of sorted columns ``sorted_x`` (M, K) at ``n`` levels."""
    torch = _torch()
    m = sorted_x.shape[0]
    pos = ((torch.arange(n, dtype=sorted_x.dtype) + 0.5) / n * m - 0.5).clamp(0, m - 1)
    i0 = pos.floor().long().clamp(max=m - 2) if m > 1 else pos.long() * 0
    frac = (pos - i0.to(pos.dtype))[:, None]
    if m == 1:
        return sorted_x.expand(n, -1)
    return sorted_x[i0] * (1 - frac) + sorted_x[i0 + 1] * frac


def directions(c: int, gen, n_dirs: int | None = None):
    """``SW_SETS`` sets of random unit directions, (SW_SETS, C, K)."""
    torch = _torch()
    d = torch.randn(SW_SETS, c, n_dirs or max(c, 8), generator=gen)
    return d / d.norm(dim=1, keepdim=True)


def _sort_columns(x):
    """``x`` (n, K) with each column sorted, differentiable (NumPy's SIMD argsort, a gather).

    As ``x.sort(dim=0).values`` (same values and gradient), 3-30x faster on CPU.
    """
    torch = _torch()
    idx = np.argsort(x.detach().numpy(), axis=0)
    return x.gather(0, torch.from_numpy(idx))


def style_quantiles(style, dirs, n: int):
    """Quantiles (SW_SETS, n, K) of the style rows ``style`` (M, C) along each direction set."""
    torch = _torch()
    proj = np.sort((style @ dirs).numpy(), axis=1)  # (SW_SETS, M, K); NumPy's SIMD sort
    m = proj.shape[1]
    if m == 1:
        return torch.from_numpy(np.ascontiguousarray(np.repeat(proj, n, axis=1)))
    # the levels of _quantiles, interpolated in NumPy (torch's row gathers cost ~0.6 s here)
    pos = np.clip((np.arange(n, dtype=np.float32) + 0.5) / n * m - 0.5, 0, m - 1)
    i0 = np.minimum(np.floor(pos).astype(np.int64), m - 2)
    frac = (pos - i0.astype(np.float32))[:, None]
    return torch.from_numpy(proj[:, i0] * (1 - frac) + proj[:, i0 + 1] * frac)


def sliced_w2(x, dirs, quantiles):
    """Sliced squared 2-Wasserstein of rows ``x`` (n, C) to precomputed style quantiles."""
    px = _sort_columns(x @ dirs)
    if len(px) != len(quantiles):
        quantiles = _quantiles(quantiles, len(px))
    return ((px - quantiles) ** 2).mean()


# --- lab -> linear RGB (for the gamut penalty) ---------------------------------------------
def _lab_to_linear(lab):
    torch = _torch()
    from chroma.spaces import LINEAR_FROM_XYZ

    L, a, b = lab[:, 0], lab[:, 1], lab[:, 2]
    fy = (L + 16.0) / 116.0
    fx = fy + a / 500.0
    fz = fy - b / 200.0

    def finv(t):
        return torch.where(t > 6.0 / 29.0, t**3, 3 * (6.0 / 29.0) ** 2 * (t - 4.0 / 29.0))

    xyz = torch.stack([finv(fx) * 0.95047, finv(fy), finv(fz) * 1.08883], 1)
    m = torch.as_tensor(np.asarray(LINEAR_FROM_XYZ, np.float32))
    return torch.einsum("ij,bjhw->bihw", m, xyz)


def _gamut_factor(lab, lin):
    """Chroma factors ``t`` (1, 1, h, w) of the keep-L* gamut map, as the apply kernel does.

    ``lab`` (1, 3, h, w) and its linear RGB ``lin``: 1 inside sRGB; outside, the
    largest factor (bisection, :data:`chroma.spaces.gamut.BISECT_STEPS` steps)
    that brings the color in at constant L* and hue. No gradient (it is a constant
    of each step): the fit sees the colors the operator will really give.
    """
    torch = _torch()
    from chroma.spaces.gamut import BISECT_STEPS, GAMUT_TOL

    with torch.no_grad():
        t = torch.ones_like(lab[:, :1])
        bad = ((lin < -GAMUT_TOL) | (lin > 1.0 + GAMUT_TOL)).any(1)[0]
        if not bool(bad.any()):
            return t
        sub = lab[0][:, bad]  # (3, n)
        lo = torch.zeros(sub.shape[1])
        hi = torch.ones(sub.shape[1])
        for _ in range(BISECT_STEPS):
            mid = 0.5 * (lo + hi)
            trial = torch.stack([sub[0], sub[1] * mid, sub[2] * mid])[None, :, None]
            tl = _lab_to_linear(trial)[0, :, 0]
            ok = ((tl >= -GAMUT_TOL) & (tl <= 1.0 + GAMUT_TOL)).all(0)
            lo = torch.where(ok, mid, lo)
            hi = torch.where(ok, hi, mid)
        t[0, 0][bad] = lo
    return t


def _in_gamut(L, ab):
    """``(lab, lin)``: Lab after the keep-L* gamut map, and the linear RGB before it.

    Outside the gamut the chroma is the boundary's, a constant of the step:
    only the hue of ``ab`` gets a gradient there (pushing the chroma further
    out changes nothing in the output, so the style terms must not reward it;
    the gamut penalty pulls it back in).
    """
    torch = _torch()
    raw = torch.cat([L, ab], 1)
    lin = _lab_to_linear(raw)
    t = _gamut_factor(raw, lin)
    c = ab.norm(dim=1, keepdim=True).clamp_min(1e-6)
    mapped = torch.where(t < 1.0, ab * ((t * c).detach() / c), ab)
    return torch.cat([L, mapped], 1), lin


def _grad_mag(lab):
    """Per-pixel Lab gradient magnitude (central differences inside, one-sided at borders)."""
    torch = _torch()
    gx = torch.zeros_like(lab)
    gy = torch.zeros_like(lab)
    gx[..., 1:-1] = (lab[..., 2:] - lab[..., :-2]) / 2
    gy[..., 1:-1, :] = (lab[..., 2:, :] - lab[..., :-2, :]) / 2
    return ((gx**2 + gy**2).sum(1) + 1e-6).sqrt()


# --- blotches ----------------------------------------------------------------------------------
def _blotch_setup(lab: np.ndarray, region=None):
    """What :func:`blotch_term` needs for the proxy ``lab`` (h, w, 3): bins, counts, weights."""
    torch = _torch()
    from chroma.stylization import _blotch as B

    bins, n_bins = B.color_bins(lab)
    block = B.block_size(lab.shape[:2])
    w = B.flat_weights(lab[..., 0].astype(np.float64), block)
    if region is not None:
        w = w * B.block_mean(np.asarray(region, np.float64)[..., None], block)[..., 0]
    count = np.maximum(np.bincount(bins, minlength=n_bins), 1)
    return (torch.from_numpy(bins), torch.from_numpy(count.astype(np.float32)), n_bins,
            torch.from_numpy((w / w.size).astype(np.float32)), block)


def blotch_term(d, bins, count, n_bins, w, block):
    """Squared blotch measure (:func:`chroma.stylization._blotch.blotch_energy`) of the
    a*b* change ``d`` (1, 2, h, w), differentiable; the other arguments from
    :func:`_blotch_setup`."""
    torch = _torch()
    flat = d.reshape(2, -1)
    means = torch.zeros(2, n_bins, dtype=d.dtype).index_add(1, bins, flat) / count
    r = (flat - means[:, bins]).reshape(d.shape)
    hb, wb = w.shape
    r = torch.nn.functional.avg_pool2d(r[..., :hb * block, :wb * block], block)
    return (w * (r**2).sum(1)[0]).sum()


# --- in-style colors ---------------------------------------------------------------------------
def palette_field(pixels: np.ndarray) -> np.ndarray:
    """Distance from each node of a Lab lattice to the nearest style pixel (L*, a*, b*).

    ``pixels`` (M, 3): the style's Lab samples. The distance counts an L*
    difference :data:`PALETTE_L_SCALE` times (a color the style has at a
    similar lightness is near). Returns (nL, na, nb) float32 over L* in
    [0, 100] and a*, b* in [-PALETTE_AB, PALETTE_AB] at :data:`PALETTE_STEP`.
    """
    from scipy.spatial import cKDTree

    sl, sa, sb = PALETTE_STEP
    ls = np.arange(0.0, 100.0 + 1e-9, sl)
    ab = np.arange(-PALETTE_AB, PALETTE_AB + 1e-9, sa)
    bb = np.arange(-PALETTE_AB, PALETTE_AB + 1e-9, sb)
    scale = np.array([PALETTE_L_SCALE, 1.0, 1.0])
    pts = np.unique(np.round(np.asarray(pixels, np.float64) * scale, 1), axis=0)
    nodes = np.stack(np.meshgrid(ls, ab, bb, indexing="ij"), -1).reshape(-1, 3) * scale
    dist, _ = cKDTree(pts).query(nodes, k=1)
    return dist.reshape(len(ls), len(ab), len(bb)).astype(np.float32)


def _palette_coords(lab):
    """Normalized grid_sample coordinates (1, 1, n, 1, 3) of Lab ``lab`` (1, 3, h, w)."""
    torch = _torch()
    x = lab.reshape(3, -1)
    # grid_sample's last axis is (W, H, D) = (b*, a*, L*)
    c = torch.stack([x[2] / PALETTE_AB, x[1] / PALETTE_AB, x[0] / 50.0 - 1.0], -1)
    return c.clamp(-1, 1).reshape(1, 1, -1, 1, 3)


def palette_distance(lab, field):
    """Distance (h*w,) from each pixel of ``lab`` (1, 3, h, w) to the style's colors,
    differentiable in a*b* (trilinear in :func:`palette_field`'s ``field`` tensor)."""
    torch = _torch()
    v = torch.nn.functional.grid_sample(field[None, None], _palette_coords(lab),
                                        mode="bilinear", padding_mode="border",
                                        align_corners=True)
    return v.reshape(-1)


def palette_term(lab, field, w=None):
    """``mean(max(D - PALETTE_TOL, 0)²) / 10²`` over the pixels (weighted by ``w``, (h*w,))."""
    torch = _torch()
    e = torch.nn.functional.relu(palette_distance(lab, field) - PALETTE_TOL) ** 2 / 100.0
    if w is None:
        return e.mean()
    return (e * w).sum() / w.sum().clamp_min(1e-6)


# --- the optimizer ---------------------------------------------------------------------------
def _coords(kind: str, L, start):
    """Normalized (h, w, 3) volume coordinates for L* (1, 1, h, w) and the start a*b*."""
    torch = _torch()
    h, w = L.shape[-2:]
    if kind == "grid":  # x, y, L*
        ys = (torch.arange(h, dtype=torch.float32) + 0.5) / h
        xs = (torch.arange(w, dtype=torch.float32) + 0.5) / w
        tz = (L[0, 0] / 100.0).clamp(0, 1)
        return torch.stack([xs[None, :].expand(h, w), ys[:, None].expand(h, w), tz], -1)
    tz = (start[0, 1] + 110.0) / 220.0  # L*, a*, b* of the start
    ty = (start[0, 0] + 110.0) / 220.0
    tx = L[0, 0] / 100.0
    return torch.stack([tx, ty, tz], -1).clamp(0, 1)


def optimize(
    lab: np.ndarray,
    start_ab: np.ndarray,
    stats: dict,
    *,
    kind: str,
    shape: tuple[int, int, int],
    features: str,
    iterations: int,
    weights: dict,
    seed: int,
    region=None,
    progress: bool = True,
    lr: float = 2.0,
    lr_end: float | None = None,
    init_volume=None,
    anchor_ab=None,
    norm_volume=None,
    rgb=None,
    color_nodes: int = 0,
    init_color=None,
):
    """Fit the operator's offsets; return (offsets or volume as NumPy, loss history).

    ``lab``: the proxy image in Lab (h, w, 3), L* fixed; ``start_ab``: the start
    a*b* (h, w, 2); ``stats``: :func:`style_statistics` of the style;
    ``init_volume``: the volume to start from (zeros if None); ``anchor_ab``:
    the a*b* (h, w, 2) the content term pulls toward (``start_ab`` if None);
    ``lr_end``: the step size the cosine decay ends at (``lr / 10`` if None);
    ``norm_volume``: the volume at which each term's normalizer is taken (the
    start if None; a later stage of a coarse-to-fine fit passes the first
    stage's start, so the terms keep their relative weights).
    ``rgb`` (h, w, 3) in [0, 1] and ``color_nodes`` > 0 (grid only): a global
    a*b* offset table over the input's RGB (``color_nodes``³ nodes, trilinear;
    ``init_color`` (2, n, n, n) to start from, zeros if None) is fitted with the
    grid and added to the start a*b* before the grid's affine maps. It changes
    every pixel of one color alike, so it is how the fit can move colors
    without blotches (what the blotch term leaves free).
    Returns ``(volume or offsets, history, color table or None)``.
    The grid's gain channels are optimized in units of 1/50 (an a*b* shift at
    chroma 50), so one learning rate suits offsets and gains.
    """
    torch = _torch()
    F = torch.nn.functional
    gen = torch.Generator().manual_seed(int(seed) + 11)
    h, w = lab.shape[:2]
    bank = make_bank(features, seed)
    L = torch.from_numpy(np.ascontiguousarray(lab[..., 0], np.float32))[None, None]
    start = torch.from_numpy(np.ascontiguousarray(start_ab.transpose(2, 0, 1), np.float32))[None]
    wt = _weight_tensor(region)
    grams = [torch.from_numpy(g) for g in stats["grams"]]
    samples = [torch.from_numpy(s) for s in stats["samples"]]
    pixels = torch.from_numpy(stats["pixels"])
    n_rows = min(SW_SAMPLES, h * w if region is None else max(int((region >= 0.5).sum()), 1))
    n_px = min(LAB_SAMPLES, h * w if region is None else max(int((region >= 0.5).sum()), 1))
    dirs = [directions(s.shape[1], gen) for s in samples] + [directions(3, gen, LAB_DIRECTIONS)]
    quants = [style_quantiles(s, d, n_rows) for s, d in zip(samples, dirs)]
    quants.append(style_quantiles(pixels, dirs[-1], n_px))

    # gradient magnitude of the input (the artifact term penalizes any excess over it)
    lab_in = torch.from_numpy(np.ascontiguousarray(lab.transpose(2, 0, 1), np.float32))[None]
    g_in = _grad_mag(lab_in)
    # edge-aware weights of the smoothness term (from the fixed lightness)
    sigma = 2.0
    wx = torch.exp(-((L[..., :, 1:] - L[..., :, :-1]) ** 2) / (2 * sigma**2))
    wy = torch.exp(-((L[..., 1:, :] - L[..., :-1, :]) ** 2) / (2 * sigma**2))

    # the blotch term: the input-color bins, block size and flatness weights of _blotch
    blotch = _blotch_setup(lab, region) if weights.get("blotch") else None
    # the palette term: distance to the nearest style color, on a lattice over Lab
    field = torch.from_numpy(palette_field(stats["pixels"])) if weights.get("palette") else None

    anchor = start if anchor_ab is None else torch.from_numpy(
        np.ascontiguousarray(anchor_ab.transpose(2, 0, 1), np.float32))[None]
    channels = 6 if kind == "grid" else 2
    unit = torch.tensor([1.0, 1.0, 50.0, 50.0, 50.0, 50.0][:channels]).view(1, -1, 1, 1, 1)
    if kind == "free":
        theta = torch.zeros(1, 2, h, w, requires_grad=True)
    else:
        theta = torch.zeros(1, channels, *shape)
        if init_volume is not None:
            theta = torch.from_numpy(np.asarray(init_volume, np.float32))[None] * unit
        theta.requires_grad_(True)
        grid = (_coords(kind, L, start) * 2 - 1)[None, None]  # (1, 1, h, w, 3)

    phi = None
    if color_nodes and kind == "grid":
        n = int(color_nodes)
        phi = (torch.zeros(1, 2, n, n, n) if init_color is None
               else torch.from_numpy(np.asarray(init_color, np.float32))[None].clone())
        phi.requires_grad_(True)
        cgrid = torch.from_numpy(np.ascontiguousarray(
            np.clip(rgb, 0.0, 1.0) * 2 - 1, np.float32))[None, None]  # (1, 1, h, w, 3): r, g, b
    def shifted():
        """The start a*b* plus the global color table's offset at each pixel's RGB."""
        if phi is None:
            return start
        return start + F.grid_sample(phi, cgrid, mode="bilinear", padding_mode="border",
                                     align_corners=True)[:, :, 0]

    def offsets(s):
        """The operator's a*b* offsets at each pixel, its affine maps acting on ``s``."""
        if kind == "free":
            return theta
        v = F.grid_sample(theta, grid, mode="bilinear", padding_mode="border",
                          align_corners=True)[:, :, 0]
        if kind != "grid":
            return v
        m = v[:, 2:] / 50.0  # the local gain minus identity, times the start a*b*
        return v[:, :2] + torch.cat([m[:, 0:1] * s[:, 0:1] + m[:, 1:2] * s[:, 1:2],
                                     m[:, 2:3] * s[:, 0:1] + m[:, 3:4] * s[:, 1:2]], 1)


    norms: dict = {}
    step = [0]

    def terms():
        base = shifted()
        off = offsets(base)
        ab = base + off
        # every style and artifact term sees the colors after the keep-L* gamut map (the
        # apply kernel's): out-of-gamut chroma clipped at constant L* follows the gamut's
        # boundary, which changes with L*, so it would put L*'s texture into a*b*
        out, lin = _in_gamut(L, ab)
        feats = bank(out)
        t = {}
        g_terms = []
        s_terms = []
        j = step[0] % SW_SETS
        for f, g_style, d, q in zip(feats, grams, dirs, quants):
            wl = _weights_like(wt, f)
            g_err = ((gram(f, wl) - g_style) ** 2).sum()
            g_terms.append(g_err / (g_style**2).sum().clamp_min(1e-8))
            s_terms.append(sliced_w2(_rows(f, wl, n_rows, gen), d[j], q[j]))
        s_terms.append(sliced_w2(_rows(out, None if wt is None else wt.reshape(-1),
                                       n_px, gen), dirs[-1][j], quants[-1][j]))
        t["style"] = g_terms
        t["sw"] = s_terms
        t["content"] = ((ab - anchor) ** 2).mean() / 100.0
        t["smooth"] = ((wx * (off[..., :, 1:] - off[..., :, :-1]) ** 2).mean()
                       + (wy * (off[..., 1:, :] - off[..., :-1, :]) ** 2).mean())
        if kind == "grid":  # and between neighbouring nodes of one L* level (bilateral space)
            t["smooth"] = t["smooth"] + (((theta[..., 1:] - theta[..., :-1]) ** 2).mean()
                                         + ((theta[..., 1:, :] - theta[..., :-1, :]) ** 2).mean()
                                         ) / 100.0
        if phi is not None:  # neighbouring nodes of the color table
            t["smooth"] = t["smooth"] + sum(
                ((phi.narrow(k, 1, phi.shape[k] - 1) - phi.narrow(k, 0, phi.shape[k] - 1)) ** 2
                 ).mean() for k in (2, 3, 4)) / 100.0
        t["artifacts"] = (F.relu(_grad_mag(out) - g_in) ** 2).mean()
        t["gamut"] = (F.relu(-lin) ** 2 + F.relu(lin - 1.0) ** 2).mean() * 1e3
        if blotch is not None:
            t["blotch"] = blotch_term(out[:, 1:] - lab_in[:, 1:], *blotch) / 100.0
        if field is not None:
            t["palette"] = palette_term(out, field, None if wt is None else wt.reshape(-1))
        return t

    def total(t):
        if not norms:
            norms["style"] = [float(v.detach()) + 1e-8 for v in t["style"]]
            norms["sw"] = [float(v.detach()) + 1e-8 for v in t["sw"]]
            # relative to the start, but never weaker than relative to ARTIFACT_CAP: a start
            # that is already grainy does not make new grain cheap
            norms["artifacts"] = min(float(t["artifacts"].detach()), ARTIFACT_CAP) + 1e-3
        loss = 0.0
        if weights["style"]:
            loss = loss + weights["style"] * sum(
                v / n for v, n in zip(t["style"], norms["style"])) / max(len(t["style"]), 1)
        if weights["sw"]:  # the features' mean
            sw = [v / n for v, n in zip(t["sw"], norms["sw"])]
            feats = sum(sw[:-1]) / max(len(sw) - 1, 1)
            loss = loss + weights["sw"] * feats
        if weights.get("lab", weights["sw"]):  # the joint (L*, a*, b*) of the pixels
            loss = loss + weights.get("lab", weights["sw"]) * t["sw"][-1] / norms["sw"][-1]
        if weights["artifacts"]:
            loss = loss + weights["artifacts"] * t["artifacts"] / norms["artifacts"]
        for k in ("content", "smooth", "gamut", "blotch", "palette"):
            if k in t:
                loss = loss + weights[k] * t[k]
        return loss

    if norm_volume is not None and kind != "free":
        fitted = theta.detach().clone()
        fitted_color = None if phi is None else phi.detach().clone()
        with torch.no_grad():
            theta.copy_(torch.from_numpy(np.asarray(norm_volume, np.float32))[None] * unit)
            if phi is not None:
                phi.zero_()
            with _threads():
                total(terms())  # sets the normalizers
            theta.copy_(fitted)
            if phi is not None:
                phi.copy_(fitted_color)
    opt = torch.optim.Adam([theta] + ([] if phi is None else [phi]), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(
        opt, max(iterations, 1), eta_min=lr * 0.1 if lr_end is None else lr_end)
    history = []
    from tqdm.auto import tqdm

    bar = tqdm(range(iterations), desc="stylize", unit="it", disable=not progress, leave=False)
    with _threads():
        _loop(bar, opt, sched, total, terms, history, step, progress)
    bar.close()
    with torch.no_grad():
        result = (theta.detach() / unit)[0].numpy().astype(np.float64) if kind != "free" \
            else theta.detach()[0].numpy().astype(np.float64)
    if kind == "free":
        result = np.ascontiguousarray(result.transpose(1, 2, 0), np.float32)
    color = None if phi is None else phi.detach()[0].numpy().astype(np.float64)
    return result, history, color


def _loop(bar, opt, sched, total, terms, history, step, progress):
    for _ in bar:
        opt.zero_grad(set_to_none=True)
        loss = total(terms())
        loss.backward()
        opt.step()
        sched.step()
        history.append(float(loss.detach()))
        step[0] += 1
        if progress:
            bar.set_postfix(loss=f"{history[-1]:.3f}")


def evaluate_loss(lab: np.ndarray, stats: dict, features: str, seed: int) -> dict:
    """Style distances of a Lab image to ``stats``: mean Gram distance and feature SW (floats).

    The Gram distance of a layer is ``|G(image) - G(style)|² / |G(style)|²``.
    """
    torch = _torch()
    gen = torch.Generator().manual_seed(int(seed) + 13)
    bank = make_bank(features, seed)
    with torch.no_grad(), _threads():
        t = to_tensor(lab)
        feats = bank(t)
        g, s = [], []
        for f, gs, ss in zip(feats, stats["grams"], stats["samples"]):
            gs = torch.from_numpy(gs)
            g.append(float(((gram(f) - gs) ** 2).sum() / (gs**2).sum()))
            ss = torch.from_numpy(ss)
            d = directions(ss.shape[1], gen)
            rows = _rows(f, None, SW_SAMPLES, gen)
            q = style_quantiles(ss, d, len(rows))
            s.append(float(np.mean([float(sliced_w2(rows, d[j], q[j])) for j in range(SW_SETS)])))
    return {"gram": float(np.mean(g)), "sw": float(np.mean(s))}
