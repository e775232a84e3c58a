"""Compare chroma.stylize settings on TRAIN photo pairs (how the defaults were chosen).

Pairs are built like ``stylize_eval.py``'s but from /work/shared/photos/train:
content ``files[i]`` gets the style of ``files[i + half]``. For each pair it
prints, per method, ``sw/gram/artifacts/blotches`` (and the seconds of each stylize
call), then the means and the wins against IDT (SW, Gram) and against IDT +
regrain (artifacts), and blotches no worse than IDT's. Scores as in ``stylize_eval.py``
(``sw/gram/artifacts/blotches``; lower is better).

Run (the settings behind the defaults; about 15 minutes on 2 busy cores)::

    python benchmarks/stylize_tune.py 5,40,80 \\
        '[{"init": "idt", "lab_weight": 4, "artifact_weight": 2}]'
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import stylize_eval as E  # noqa: E402

import chroma  # noqa: E402

_SAVED: dict = {}


def with_constants(variant: dict) -> dict:
    """Set the module constants a variant names (``"_torch.ARTIFACT_CAP": 0.3``: a key with a
    dot is ``chroma.stylization.<module>.<NAME>``); return its stylize keywords.

    Constants a previous variant set and this one does not name go back to their defaults.
    """
    import importlib

    for (mod, name), value in _SAVED.items():
        setattr(mod, name, value)
    kwargs = {}
    for key, value in variant.items():
        if "." not in key:
            kwargs[key] = value
            continue
        module, name = key.rsplit(".", 1)
        mod = importlib.import_module(f"chroma.stylization.{module}")
        if not hasattr(mod, name):
            raise SystemExit(f"{key}: chroma.stylization.{module} has no constant {name}")
        _SAVED.setdefault((mod, name), getattr(mod, name))
        setattr(mod, name, value)
    return kwargs


def main(argv: list[str]) -> int:
    idx = [int(i) for i in argv[0].split(",")]
    # a list of dicts of chroma.stylize keyword arguments (and module constants, see above)
    variants = json.loads(argv[1])
    print(E.uptime(), flush=True)
    agg: dict = {}
    for i in idx:
        content = E.train_pair(i)[0]
        image, style, score = E.trial_pair(i)
        res = {name: score(chroma.transfer(image, style, **E.CLASSICAL[name]))
               for name in ("idt", "idt+regrain", "mkl")}
        for k, v in enumerate(variants):
            v = with_constants(v)
            t = time.perf_counter()
            out = chroma.stylize(image, style, random_state=0, progress=False, **v)
            res[f"v{k}"] = (*score(out), time.perf_counter() - t)
        for n, r in res.items():
            agg.setdefault(n, []).append(r)
        print(content.name[:30], " ".join(f"{n}:" + "/".join(f"{x:.3g}" for x in r)
                                           for n, r in res.items()), flush=True)
    print("MEAN", " ".join(f"{n}:" + "/".join(f"{x:.3g}" for x in np.mean(r, 0))
                           for n, r in agg.items()))
    for n in agg:
        if n.startswith("v"):
            wins = [sum(a[j] < b[j] for a, b in zip(agg[n], agg["idt"])) for j in (0, 1)]
            art = sum(a[2] <= b[2] for a, b in zip(agg[n], agg["idt+regrain"]))
            blot = sum(a[3] <= b[3] for a, b in zip(agg[n], agg["idt"]))
            print(n, "wins vs idt (sw, gram):", wins, "artifacts <= idt+regrain:", art,
                  "blotches <= idt:", blot, "/", len(idx))
    print(E.uptime(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
