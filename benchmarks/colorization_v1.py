"""The previous colorizer (v1, commit 834e19a) on the eval protocol, with vivid-wrong.

The v1 code is not importable beside this checkout, so run it from a worktree of
that commit; vivid-wrong is computed by the definition of
:func:`chroma.metrics.vivid_wrong` (copied here: v1's metrics lack it)::

    git worktree add --detach /tmp/v1 834e19a
    .venv/bin/python benchmarks/colorization_v1.py /tmp/v1  # -> results/colorization_v1.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def vivid_wrong(out, truth, convert):
    ao = convert(out, "rgb", "lab")[..., 1:].astype(np.float64)
    at = convert(truth, "rgb", "lab")[..., 1:].astype(np.float64)
    co, ct = np.hypot(ao[..., 0], ao[..., 1]), np.hypot(at[..., 0], at[..., 1])
    cos = (ao * at).sum(-1) / np.maximum(co * ct, 1e-12)
    return float(((co >= 20) & ((ct < 8) | (cos < np.cos(np.deg2rad(60))))).mean())


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or not (Path(argv[0]) / "chroma" / "colorize").is_dir():
        sys.exit("usage: colorization_v1.py V1_WORKTREE (a checkout of commit 834e19a)")
    root = Path(argv[0]).resolve()
    sys.path[:0] = [str(root), str(root / "benchmarks")]
    from colorization import EVAL_DIR, load_truth, photos

    import chroma
    from chroma import metrics
    from chroma.spaces import convert

    rows = []
    for p in photos(EVAL_DIR):
        t = load_truth(p)
        o = chroma.colorize(t.astype(np.float32) / 255)
        o8 = np.rint(np.clip(o, 0, 1) * 255).astype(np.uint8)
        rows.append((metrics.psnr(o8, t), vivid_wrong(o8, t, convert), metrics.colorfulness(o8),
                     metrics.colorfulness(t)))
    r = np.array(rows)
    res = {"code": "commit 834e19a (v1)", "photos": len(r), "psnr": r[:, 0].mean(),
           "vivid_wrong": r[:, 1].mean(), "cf_ratio": r[:, 2].mean() / r[:, 3].mean()}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "colorization_v1.json").write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
