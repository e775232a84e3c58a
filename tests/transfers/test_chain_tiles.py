"""IDT and sliced OT at the door in row tiles: the untiled result, bit for bit.

Their chain of 1-D maps is learned from a sample of the image; the tiled path
draws the same sample straight from the caller's array (no float copy of the
whole image) and applies the chain tile by tile.
"""

from __future__ import annotations

import numpy as np
import pytest

import chroma
from chroma._core import tiles
from chroma._core.parallel import NUMBA_MIN_PIXELS
from chroma.compositing import apply_step
from chroma.transfers import estimator

IMG = chroma.datasets.sample("astronaut")[:300, :220]  # 66 000 pixels: 4 tiles of 16 Ki
REF = chroma.datasets.sample("coffee")[::3, ::3]

STEPS = {
    "idt": lambda: estimator("idt", n_iter=4, random_state=0),
    "idt-lab-sampled": lambda: estimator("idt", n_iter=3, space="lab", max_pixels=20_000,
                                         random_state=1),
    "idt-tiny-sample": lambda: estimator("idt", n_iter=3, space="lab", max_pixels=500,
                                         strength=0.7, random_state=2),
    "sot": lambda: estimator("sot", n_iter=6, random_state=0),
    "sot-lab-keep": lambda: estimator("sot", n_iter=4, space="lab", max_pixels=30_000,
                                      keep_luminance=True, random_state=3),
}
KINDS = {
    "uint8": lambda img: img,
    "uint16": lambda img: img.astype(np.uint16) * 257,
    "float32": lambda img: img.astype(np.float32) / 255,
    "rgba": lambda img: np.dstack([img, img[..., :1]]),
    "gray": lambda img: img[..., 1],
}


@pytest.fixture
def small_tiles():
    old = tiles.set_tile_pixels(NUMBA_MIN_PIXELS)
    assert len(tiles.row_tiles(*IMG.shape[:2])) > 2
    yield
    tiles.set_tile_pixels(old)


@pytest.mark.parametrize("name", sorted(STEPS))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_tiled_chain_equals_the_untiled_path(name, kind, small_tiles):
    step = STEPS[name]().fit(REF)
    img = KINDS[kind](IMG)
    want = step._transform_image(img, None)  # the untiled path: a float copy of it all
    got = step.transform(img)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", ["idt", "idt-lab-sampled", "sot-lab-keep"])
def test_tiled_chain_takes_its_statistics_from_the_region(name, small_tiles):
    step = STEPS[name]().fit(REF)
    region = np.zeros(IMG.shape[:2], bool)
    region[180:, 60:] = True  # in the last tiles only
    sel = region.reshape(-1)
    got = step.transform(IMG, region=region)
    np.testing.assert_array_equal(got, step._transform_image(IMG, sel))
    assert not np.array_equal(got, step.transform(IMG))  # the region mattered


def test_regrain_is_not_tiled_and_a_soft_mask_still_blends(small_tiles):
    step = estimator("idt", n_iter=3, regrain=True, random_state=0).fit(REF)
    assert step._tile_operator(IMG, None) is None  # regrain solves over the whole image
    mask = np.linspace(0.0, 1.0, IMG.shape[1], dtype=np.float32)[None].repeat(IMG.shape[0], 0)
    mask[:, :25] = 0
    plain = STEPS["idt"]().fit(REF)
    out = apply_step(plain, IMG, mask=mask)
    np.testing.assert_array_equal(out[:, :25], IMG[:, :25])
    old = tiles.set_tile_pixels(10**9)
    try:
        whole = apply_step(plain, IMG, mask=mask)
    finally:
        tiles.set_tile_pixels(old)
    np.testing.assert_array_equal(out, whole)
