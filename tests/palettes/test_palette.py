"""Palettes: extraction, files, quantization and dithering, recoloring, transfer, toning."""

import numpy as np
import pytest

from chroma._core.base import clone
from chroma.palettes import (
    KMeansPalette,
    Palette,
    PaletteTransfer,
    extract_palette,
    quantize,
    recolor,
    replace_color,
)
from chroma.palettes import _kernels as K
from chroma.palettes import extract as E
from chroma.palettes import recoloring as R
from chroma.spaces import convert
from chroma.toning import tone  # the toning tests move to tests/test_toning.py with toning.py

try:
    from chroma.metrics import ciede2000
except ImportError:  # the metrics module is another helper's; scikit-image is the reference
    from skimage.color import deltaE_ciede2000 as ciede2000

COLORS = np.array(
    [[200, 30, 40], [20, 120, 220], [240, 230, 200], [10, 10, 10], [90, 170, 60]], dtype=np.uint8
)


def flat_image(colors, counts, width=12):
    """Rows of flat colors, `counts[i]` rows of `colors[i]`, shuffled by rows."""
    colors = np.asarray(colors)
    rows = np.repeat(colors if colors.dtype.kind == "f" else colors.astype(np.uint8), counts, 0)
    rows = rows[np.random.default_rng(1).permutation(len(rows))]
    return np.repeat(rows[:, None, :], width, axis=1)


def lab_of(rgb):
    return convert(np.asarray(rgb, dtype=np.float64).reshape(-1, 3), "rgb", "lab").astype(float)


# --- extraction --------------------------------------------------------------------------
@pytest.mark.parametrize("big", [False, True], ids=["numpy", "numba"])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_flat_colors_give_exactly_those_colors_and_shares(dtype, big):
    counts = np.array([9, 5, 3, 2, 1])
    img = flat_image(COLORS, counts, width=12 if not big else 1000)  # 20 x 12 or 20 x 1000
    if dtype == np.uint16:
        img = img.astype(np.uint16) * 257
    elif dtype == np.float32:
        img = img.astype(np.float32) / 255
    pal = extract_palette(img, 5, random_state=0)
    assert len(pal) == 5
    np.testing.assert_array_equal(pal.to_uint8(), COLORS)  # largest share first
    np.testing.assert_allclose(pal.weights, counts / counts.sum(), atol=1e-12)
    np.testing.assert_allclose(pal.colors * 255, COLORS, atol=1e-6)


def test_fewer_distinct_colors_than_asked():
    img = flat_image(COLORS[:2], [3, 1])
    pal = extract_palette(img, 6, random_state=0)
    assert pal.to_hex() == ["#c81e28", "#1478dc"]
    np.testing.assert_allclose(pal.weights, [0.75, 0.25])


def test_same_seed_same_palette_and_generators():
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (60, 50, 3), dtype=np.uint8)
    a = extract_palette(img, 5, random_state=7)
    b = extract_palette(img, 5, random_state=7)
    assert a == b
    c = extract_palette(img, 5, random_state=np.random.default_rng(7))
    assert c == a


def test_palette_of_noise_is_close_to_sklearn_kmeans_on_pixels():
    """The histogram shortcut finds (nearly) the inertia of k-means on all pixels."""
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)
    lab = lab_of(img / 255.0)
    pal = extract_palette(img, 4, random_state=0)
    km = KMeans(4, n_init=4, random_state=0).fit(lab)

    def inertia(centers):
        return ((lab[:, None] - centers[None]) ** 2).sum(-1).min(1).sum()

    assert inertia(pal.lab) <= 1.03 * km.inertia_


def test_orders():
    img = flat_image(COLORS, [9, 5, 3, 2, 1])
    by_l = extract_palette(img, 5, random_state=0, order="lightness")
    assert np.all(np.diff(by_l.lab[:, 0]) > 0)
    by_share = extract_palette(img, 5, random_state=0, order="share")
    assert np.all(np.diff(by_share.weights) <= 0)
    by_hue = extract_palette(img, 5, random_state=0, order="hue")
    lch = convert(by_hue.colors, "rgb", "lch")
    chromatic = lch[:, 1] >= 8
    assert np.all(np.diff(lch[chromatic, 2]) > 0) and not chromatic[-1]
    with pytest.raises(ValueError, match="order='size'"):
        extract_palette(img, 3, order="size")


def test_region_and_alpha_select_pixels():
    img = flat_image(COLORS[:3], [4, 4, 4])
    inside = np.all(img == COLORS[0], axis=-1) | np.all(img == COLORS[1], axis=-1)
    pal = extract_palette(img, 3, region=inside, random_state=0)
    assert sorted(pal.to_hex()) == sorted(Palette(COLORS[:2]).to_hex())
    # a soft mask weights the shares
    soft = np.where(np.all(img == COLORS[0], axis=-1), 1.0, 0.25).astype(np.float32)
    pal = extract_palette(img, 3, region=soft, random_state=0)
    np.testing.assert_allclose(pal.weights, [4 / 6, 1 / 6, 1 / 6])
    rgba = np.concatenate([img, np.where(inside, 255, 0)[..., None].astype(np.uint8)], -1)
    assert extract_palette(rgba, 3, random_state=0) == extract_palette(img, 3, region=inside,
                                                                       random_state=0)
    with pytest.raises(ValueError, match="selects no pixels"):
        extract_palette(img, 3, region=np.zeros(img.shape[:2], bool))


def test_extract_validates_and_keeps_input():
    img = flat_image(COLORS, [1, 1, 1, 1, 1])
    before = img.copy()
    extract_palette(img, 3, random_state=0)
    np.testing.assert_array_equal(img, before)
    with pytest.raises(ValueError, match="n_colors"):
        extract_palette(img, 0)
    with pytest.raises(TypeError, match="image"):
        extract_palette("photo.png")
    pal = extract_palette(np.moveaxis(img, -1, 0), 3, random_state=0, channel_axis=0)
    assert pal == extract_palette(img, 3, random_state=0)


def test_histogram_kernel_equals_numpy_twin():
    rng = np.random.default_rng(0)
    for img in (rng.integers(0, 256, (37, 29, 3), dtype=np.uint8),
                rng.integers(0, 65536, (37, 29, 3), dtype=np.uint16),
                rng.random((37, 29, 3)).astype(np.float32)):
        w = rng.random(img.shape[:2]).astype(np.float32)
        scale = {np.uint8: 32 / 256, np.uint16: 32 / 65536, np.float32: 32.0}[img.dtype.type]
        for use_w in (False, True):
            c1, s1 = K.color_histogram(img, scale, w, use_w, 3)
            c2, s2 = E._np_color_histogram(img, scale, w, use_w)
            np.testing.assert_allclose(c1, c2, rtol=1e-9)
            np.testing.assert_allclose(s1, s2, rtol=1e-9, atol=1e-9)
    img = rng.integers(0, 256, (37, 29, 3), dtype=np.uint8)
    c1, s1 = K.color_histogram_u8(img, 4)
    c2, s2 = E._np_color_histogram(img, 32 / 256, None, False)
    np.testing.assert_array_equal(c1, c2)
    np.testing.assert_array_equal(s1, s2)


def test_kmeans_palette_estimator():
    img = flat_image(COLORS, [5, 4, 3, 2, 1])
    est = KMeansPalette(5, random_state=0)
    assert clone(est).get_params()["n_colors"] == 5
    with pytest.raises(ValueError, match="not fitted"):
        est.transform(img)
    out = est.fit(img).transform(img)
    np.testing.assert_array_equal(out, img)  # the image holds only palette colors
    assert est.palette_ == extract_palette(img, 5, random_state=0)


# --- the Palette ---------------------------------------------------------------------------
def test_palette_basics():
    pal = Palette.from_hex(["#ff0000", "0f0", "#0000FF"], weights=[2, 1, 1])
    assert pal.to_hex() == ["#ff0000", "#00ff00", "#0000ff"]
    np.testing.assert_allclose(pal.weights, [0.5, 0.25, 0.25])
    np.testing.assert_allclose(pal.lab, lab_of(pal.colors), atol=1e-4)
    assert Palette([[255, 0, 0]]).to_hex() == ["#ff0000"]
    assert Palette([[1.0, 0.0, 0.0]]) == Palette.from_hex(["#f00"])
    with pytest.raises(ValueError, match="not a hex color"):
        Palette.from_hex(["#ff00"])
    with pytest.raises(ValueError, match="weights"):
        Palette.from_hex(["#ff0000"], weights=[-1])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Palette([[1.5, 0, 0]])


def test_swatch_sizes_by_weight():
    pal = Palette.from_hex(["#ff0000", "#00ff00", "#0000ff"], weights=[0.5, 0.3, 0.2])
    sw = pal.swatch(width=100, height=7)
    assert sw.shape == (7, 100, 3) and sw.dtype == np.uint8
    widths = [int(np.all(sw[0] == c, axis=-1).sum()) for c in pal.to_uint8()]
    assert widths == [50, 30, 20]
    tiny = Palette.from_hex(["#000000", "#ffffff"], weights=[1, 1e-9]).swatch(width=10, height=1)
    assert (tiny[0, :, 0] == 255).sum() == 1  # every color shows
    with pytest.raises(ValueError, match="width"):
        pal.swatch(width=2)


@pytest.mark.parametrize("ext", [".json", ".gpl", ".css", ".hex"])
def test_file_round_trip(tmp_path, ext):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (30, 30, 3), dtype=np.uint8)
    pal = extract_palette(img, 5, random_state=0)
    path = tmp_path / f"pal{ext}"
    pal.save(path)
    back = Palette.load(path)
    assert back.to_hex() == pal.to_hex()
    if ext == ".json":
        assert back == pal  # exact floats
        np.testing.assert_array_equal(back.colors, pal.colors)
    elif ext == ".hex":
        np.testing.assert_allclose(back.weights, 1 / 5)
    else:
        np.testing.assert_allclose(back.weights, pal.weights, rtol=1e-5)  # 6 digits
    with pytest.raises(FileExistsError, match="overwrite"):
        pal.save(path)
    pal.save(path, overwrite=True)


def test_gpl_from_gimp_and_errors(tmp_path):
    gpl = tmp_path / "gimp.gpl"
    gpl.write_text("GIMP Palette\nName: Test\nColumns: 2\n#\n255   0   0\tRed\n  0 128 255\n")
    pal = Palette.load(gpl)
    assert pal.to_hex() == ["#ff0000", "#0080ff"]
    np.testing.assert_allclose(pal.weights, 0.5)
    bad = tmp_path / "bad.gpl"
    bad.write_text("not a palette\n")
    with pytest.raises(ValueError, match="bad.gpl"):
        Palette.load(bad)
    with pytest.raises(ValueError, match="unknown extension"):
        Palette.load(tmp_path / "x.ase")
    with pytest.raises(FileNotFoundError):
        Palette.load(tmp_path / "missing.json")
    css = tmp_path / "site.css"
    css.write_text(":root { --brand: #336699; --accent:#f80; }")
    assert Palette.load(css).to_hex() == ["#336699", "#ff8800"]


# --- recoloring ------------------------------------------------------------------------------
def test_recolor_identity_within_one_level():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (32, 48, 3), dtype=np.uint8)
    pal = extract_palette(img, 5, random_state=0)
    out = recolor(img, pal, pal)
    assert out.dtype == np.uint8
    assert np.abs(out.astype(int) - img).max() <= 1


def test_recolor_moves_source_colors_to_targets():
    src = Palette(COLORS)
    tgt = Palette.from_hex(["#3050c0", "#c07020", "#f8f0f0", "#202830", "#e878e0"])
    # lightness order of the targets follows the sources' (so the curve hits every pair)
    assert (np.argsort(src.lab[:, 0]) == np.argsort(tgt.lab[:, 0])).all()
    img = flat_image(COLORS, [2, 2, 2, 2, 2])
    out = recolor(img, src, tgt)
    for s, t in zip(COLORS, tgt.colors):
        got = out[np.all(img == s, axis=-1)][0]
        assert float(ciede2000(lab_of(got / 255.0), lab_of(t))[0]) < 2.0


def test_recolor_is_smooth_and_keeps_lightness_order_on_a_gradient():
    ramp = np.linspace(0, 1, 256)
    img = np.stack([ramp, 0.6 * ramp, 0.3 * ramp], -1)[None].repeat(4, 0)  # dark to orange
    src = ["#202020", "#c06030"]
    out = recolor(img, src, ["#102040", "#3070c0"])
    L = lab_of(out)[:, 0].reshape(4, 256)[0]
    assert np.all(np.diff(L) >= -1e-3)
    step = np.abs(np.diff(lab_of(out).reshape(4, 256, 3)[0], axis=0)).max()
    assert step < 3.0  # no jumps: neighbours of 1/255 stay within a few ΔE


@pytest.mark.parametrize("k", [1, 2, 5])
def test_recolor_kernel_equals_numpy_twin(k):
    rng = np.random.default_rng(k)
    lab = convert(rng.random((3000, 3)), "rgb", "lab").astype(np.float32)
    src = Palette(rng.random((k, 3))).lab
    tgt = Palette(rng.random((k, 3))).lab
    params = R._recolor_params(src, tgt)
    np.testing.assert_allclose(K.recolor_lab(lab, *params), R._np_recolor_lab(lab, *params),
                               atol=2e-3)


def test_recolor_respects_mask_and_validates():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (16, 20, 3), dtype=np.uint8)
    mask = np.zeros(img.shape[:2], bool)
    mask[4:10, 5:15] = True
    out = recolor(img, ["#ff0000", "#00ff00"], ["#0000ff", "#ffff00"], mask=mask)
    np.testing.assert_array_equal(out[~mask], img[~mask])
    assert np.any(out[mask] != img[mask])
    with pytest.raises(ValueError, match="same number of colors"):
        recolor(img, ["#ff0000"], ["#00ff00", "#0000ff"])


def test_replace_color_changes_only_the_source_color():
    img = flat_image([[200, 20, 20], [120, 10, 10], [20, 160, 20], [128, 128, 128]], [3, 3, 3, 3])
    out = replace_color(img, "#c81414", "#1414c8", tolerance=20)
    red, dark_red, green, gray = (np.all(img == c, axis=-1)
                                  for c in ([200, 20, 20], [120, 10, 10], [20, 160, 20],
                                            [128, 128, 128]))
    got = lab_of(out[red][0] / 255.0)
    assert float(ciede2000(got, lab_of([20 / 255, 20 / 255, 200 / 255]))[0]) < 2.0
    # the shadow of the red object turns blue too, and stays darker than the lit part
    dark = convert(out[dark_red][:1], "rgb", "lch")[0]
    assert 250 < dark[2] < 320 and dark[0] < got[0, 0]
    np.testing.assert_array_equal(out[green], img[green])
    np.testing.assert_array_equal(out[gray], img[gray])
    mask = np.zeros(img.shape[:2])
    assert np.array_equal(replace_color(img, "#c81414", "#1414c8", mask=mask), img)
    with pytest.raises(ValueError, match="tolerance"):
        replace_color(img, "#c81414", "#1414c8", tolerance=0)


def test_palette_transfer_estimator_and_pairs():
    img = flat_image(COLORS[:3], [4, 4, 4])
    ref = flat_image([[60, 110, 230], [250, 240, 230], [180, 40, 40]], [2, 5, 5])
    est = PaletteTransfer(3, random_state=0)
    with pytest.raises(ValueError, match="not fitted"):
        est.transform(img)
    est.fit(ref)
    src, tgt = est.pairs(img)
    # optimal assignment in Lab: red->red, blue->blue, cream->cream
    assert dict(zip(src.to_hex(), tgt.to_hex())) == {
        "#c81e28": "#b42828", "#1478dc": "#3c6ee6", "#f0e6c8": "#faf0e6"}
    out = est.transform(img)
    for s, t in zip(src.to_uint8(), tgt.colors):
        got = out[np.all(img == s, axis=-1)][0]
        assert float(ciede2000(lab_of(got / 255.0), lab_of(t))[0]) < 2.0
    # a Palette works as the reference, and the estimator clones
    est2 = clone(est).fit(est.palette_)
    np.testing.assert_array_equal(est2.transform(img), out)


def test_palette_transfer_through_chroma_transfer():
    import chroma

    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (24, 30, 3), dtype=np.uint8)
    ref = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
    out = chroma.transfer(img, ref, method="palette", n_colors=4, random_state=0)
    assert out.shape == img.shape and out.dtype == np.uint8
    mask = np.zeros(img.shape[:2], bool)
    mask[:10] = True
    out = chroma.transfer(img, ref, method="palette", n_colors=4, random_state=0, mask=mask)
    np.testing.assert_array_equal(out[~mask], img[~mask])


# --- toning --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "colors"),
    [("sepia", None), ("duotone", ["#f6d28a", "#1b2a6b"]),
     ("gradient", ["#000000", "#7a1f5c", "#f08a24", "#fff3b0"]),
     ("gradient", ["#ff0000", "#00ff00", "#0000ff", "#ffff00"])],
)
@pytest.mark.parametrize("strength", [1.0, 0.5])
def test_tone_keeps_lightness_order(mode, colors, strength):
    rng = np.random.default_rng(0)
    img = rng.random((40, 40, 3))
    out = tone(img, mode=mode, colors=colors, strength=strength)
    assert out.shape == img.shape and out.dtype == np.float64
    L_in = lab_of(img)[:, 0]
    L_out = lab_of(out)[:, 0]
    order = np.argsort(L_in, kind="stable")
    assert np.all(np.diff(L_out[order]) >= -0.05)  # monotonic (float32 rounding aside)
    assert np.ptp(L_out) > 20  # and not flat


def test_tone_modes_do_what_they_say():
    gray = np.linspace(0, 1, 11)[:, None].repeat(3, 1)[None]
    sep = lab_of(tone(gray, mode="sepia"))
    np.testing.assert_allclose(sep[:, 0], lab_of(gray)[:, 0], atol=0.05)  # sepia keeps L*
    hue = np.degrees(np.arctan2(sep[1:-1, 2], sep[1:-1, 1]))
    assert np.all((hue > 40) & (hue < 95))  # warm
    duo = tone(gray, mode="duotone", colors=["#1b2a6b", "#f6d28a"])
    np.testing.assert_allclose(duo[0, 0], Palette.from_hex(["#1b2a6b"]).colors[0], atol=2e-3)
    np.testing.assert_allclose(duo[0, -1], Palette.from_hex(["#f6d28a"]).colors[0], atol=2e-3)
    np.testing.assert_allclose(tone(gray, mode="sepia", strength=0.0), gray, atol=1e-4)


def test_tone_dtype_gray_alpha_mask_and_errors():
    rng = np.random.default_rng(0)
    gray = rng.integers(0, 256, (10, 12), dtype=np.uint8)
    out = tone(gray, mode="sepia")
    assert out.shape == (10, 12, 3) and out.dtype == np.uint8
    ga = np.stack([gray, np.full_like(gray, 77)], -1)
    out = tone(ga, mode="duotone", colors=["#000000", "#ff8800"])
    assert out.shape == (10, 12, 4) and np.all(out[..., 3] == 77)
    rgb = rng.integers(0, 256, (10, 12, 3), dtype=np.uint8)
    mask = np.zeros((10, 12), bool)
    mask[:5] = True
    out = tone(rgb, mode="sepia", mask=mask)
    np.testing.assert_array_equal(out[~mask], rgb[~mask])
    with pytest.raises(ValueError, match="exactly 2 colors"):
        tone(rgb, mode="duotone", colors=["#000000"])
    with pytest.raises(ValueError, match="needs `colors`"):
        tone(rgb, mode="gradient")
    with pytest.raises(ValueError, match="not a tone mode"):
        tone(rgb, mode="sepiaa")
    with pytest.raises(ValueError, match="strength"):
        tone(rgb, strength=2)


@pytest.mark.parametrize("channel_axis", [0, 1, -1])
def test_channel_axis_float16_and_gray(channel_axis):
    rng = np.random.default_rng(0)
    img = rng.random((12, 14, 3)).astype(np.float16)
    moved = np.moveaxis(img, -1, channel_axis)
    pal = extract_palette(moved, 3, random_state=0, channel_axis=channel_axis)
    assert pal == extract_palette(img, 3, random_state=0)
    for fn in (lambda a, **k: quantize(a, pal, **k),
               lambda a, **k: recolor(a, pal, pal, **k),
               lambda a, **k: replace_color(a, "#ff0000", "#0000ff", **k),
               lambda a, **k: tone(a, mode="sepia", **k)):
        out = fn(moved, channel_axis=channel_axis)
        assert out.dtype == np.float32 and out.shape == moved.shape
        np.testing.assert_allclose(np.moveaxis(out, channel_axis, -1), fn(img), atol=1e-6)
    gray = rng.integers(0, 256, (12, 14), dtype=np.uint8)
    gpal = extract_palette(gray, 2, random_state=0)
    assert np.allclose(gpal.colors, gpal.colors[:, :1])  # grays stay gray
    assert quantize(gray, gpal).shape == (12, 14, 3)


def test_a_palette_is_read_wherever_colors_are():
    from chroma.colors import parse_colors
    from chroma.palettes import formats

    pal = Palette(["#102030", "red", (0, 0, 255)], weights=[1, 2, 1])
    np.testing.assert_array_equal(parse_colors(pal), pal.colors)
    np.testing.assert_array_equal(np.asarray(pal, dtype=np.float32), pal.colors.astype(np.float32))
    for fmt in ("json", ".gpl", "CSS", "hex"):
        back = formats.from_format(formats.to_format(pal, fmt, name="t"), fmt)
        assert back.to_hex() == pal.to_hex()
    with pytest.raises(ValueError, match="fmt='ase' is not a palette format"):
        formats.to_format(pal, "ase")
    with pytest.raises(TypeError, match="`palette` must be a Palette"):
        formats.to_format(pal.colors, "json")
    with pytest.raises(ValueError, match="GIMP Palette"):
        formats.from_format("not a palette", "gpl")


def test_extract_palette_old_mask_name_warns():
    img = flat_image(COLORS[:3], [4, 4, 4])
    inside = np.all(img == COLORS[0], axis=-1)
    with pytest.warns(DeprecationWarning, match="`mask` is deprecated.*`region`"):
        old = extract_palette(img, 2, mask=inside, random_state=0)
    assert old == extract_palette(img, 2, region=inside, random_state=0)
    with pytest.raises(TypeError, match="`n_colors` must be an int"):
        extract_palette(img, 2.5)


def test_recolor_out_of_gamut_target_keeps_lightness_and_hue():
    gray = np.full((16, 3), 119 / 255, dtype=np.float32)  # L* about 50
    src_lab = lab_of(gray[:1])
    target_lab = np.array([[src_lab[0, 0], 30.0, -140.0]])  # far outside sRGB
    out = R._recolor_rgb(gray, src_lab, target_lab)
    lab = lab_of(np.rint(out * 255) / 255)
    # L* kept within 8-bit rounding (a per-channel clip lands 4 L* off here)
    assert np.abs(lab[:, 0] - target_lab[0, 0]).max() < 0.5
    hue = np.degrees(np.arctan2(lab[:, 2], lab[:, 1]))
    assert np.abs(hue - np.degrees(np.arctan2(-140.0, 30.0))).max() < 1.5
