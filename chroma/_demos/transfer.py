"""Demo section: classical color transfer (histogram, Reinhard, MKL, IDT, sliced OT, LUTs)."""

from __future__ import annotations

import numpy as np

ORDER = 20
TITLE = "Color transfer: histogram, Reinhard, MKL, IDT, sliced OT"


def run(ctx) -> None:
    import chroma
    from chroma.transfers import apply_lut, transfer

    img = ctx.sample("coffee")
    ref = ctx.sample("chelsea")
    methods = [
        ("histogram", {}),
        ("reinhard", {"space": "lab"}),
        ("reinhard", {"space": "lalphabeta"}),
        ("mkl", {}),
        ("idt", {"random_state": 0}),
        ("sot", {"random_state": 0}),
    ]
    panels = [("image", img), ("reference", ref)]
    for method, opts in methods:
        name = method + (f" ({opts['space']})" if "space" in opts else "")
        try:
            panels.append((name, transfer(img, ref, method, **opts)))
        except ImportError:  # a method whose module is not available
            continue
    ctx.text(
        "Each method gives the coffee photo the colors of the cat photo: per-channel "
        "histograms (exact for 8-bit images), mean and spread per channel (Reinhard, in "
        "CIELAB or the paper's lαβ), mean and covariance (MKL), or the whole 3-D color "
        "distribution (IDT, sliced OT)."
    )
    ctx.figure("coffee ← chelsea, one call per method: chroma.transfer(img, ref, method)", panels)

    # region to region: the top of the reference onto the top of the image, the rest untouched
    rows = np.linspace(0.0, 1.0, img.shape[0], dtype=np.float32)
    mask = np.clip((0.6 - rows) / 0.2, 0.0, 1.0)[:, None].repeat(img.shape[1], 1)  # feathered
    ref_mask = np.zeros(ref.shape[:2], bool)
    ref_mask[:, : ref.shape[1] // 3] = True
    region = transfer(img, ref, "reinhard", mask=mask, reference_mask=ref_mask)
    soft = transfer(img, ref, "mkl", strength=0.5, keep_luminance=True)
    ctx.figure(
        "Options: statistics from a region of each image (mask= / reference_mask=: the "
        "reference's left third onto the image's top, blended by the soft mask; pixels where "
        "it is 0 are unchanged), and strength=0.5 with keep_luminance=True",
        [("mask (top, feathered)", mask), ("reference region", ref_mask.astype(np.float32)),
         ("region to region", region), ("MKL, half strength, lightness kept", soft)],
    )

    # a grade as a 3-D LUT, applied elsewhere (what a .cube file carries to a video editor)
    grade = chroma.MKLTransfer().fit(ref)
    lut = grade.to_lut(33, image=img)
    other = ctx.sample("astronaut")
    direct = grade.transform(img)
    err = np.abs(apply_lut(img, lut).astype(int) - direct).max()
    ctx.text(
        "to_lut(33, image=img) samples the fitted mapping on a 33³ grid; apply_lut "
        f"reproduces the direct transfer on the coffee photo within {err} level(s), and "
        "write_cube saves it for video editors and ffmpeg (-vf lut3d=grade.cube)."
    )
    ctx.figure(
        "The coffee photo's MKL grade as a 33³ LUT, applied to another image",
        [("astronaut", other), ("astronaut through the coffee grade", apply_lut(other, lut))],
    )
