"""Regression tests for issue-16 faults outside chroma.io and the CLI (found by the fuzz probe).

Each was a strict xfail until its fix landed: float images holding 0..255 are
refused at the one door (``_core/validate.check_image``), lαβ of negative light
is finite, LCh hue stays below 360 after the float32 cast, ``refine(eps=0)`` and
NaN in ``ciede2000`` are refused, and palette, ``.cube`` and recipe files that
cannot be read say which file and why.
"""

import json
import warnings

import numpy as np
import pytest

import chroma
from chroma import masks, metrics


@pytest.fixture
def pair(rng):
    img = rng.integers(0, 256, (24, 24, 3)).astype(np.uint8)
    ref = rng.integers(0, 256, (20, 20, 3)).astype(np.uint8)
    return img, ref


def _float_255(a):
    return a.astype(np.float32)  # the classic slip: no / 255


@pytest.mark.parametrize("method", ["histogram", "reinhard", "mkl", "idt", "sot", "palette"])
def test_transfer_refuses_float_images_holding_0_to_255(pair, method):
    img, ref = pair
    with pytest.raises(ValueError, match=r"`image`.*\[0, 1\].*255"):
        options = {"random_state": 0} if method in ("idt", "sot", "palette") else {}
        chroma.transfer(_float_255(img), ref, method, **options)


def test_transfer_refuses_float_reference_holding_0_to_255(pair):
    img, ref = pair
    with pytest.raises(ValueError, match=r"`reference`.*255"):
        chroma.transfer(img, _float_255(ref), "reinhard")


@pytest.mark.parametrize("call", [
    lambda x: chroma.tone(x),
    lambda x: masks.hue_range(x, 40, 30),
    lambda x: chroma.extract_palette(x, 3, random_state=0),
    lambda x: chroma.splash(x, np.ones(x.shape[:2])),
    lambda x: chroma.PaletteTransfer(3, random_state=0).fit(x),
], ids=["tone", "hue_range", "extract_palette", "splash", "PaletteTransfer.fit"])
def test_functions_refuse_float_images_holding_0_to_255(pair, call):
    with pytest.raises(ValueError, match=r"\[0, 1\].*255"):
        call(_float_255(pair[0]))


def test_welsh_refuses_float_gray_holding_0_to_255(pair):
    img, ref = pair
    gray = img.mean(axis=-1).astype(np.float32)  # 0..255 floats
    with pytest.raises(ValueError, match="255"):
        chroma.colorize(gray, method="welsh", reference=ref)


def test_convert_negative_rgb_to_lalphabeta_is_finite_or_refused():
    x = np.full((2, 2, 3), -0.5)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            out = chroma.convert(x, "rgb", "lalphabeta")
    except ValueError as err:
        assert "`image`" in str(err) or "[0, 1]" in str(err)
        return
    assert np.isfinite(out).all()


def test_lch_hue_is_below_360():
    lab = np.array([[[50.0, 1.0, -1e-7]]], np.float32)  # b a hair below 0: atan2 -> -0.0
    hue = chroma.convert(lab, "lab", "lch")[..., 2]
    assert (hue >= 0).all() and (hue < 360).all(), hue


def test_refine_with_eps_0_on_a_flat_guide_is_finite_or_refused():
    mask = np.zeros((16, 16))
    mask[:, :8] = 1
    guide = np.full((16, 16, 3), 0.5)
    try:
        out = masks.refine(mask, guide, eps=0)
    except ValueError as err:
        assert "eps" in str(err)
        return
    assert np.isfinite(out).all()


def test_ciede2000_refuses_nan():
    a = np.full((4, 4, 3), 50.0)
    b = a.copy()
    b[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        metrics.ciede2000(a, b)


def test_palette_load_of_a_json_list_of_numbers_is_a_value_error(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps([1, 2, 3]))
    with pytest.raises(ValueError, match="p.json"):
        chroma.Palette.load(path)


def test_cube_with_a_non_numeric_size_names_the_keyword_and_file(tmp_path):
    path = tmp_path / "g.cube"
    path.write_text("LUT_3D_SIZE two\n0 0 0\n")
    with pytest.raises(ValueError, match=r"g\.cube.*LUT_3D_SIZE|LUT_3D_SIZE.*g\.cube"):
        chroma.read_cube(path)


def test_latin1_recipe_error_names_the_file(tmp_path):
    path = tmp_path / "r.toml"
    path.write_bytes('[[steps]]\nname = "caf\xe9"\nmethod = "reinhard"\n'.encode("latin-1"))
    with pytest.raises(ValueError, match=r"r\.toml.*UTF-8"):
        chroma.Pipeline.load(path)


def test_cli_palette_load_of_a_json_list_is_a_user_error(tmp_path, capsys, pair):
    from chroma.cli import main
    from chroma.io import write_image

    write_image(tmp_path / "img.png", pair[0])
    (tmp_path / "p.json").write_text("[1, 2]")
    code = main(["recolor", str(tmp_path / "img.png"), "--to", str(tmp_path / "p.json"),
                 "-o", str(tmp_path / "out.png")])
    err = capsys.readouterr().err
    assert code == 2 and "internal error" not in err and "p.json" in err
