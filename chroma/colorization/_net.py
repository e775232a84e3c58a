"""The colorization network and torch helpers (private; torch is imported lazily).

Everything that needs torch is built inside :func:`torch_parts`, so importing
this module (e.g. by ``pytest --doctest-modules``) never imports torch.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

_MSG = (
    'chroma.colorize(method="prior") needs PyTorch: pip install -c constraints.txt '
    '"chroma-image[neural]" (constraints.txt, in chroma\'s source, pins the CPU build of torch)'
)

# input channels: L, local a*b* hint (2), hint mask, global-hint flag
N_INPUT = 5
AB_SCALE = 110.0  # a*b* are fed and regressed divided by this
REDUCTION = 4  # the logits come out at 1/4 of the input resolution


def import_torch():
    """Import torch or raise an ImportError that says how to install it."""
    try:
        import torch
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(_MSG) from err
    return torch


@lru_cache(maxsize=1)
def torch_parts():
    """Build and return the torch classes and functions (a namespace dict)."""
    torch = import_torch()
    from torch import nn
    from torch.nn import functional as F

    def conv(cin, cout, stride=1, dilation=1):
        return nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation,
                      bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )

    class Dilated(nn.Module):
        """Residual 3x3 block with dilation."""

        def __init__(self, ch, dilation):
            super().__init__()
            self.conv = nn.Conv2d(ch, ch, 3, padding=dilation, dilation=dilation, bias=False)
            self.bn = nn.BatchNorm2d(ch)

        def forward(self, x):
            return F.relu(x + self.bn(self.conv(x)))

    class ColorNet(nn.Module):
        """Small U-Net: 1/2, 1/4, 1/8 encoder, dilated bottleneck, global branch.

        Inputs: ``x`` (B, 5, H, W) = normalized L, local a*b* hints / 110,
        hint mask, global flag (constant plane); ``hist`` (B, Q) the global
        a*b* histogram hint (zeros when absent). Output at (H/4, W/4): logits
        over the Q bins (``head="ce"``) or a*b* / 110 (``head="l2"``).
        """

        def __init__(self, n_bins: int, width: int = 32, head: str = "ce",
                     hint_branch: bool = False):
            super().__init__()
            w = width
            self.n_bins = n_bins
            self.head_kind = head
            self.hint_branch = None
            if hint_branch:
                # local hints straight to the 1/4-res decoder: the cell's mean hint a*b*
                # and hint coverage beside the encoder's 1/4-res features, spread by
                # dilated blocks; the last 1x1 starts at zero so a warm start is unchanged
                last = nn.Conv2d(2 * w, 2 * w, 1)
                nn.init.zeros_(last.weight)
                nn.init.zeros_(last.bias)
                self.hint_branch = nn.Sequential(
                    conv(2 * w + 3, 2 * w), Dilated(2 * w, 2), Dilated(2 * w, 4),
                    Dilated(2 * w, 8), last)
            self.enc1 = conv(N_INPUT, w, 2)  # 1/2
            self.enc2 = nn.Sequential(conv(w, 2 * w, 2), conv(2 * w, 2 * w))  # 1/4
            self.enc3 = nn.Sequential(conv(2 * w, 4 * w, 2), conv(4 * w, 4 * w))  # 1/8
            self.mid = nn.Sequential(Dilated(4 * w, 2), Dilated(4 * w, 4), Dilated(4 * w, 8))
            # global context: pooled features + histogram hint + flag -> FiLM scale/shift
            self.glob = nn.Sequential(
                nn.Linear(4 * w + n_bins + 1, 4 * w), nn.ReLU(inplace=True),
                nn.Linear(4 * w, 8 * w),
            )
            self.mid2 = Dilated(4 * w, 2)
            self.reduce = nn.Sequential(nn.Conv2d(4 * w, 2 * w, 1, bias=False),
                                        nn.BatchNorm2d(2 * w), nn.ReLU(inplace=True))
            self.dec = nn.Sequential(conv(4 * w, 2 * w), conv(2 * w, 2 * w))
            self.out = nn.Conv2d(2 * w, n_bins if head == "ce" else 2, 1)

        def forward(self, x, hist):
            e1 = self.enc1(x)
            e2 = self.enc2(e1)
            e3 = self.mid(self.enc3(e2))
            flag = x[:, 4:5].mean(dim=(2, 3))
            g = torch.cat([e3.mean(dim=(2, 3)), hist * flag, flag], dim=1)
            scale, shift = self.glob(g)[:, :, None, None].chunk(2, dim=1)
            e3 = self.mid2(e3 * (1 + scale) + shift)
            if self.hint_branch is not None:
                cover = F.avg_pool2d(x[:, 3:4], REDUCTION)
                hab = F.avg_pool2d(x[:, 1:3] * x[:, 3:4], REDUCTION) / cover.clamp_min(1e-3)
                hmax = F.max_pool2d(x[:, 3:4], REDUCTION)
                e2 = e2 + self.hint_branch(torch.cat([e2, hab, hmax], dim=1))
            up = F.interpolate(self.reduce(e3), size=e2.shape[-2:], mode="bilinear",
                               align_corners=False)
            return self.out(self.dec(torch.cat([up, e2], dim=1)))

    # --- color conversion in torch (same constants as chroma.spaces) -------------
    m = torch.tensor([[0.412453, 0.357580, 0.180423],
                      [0.212671, 0.715160, 0.072169],
                      [0.019334, 0.119193, 0.950227]], dtype=torch.float32)
    white = torch.tensor([0.95047, 1.0, 1.08883], dtype=torch.float32)

    def rgb_to_lab(rgb):
        """(B, 3, H, W) sRGB in [0, 1] -> (B, 3, H, W) CIELAB."""
        lin = torch.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
        xyz = torch.einsum("ij,bjhw->bihw", m.to(rgb.device), lin)
        xyz = xyz / white.to(rgb.device)[None, :, None, None]
        f = torch.where(xyz > 0.008856, xyz.clamp_min(1e-12) ** (1 / 3),
                        7.787 * xyz + 16 / 116)
        lum = 116 * f[:, 1] - 16
        a = 500 * (f[:, 0] - f[:, 1])
        b = 200 * (f[:, 1] - f[:, 2])
        return torch.stack([lum, a, b], dim=1)

    def soft_encode(ab, bins, sigma=5.0, k=5):
        """(B, 2, h, w) a*b* -> (B, Q, h, w) soft targets (5 nearest bins)."""
        bsz, _, h, w = ab.shape
        flat = ab.permute(0, 2, 3, 1).reshape(-1, 2)
        d2 = torch.cdist(flat, bins) ** 2
        dk, ik = torch.topk(d2, k, dim=1, largest=False)
        wk = torch.softmax(-dk / (2 * sigma**2), dim=1)
        z = torch.zeros(flat.shape[0], bins.shape[0], dtype=ab.dtype, device=ab.device)
        z.scatter_(1, ik, wk)
        return z.reshape(bsz, h, w, -1).permute(0, 3, 1, 2)

    return {
        "torch": torch, "nn": nn, "F": F, "ColorNet": ColorNet,
        "rgb_to_lab": rgb_to_lab, "soft_encode": soft_encode,
    }


def make_input(lightness: np.ndarray, hint_ab=None, hint_mask=None, global_flag=0.0):
    """Stack the network input (1, 5, H, W) as float32 NumPy from L* and optional hints."""
    h, w = lightness.shape
    x = np.zeros((1, N_INPUT, h, w), dtype=np.float32)
    x[0, 0] = lightness / 50.0 - 1.0
    if hint_ab is not None:
        x[0, 1:3] = np.moveaxis(hint_ab, -1, 0) / AB_SCALE
        x[0, 3] = hint_mask
    x[0, 4] = global_flag
    return x
