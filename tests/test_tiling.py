"""Tiles at the door and the disk-to-disk path (issue 16: bounded memory).

Every per-pixel method gives the same array, bit for bit, whatever the tile
size (here tiles much smaller than the image), with and without a soft mask;
chroma.tiling.apply_file gives the in-memory result from .npy and TIFF files.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import chroma
from chroma._core import tiles
from chroma._core.parallel import NUMBA_MIN_PIXELS
from chroma.compositing import apply_step
from chroma.tiling import apply_file
from chroma.toning import ToneStep
from chroma.transfers import estimator

IMG = chroma.datasets.sample("astronaut")[:300, :220]  # 66 000 pixels: 4 tiles of 16 Ki
REF = chroma.datasets.sample("coffee")[::2, ::2]
SMALL = NUMBA_MIN_PIXELS  # the smallest tile the door makes


@pytest.fixture
def small_tiles():
    old = tiles.set_tile_pixels(SMALL)
    yield
    tiles.set_tile_pixels(old)


def _steps():
    return {
        "reinhard": estimator("reinhard").fit(REF),
        "reinhard-rgb": estimator("reinhard", space="rgb", strength=0.6).fit(REF),
        "reinhard-lalphabeta": estimator("reinhard", space="lalphabeta", strength=0.8).fit(REF),
        "mkl": estimator("mkl").fit(REF),
        "palette": estimator("palette", n_colors=4, random_state=0).fit(REF),
        "tone": ToneStep(mode="duotone", colors=["#102040", "#f0d080"], strength=0.8).fit(),
    }


STEPS = _steps()


def _variants(img):
    return {
        "uint8": img,
        "uint16": img.astype(np.uint16) * 257,
        "float32": img.astype(np.float32) / 255,
        "rgba": np.dstack([img, img[..., :1]]),
    }


def _whole(fn):
    old = tiles.set_tile_pixels(10**9)
    try:
        return fn()
    finally:
        tiles.set_tile_pixels(old)


def _tiled(fn):
    old = tiles.set_tile_pixels(SMALL)
    try:
        assert len(tiles.row_tiles(*IMG.shape[:2])) > 2
        return fn()
    finally:
        tiles.set_tile_pixels(old)


@pytest.mark.parametrize("name", sorted(STEPS))
@pytest.mark.parametrize("kind", ["uint8", "uint16", "float32", "rgba"])
def test_tiled_equals_whole_image(name, kind):
    step, img = STEPS[name], _variants(IMG)[kind]
    want = _whole(lambda: step.transform(img))
    got = _tiled(lambda: step.transform(img))
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", ["reinhard", "reinhard-lalphabeta", "reinhard-rgb", "mkl"])
@pytest.mark.parametrize("kind", ["uint8", "float32", "rgba"])
def test_tile_operator_equals_the_untiled_image_path(name, kind):
    # the tile operator is its own code: it must give the step's untiled fast path
    step, img = STEPS[name], _variants(IMG)[kind]
    want = step._transform_image(img, None)
    got = _tiled(lambda: step.transform(img))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", sorted(STEPS))
@pytest.mark.parametrize("mode", ["normal", "chroma"])
def test_tiled_soft_mask_equals_whole_image(name, mode):
    step = STEPS[name]
    mask = np.linspace(0.0, 1.0, IMG.shape[1], dtype=np.float32)[None].repeat(IMG.shape[0], 0)
    mask[:, :30] = 0
    want = _whole(lambda: apply_step(step, IMG, mask=mask, mode=mode))
    got = _tiled(lambda: apply_step(step, IMG, mask=mask, mode=mode))
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got[:, :30], IMG[:, :30])  # mask 0: the input's pixels
    assert (got[:, -30:] != IMG[:, -30:]).any()


@pytest.mark.parametrize("name", ["reinhard", "mkl", "palette"])
def test_tiled_region_statistics_come_from_the_whole_region(name, small_tiles):
    step = STEPS[name]
    region = np.zeros(IMG.shape[:2], bool)
    region[200:, 100:] = True  # only in the last tiles
    got = step.transform(IMG, region=region)
    want = _whole(lambda: step.transform(IMG, region=region))
    np.testing.assert_array_equal(got, want)
    assert not np.array_equal(got, step.transform(IMG))  # the region mattered


def test_tiled_gray_input_comes_back_rgb(small_tiles):
    gray = IMG[..., 0]
    out = STEPS["tone"].transform(gray)
    assert out.shape == (*gray.shape, 3)
    np.testing.assert_array_equal(out, _whole(lambda: STEPS["tone"].transform(gray)))


def test_row_tiles_cover_the_image_without_short_bands():
    for h, w, n in [(300, 220, SMALL), (1000, 7, 5000), (17, 5000, 1), (1, 10, 100)]:
        bands = tiles.row_tiles(h, w, n)
        assert bands[0].start == 0 and bands[-1].stop == h
        assert all(a.stop == b.start for a, b in itertools.pairwise(bands))
        if h * w >= NUMBA_MIN_PIXELS:
            assert all((b.stop - b.start) * w >= NUMBA_MIN_PIXELS for b in bands)


@pytest.mark.parametrize("bad, err", [(0, ValueError), (-5, ValueError), (2.5, TypeError),
                                      ("4", TypeError), (True, TypeError)])
def test_set_tile_pixels_refuses_bad_values(bad, err):
    with pytest.raises(err, match="`n`"):
        tiles.set_tile_pixels(bad)
    assert tiles.get_tile_pixels() >= 1  # the setting did not change


def test_tile_pixels_from_environment(monkeypatch):
    old = tiles.set_tile_pixels(None)
    try:
        monkeypatch.setenv(tiles.ENV_TILE_PIXELS, "123456")
        assert tiles.get_tile_pixels() == 123456
        monkeypatch.setenv(tiles.ENV_TILE_PIXELS, "lots")
        with pytest.raises(ValueError, match=tiles.ENV_TILE_PIXELS):
            tiles.get_tile_pixels()
        assert chroma.set_tile_pixels(1000) is None
        assert tiles.get_tile_pixels() == 1000  # the setter wins over the variable
    finally:
        tiles.set_tile_pixels(old)


# --- the disk-to-disk path ------------------------------------------------------------
def _write_sources(folder, img):
    import tifffile

    np.save(folder / "in.npy", img)
    photometric = "rgb" if img.ndim == 3 else "minisblack"
    tifffile.imwrite(folder / "plain.tif", img, photometric=photometric)
    tifffile.imwrite(folder / "strips.tif", img, photometric=photometric, compression="zlib",
                     rowsperstrip=37)
    tifffile.imwrite(folder / "tiles.tif", img, photometric=photometric, compression="zlib",
                     tile=(64, 64))
    return ["in.npy", "plain.tif", "strips.tif", "tiles.tif"]


def _read(path):
    import tifffile

    return np.load(path) if path.suffix == ".npy" else tifffile.imread(path)


@pytest.mark.parametrize("name", ["reinhard", "mkl", "palette", "tone"])
def test_apply_file_equals_in_memory(tmp_path, name, small_tiles):
    step = STEPS[name]
    want = step.transform(IMG)
    for src in _write_sources(tmp_path, IMG):
        for ext in (".npy", ".tif"):
            dst = apply_file(step, tmp_path / src, tmp_path / f"out-{src}{ext}")
            got = _read(dst)
            assert got.dtype == want.dtype and got.shape == want.shape, (src, ext)
            np.testing.assert_array_equal(got, want, err_msg=f"{src} -> {ext}")


def test_apply_file_uint16_and_alpha(tmp_path, small_tiles):
    img = np.dstack([IMG, IMG[..., 1:2]]).astype(np.uint16) * 257
    step = STEPS["reinhard"]
    np.save(tmp_path / "in.npy", img)
    for ext in (".npy", ".tif"):
        got = _read(apply_file(step, tmp_path / "in.npy", tmp_path / f"out{ext}"))
        np.testing.assert_array_equal(got, step.transform(img))


def test_apply_file_fits_statistics_on_a_sample(tmp_path):
    step = STEPS["reinhard"]
    np.save(tmp_path / "in.npy", IMG)
    got = np.load(apply_file(step, tmp_path / "in.npy", tmp_path / "s.npy", sample_pixels=4000))
    want = step.transform(IMG)
    assert not np.array_equal(got, want)  # a sample's statistics, not the image's
    assert np.abs(got.astype(int) - want).mean() < 1.5  # ... but close to them


def test_apply_file_refuses_what_it_cannot_do(tmp_path):
    np.save(tmp_path / "in.npy", IMG)
    src = tmp_path / "in.npy"
    with pytest.raises(ValueError, match="`dst`"):
        apply_file(STEPS["tone"], src, src, overwrite=True)
    with pytest.raises(ValueError, match="`dst`"):
        apply_file(STEPS["tone"], src, tmp_path / "out.png")
    with pytest.raises(TypeError, match="band by band"):
        apply_file(estimator("idt", regrain=True, random_state=0).fit(REF), src,
                   tmp_path / "o.npy")
    apply_file(STEPS["tone"], src, tmp_path / "o.npy")
    with pytest.raises(FileExistsError):
        apply_file(STEPS["tone"], src, tmp_path / "o.npy")
    with pytest.raises(TypeError, match="`tile_pixels`"):
        apply_file(STEPS["tone"], src, tmp_path / "p.npy", tile_pixels=1.5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.npy", "o.npy"]  # no temporaries


def test_regrain_in_bands_equals_one_solve():
    transferred = STEPS["reinhard"].transform(IMG)
    want = _whole(lambda: chroma.regrain(IMG, transferred))
    old = tiles.set_tile_pixels(SMALL)
    try:
        from chroma.transfers.regrain import SWEEPS

        rows = max(8 * (SWEEPS[0] + 2), -(-SMALL // IMG.shape[1]))
        assert IMG.shape[0] > rows + 2 * (SWEEPS[0] + 2)  # the top level runs in bands
        got = chroma.regrain(IMG, transferred)
    finally:
        tiles.set_tile_pixels(old)
    np.testing.assert_array_equal(got, want)
    assert not np.array_equal(got, transferred)


@pytest.mark.parametrize("mode", ["normal", "chroma"])
@pytest.mark.parametrize("kind", ["uint8", "float32", "rgba"])
def test_blend_in_tiles_equals_whole_image(mode, kind):
    base = _variants(IMG)[kind]
    layer = np.dstack([IMG[::-1, :, :3], IMG[..., :1]])  # RGBA layer: its alpha scales the mask
    mask = np.linspace(0.0, 1.0, IMG.shape[1], dtype=np.float32)[None].repeat(IMG.shape[0], 0)
    mask[:, :30] = 0
    want = _whole(lambda: chroma.blend(base, layer, mask, mode=mode, strength=0.8))
    got = _tiled(lambda: chroma.blend(base, layer, mask, mode=mode, strength=0.8))
    assert got.dtype == base.dtype
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got[:, :30], base[:, :30])


@pytest.mark.parametrize("mode", ["normal", "chroma"])
def test_layers_blend_in_tiles_equals_whole_image(mode):
    from chroma._core.validate import check_image
    from chroma.compositing import _apply_layers

    mask = np.linspace(0.0, 1.0, IMG.shape[1], dtype=np.float32)[None].repeat(IMG.shape[0], 0)
    layers = [(STEPS["reinhard"], None, mode, 1.0),
              (estimator("histogram").fit(REF), None, mode, 0.7),  # a uniform strength
              (STEPS["tone"], mask, mode, 0.5)]
    want = _whole(lambda: _apply_layers(check_image(IMG), layers))
    got = _tiled(lambda: _apply_layers(check_image(IMG), layers))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", ["reinhard", "reinhard-lalphabeta"])
@pytest.mark.parametrize("kind", ["uint8", "uint16", "float32", "rgba"])
def test_soft_mask_statistics_streamed_equal_the_whole_copy(name, kind, monkeypatch):
    # a masked Reinhard converts the image a piece at a time for its statistics (region
    # counted inside each block) and never holds the whole float32 working copy: the
    # same output, bit for bit, as the statistics of the whole copy
    import chroma._core.validate as validate
    import chroma.compositing as compositing
    import chroma.transfers._tiled as tiled

    step, img = STEPS[name], _variants(IMG)[kind]
    mask = np.linspace(0.0, 1.0, IMG.shape[1], dtype=np.float32)[None].repeat(IMG.shape[0], 0)
    mask[:150, :40] = 0.0
    mask[250:] = 0.3  # under 0.5: outside the statistics region, still blended
    monkeypatch.setattr(compositing, "_CHUNK_BLOCKS", 1)  # 32 Ki-pixel pieces: 3 of them
    rows_seen = []
    real = validate.working_copy

    def spy(arr, **kw):
        rows_seen.append(arr.shape[0])
        return real(arr, **kw)

    monkeypatch.setattr(validate, "working_copy", spy)
    monkeypatch.setattr(compositing, "working_copy", spy)
    got = _tiled(lambda: apply_step(step, img, mask=mask))
    assert rows_seen and max(rows_seen) < IMG.shape[0]  # never the whole image at once
    monkeypatch.setattr(tiled, "streamed_operator", lambda *a, **k: None)
    rows_seen.clear()
    want = _tiled(lambda: apply_step(step, img, mask=mask))
    assert max(rows_seen) == IMG.shape[0]  # the fallback: the whole working copy
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got[:150, :40], img[:150, :40])
