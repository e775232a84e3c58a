"""Where the default grid's gradient artifacts come from, on given photo pairs.

``gradient_artifacts = mean(max(G(out) - G(in), 0)²)`` with ``G`` the CIELAB gradient
magnitude. For each pair (``eval:K`` is ``stylize_eval.pairs``' K-th pair, ``train:I``
``stylize_eval.train_pair(I)``; 512 px) it fits the default grid and prints: the share
of the excess by the input's L* gradient, the operator's colors before the keep-L*
gamut map (measured in float Lab, no rounding) against after it, the fraction of pixels
whose chroma the map lowers by more than 1, the same operator without its color table,
with its gain set to the identity, and diffused along L*, and the measure at 256 px
(the fit's proxy). ``--figure DIR`` writes input | output | excess maps there (local
only: the photos are not redistributable).

Run (issue 13, round 3: the two eval pairs that carry the mean)::

    python benchmarks/stylize_excess.py eval:1 eval:9 --figure /tmp/excess
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import stylize_eval as E  # noqa: E402

import chroma  # noqa: E402
from chroma.metrics import gradient_artifacts  # noqa: E402
from chroma.metrics.quality import _gradient_magnitude  # noqa: E402
from chroma.spaces.gamut import _np_keep_l  # noqa: E402
from chroma.stylization import Stylizer  # noqa: E402
from chroma.stylization import _operators as ops  # noqa: E402
from chroma.stylization._compat import _np_lab_srgb_keep_l, _np_rgb_lab  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pairs", nargs="+", help="eval:K or train:I")
    ap.add_argument("--figure", default=None)
    args = ap.parse_args(argv)
    print(E.uptime(), flush=True)
    for spec in args.pairs:
        kind, k = spec.split(":")
        content, style_path = E.pairs(10)[int(k)] if kind == "eval" else E.train_pair(int(k))
        image, style = E.load(content, 512), E.load(style_path, 512)
        st = Stylizer(random_state=0, progress=False).fit(style).fit_operator(image)
        op, out = st.operator_, st.apply(image)
        h, w = image.shape[:2]
        lab_in = chroma.convert(image, "rgb", "lab").astype(np.float64)
        g_in = _gradient_magnitude(lab_in)
        excess = np.maximum(_gradient_magnitude(
            chroma.convert(out, "rgb", "lab").astype(np.float64)) - g_in, 0.0) ** 2
        gy, gx = np.gradient(lab_in[..., 0])
        g_l = np.hypot(gx, gy)
        print(f"{spec} {content.name} <- {style_path.name}: artifacts "
              f"{gradient_artifacts(out, image):.3f}")
        for lo, hi in ((0, 3), (3, 6), (6, 12), (12, 25), (25, np.inf)):
            m = (g_l >= lo) & (g_l < hi)
            print(f"  input |grad L*| in [{lo}, {hi}): {m.mean():.0%} of the pixels, "
                  f"{excess[m].sum() / excess.sum():.0%} of the excess")
        flat = image.reshape(-1, 3) / 255.0
        lab = _np_rgb_lab(flat)
        start = ops.np_trilinear(op.start, *flat.T)
        raw = lab.copy()
        raw[:, 1:] = start + ops.offsets_numpy(op, lab, start, (h, w))
        t = _np_keep_l(raw)[0]
        mapped = _np_rgb_lab(_np_lab_srgb_keep_l(raw))
        g0 = _gradient_magnitude(lab.reshape(h, w, 3))
        pre = np.mean(np.maximum(_gradient_magnitude(raw.reshape(h, w, 3)) - g0, 0) ** 2)
        post = np.mean(np.maximum(_gradient_magnitude(mapped.reshape(h, w, 3)) - g0, 0) ** 2)
        chroma_cut = np.hypot(*raw[:, 1:].T) * (1 - t)
        print(f"  before the gamut map {pre:.3f}, after it {post:.3f} (float); chroma lowered "
              f"by > 1 on {np.mean(chroma_cut > 1):.0%} of the pixels")
        axis = np.linspace(0, 1, ops.START_SIZE, dtype=np.float32)
        ident = ops.start_table(np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), -1))
        no_gain = op.volume.copy()
        no_gain[2:] = 0
        for name, o in (("no color table", ops.Operator("grid", ident, volume=op.volume)),
                        ("gain = identity", ops.Operator("grid", op.start, volume=no_gain)),
                        ("smooth_lightness 2", ops.Operator(
                            "grid", op.start, volume=ops.smooth_lightness(op.volume, 2.0)))):
            print(f"  {name}: {gradient_artifacts(ops.apply(image, o), image):.3f}")
        print(f"  at 256 px: "
              f"{gradient_artifacts(E._proxy_u8(out, 256), E._proxy_u8(image, 256)):.3f}")
        if args.figure:
            v = np.sqrt(excess) / max(np.sqrt(np.quantile(excess, 0.999)), 1e-6)
            v = np.clip(v, 0, 1)
            heat = (np.stack([v, 0.3 * v, 1 - v], -1) * 255).astype(np.uint8)
            Path(args.figure).mkdir(parents=True, exist_ok=True)
            chroma.write_image(Path(args.figure) / f"excess_{kind}{k}.png",
                               np.concatenate([image, out, heat], 1), overwrite=True)
    print(E.uptime(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
