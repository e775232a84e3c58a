"""Weights loading (hash-checked, cached) and the prediction path of the prior.

Private: :mod:`chroma.colorization.prior` is the public face. Torch is imported
inside the functions.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from pathlib import Path

import numpy as np

from chroma.colorization._net import REDUCTION, import_torch, make_input, torch_parts

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
DEFAULT_WEIGHTS = WEIGHTS_DIR / "prior.pt"
# the network for automatic colorization (no hints, no reference correspondences)
AUTO_WEIGHTS = WEIGHTS_DIR / "prior_auto.pt"

_CACHE: dict = {}
_LOCK = threading.Lock()


def sha256_file(path: Path) -> str:
    """SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def record_path(weights: Path) -> Path:
    """The JSON record that sits next to a weights file (same stem)."""
    return weights.with_suffix(".json")


class LoadedModel:
    """A network in eval mode plus what decoding needs (bins, prior, config)."""

    def __init__(self, net, bins: np.ndarray, prior: np.ndarray, config: dict, record: dict):
        self.net = net
        self.bins = bins
        self.prior = prior
        self.config = config
        self.record = record

    @property
    def head(self) -> str:
        return self.config.get("head", "ce")

    @property
    def log_rebalance(self) -> np.ndarray:
        """log of the training's class-rebalancing weights (float32, shape (Q,))."""
        if not hasattr(self, "_log_w"):
            from chroma.colorization.bins import rebalance_weights

            lam = float(self.config.get("rebalance_lambda", 0.5))
            self._log_w = np.log(rebalance_weights(self.prior, lam=lam)).astype(np.float32)
        return self._log_w


def build_net(config: dict, n_bins: int):
    """An untrained network described by ``config``."""
    parts = torch_parts()
    return parts["ColorNet"](n_bins, width=int(config.get("width", 32)),
                             head=config.get("head", "ce"),
                             hint_branch=bool(config.get("hint_branch", False)))


def load_model(weights=None) -> LoadedModel:
    """Load (once per path, then cached) a hash-checked weights file.

    Parameters
    ----------
    weights : path-like, optional
        A ``.pt`` file written by ``python -m chroma.colorization.train --export``;
        its ``.json`` record (with the SHA-256) must sit next to it. Default:
        the weights shipped in ``chroma/colorization/weights/``.
    """
    path = Path(DEFAULT_WEIGHTS if weights is None else weights).resolve()
    with _LOCK:
        if path in _CACHE:
            return _CACHE[path]
        if not path.is_file():
            raise FileNotFoundError(
                f"colorizer weights not found: {str(path)!r}. The shipped weights live in "
                "chroma/colorization/weights/; reinstall chroma if they are missing."
            )
        rec_path = record_path(path)
        if not rec_path.is_file():
            raise FileNotFoundError(
                f"no record {str(rec_path)!r} (with the SHA-256) next to weights {str(path)!r}; "
                "export weights with `python -m chroma.colorization.train --export`."
            )
        record = json.loads(rec_path.read_text())
        digest = sha256_file(path)
        if digest != record.get("sha256"):
            raise OSError(
                f"colorizer weights {str(path)!r} fail their SHA-256 check: expected "
                f"{record.get('sha256')}, got {digest}. The file is corrupted or was "
                "replaced; reinstall chroma or re-export the weights."
            )
        torch = import_torch()
        blob = torch.load(path, map_location="cpu", weights_only=True)
        config = dict(blob["config"])
        bins = blob["bins"].float().numpy()
        prior = blob["prior"].double().numpy()
        net = build_net(config, len(bins))
        net.load_state_dict({k: v.float() for k, v in blob["state_dict"].items()})
        net.eval()
        fold_batchnorm(net)
        model = LoadedModel(net, bins, prior, config, record)
        _CACHE[path] = model
        return model


def load_auto_model(weights=None) -> LoadedModel:
    """The network for unguided colorization: the shipped ``prior_auto.pt``, or `weights`.

    Given other `weights`, those serve every path (guided and unguided).
    """
    if weights is None and AUTO_WEIGHTS.is_file():
        return load_model(AUTO_WEIGHTS)
    return load_model(weights)


def fold_batchnorm(net) -> None:
    """Fold each eval-mode BatchNorm into the convolution before it (inference speed-up).

    The BatchNorm becomes an identity; outputs are unchanged up to float rounding.
    """
    torch = import_torch()
    from torch import nn

    def fold(conv, bn):
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        bias = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
        conv.weight.data = conv.weight.data * scale[:, None, None, None]
        conv.bias = nn.Parameter((bias - bn.running_mean) * scale + bn.bias)

    with torch.no_grad():
        for module in net.modules():
            children = list(module.named_children())
            for (_, a), (name_b, b) in itertools.pairwise(children):
                if isinstance(a, nn.Conv2d) and isinstance(b, nn.BatchNorm2d):
                    fold(a, b)
                    setattr(module, name_b, nn.Identity())


def working_shape(shape: tuple[int, int], side: int) -> tuple[int, int]:
    """Network input size: short side ``side``, both dims multiples of 8, long side capped."""
    h, w = shape
    s = side / min(h, w)
    mult = 2 * REDUCTION
    hh = max(mult, round(min(h * s, 4 * side) / mult) * mult)
    ww = max(mult, round(min(w * s, 4 * side) / mult) * mult)
    return hh, ww


def resize_plane(torch, x, size):
    """Resize a (B, C, H, W) tensor, antialiased when shrinking."""
    from torch.nn import functional as F

    shrink = size[0] < x.shape[-2] or size[1] < x.shape[-1]
    return F.interpolate(x, size=size, mode="bilinear", align_corners=False,
                         antialias=shrink)


def global_vector(model: LoadedModel, hist: np.ndarray | None, batch: int = 1) -> np.ndarray:
    """The network's global-hint input: ``hist`` (Q,) repeated ``batch`` times, else zeros.

    The matching input flag is ``float(hist is not None)`` (:func:`make_input`).
    """
    hvec = np.zeros((batch, len(model.bins)), dtype=np.float32)
    if hist is not None:
        hvec[:] = hist
    return hvec


def predict_raw(
    model: LoadedModel,
    lightness: np.ndarray,
    *,
    side: int = 256,
    hint_ab: np.ndarray | None = None,
    hint_mask: np.ndarray | None = None,
    hist: np.ndarray | None = None,
) -> np.ndarray:
    """The network's raw output for an L* plane: (C, h, w) float32 at 1/4 working size.

    C is the number of bins (logits, head "ce") or 2 (a*b* / 110, head "l2").
    Inputs as for :func:`predict_ab`.
    """
    torch = import_torch()
    h, w = lightness.shape
    size = working_shape((h, w), side)
    with torch.inference_mode():
        planes = [torch.from_numpy(np.ascontiguousarray(lightness, dtype=np.float32))[None]]
        if hint_ab is not None:
            m = np.asarray(hint_mask, dtype=np.float32)
            ab = np.asarray(hint_ab, dtype=np.float32) * m[..., None]
            planes += [torch.from_numpy(np.ascontiguousarray(np.moveaxis(ab, -1, 0))),
                       torch.from_numpy(m)[None]]
        small = resize_plane(torch, torch.cat(planes, 0)[None], size)[0].numpy()
        lum = small[0]
        if hint_ab is not None:
            msk = small[3]
            # a hint blurred by the resize keeps its color: divide by the blurred mask
            hab = np.where(msk[..., None] > 1e-3,
                           np.moveaxis(small[1:3], 0, -1) / np.maximum(msk, 1e-3)[..., None],
                           0.0)
            msk = np.clip(msk * 4.0, 0.0, 1.0)  # a point hint stays visible after shrinking
            x = make_input(lum, hab, msk, float(hist is not None))
        else:
            x = make_input(lum, global_flag=float(hist is not None))
        out = model.net(torch.from_numpy(x), torch.from_numpy(global_vector(model, hist)))
        return np.ascontiguousarray(out[0].numpy())


def predict_ab(
    model: LoadedModel,
    lightness: np.ndarray,
    *,
    temperature: float,
    correction: float = 0.0,
    side: int = 256,
    hint_ab: np.ndarray | None = None,
    hint_mask: np.ndarray | None = None,
    hist: np.ndarray | None = None,
    out_shape: tuple[int, int] | None = None,
) -> np.ndarray:
    """Predict a*b* for an L* plane; returns (H, W, 2) float32 at ``out_shape``.

    The network's distribution over bins is divided by the training's
    rebalancing weights raised to ``correction`` (0: Zhang's raw output, biased
    toward rare saturated colors; 1: the calibrated posterior), then decoded
    by the annealed mean at ``temperature``.

    ``lightness`` is (H, W) L* in [0, 100]; hints, when given, are full-size
    (H, W, 2) a*b* values and an (H, W) mask in [0, 1]; ``hist`` a (Q,) a*b*
    distribution (the global hint).
    """
    torch = import_torch()
    h, w = lightness.shape
    out_shape = (h, w) if out_shape is None else out_shape
    raw = predict_raw(model, lightness, side=side, hint_ab=hint_ab, hint_mask=hint_mask,
                      hist=hist)
    with torch.inference_mode():
        out = torch.from_numpy(raw)[None]
        if model.head == "ce":
            if correction:
                logw = torch.from_numpy(model.log_rebalance)[None, :, None, None]
                out = out - correction * logw
            q = torch.softmax(out / temperature, dim=1)
            ab = torch.einsum("bqhw,qc->bchw", q, torch.from_numpy(model.bins))
        else:
            ab = out * 110.0
        ab = resize_plane(torch, ab, out_shape)
        return np.ascontiguousarray(ab[0].permute(1, 2, 0).numpy())
