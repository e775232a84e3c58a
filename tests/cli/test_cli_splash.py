"""End-to-end tests of `chroma splash`, `chroma mask` and `chroma run`."""

from __future__ import annotations

import numpy as np
import pytest

from chroma import masks
from chroma.cli import main
from chroma.compositing import splash
from chroma.io import read_image, write_image
from chroma.pipeline import Pipeline

RNG = np.random.default_rng(0)
IMG = (RNG.random((32, 48, 3)) * 255).astype(np.uint8)


@pytest.fixture
def img_path(tmp_path):
    p = tmp_path / "in.png"
    write_image(p, IMG)
    return p


def test_splash_hue_matches_the_python_api(tmp_path, img_path, capsys):
    out = tmp_path / "out.png"
    assert main(["splash", str(img_path), "-o", str(out), "--hue", "40:60", "--feather", "1",
                 "--save-mask", str(tmp_path / "m.png")]) == 0
    assert "wrote" in capsys.readouterr().out
    expect = splash(IMG, masks.hue_range(IMG, 40, 60, feather=1))
    np.testing.assert_array_equal(read_image(out), expect)
    m = read_image(tmp_path / "m.png")
    assert m.dtype == np.uint8 and m.ndim == 2


def test_splash_pick_mask_file_background_and_refine(tmp_path, img_path):
    out = tmp_path / "out.png"
    assert main(["splash", str(img_path), "-o", str(out), "--pick", "3,4", "--pick", "10,20",
                 "--refine", "--background", "sepia"]) == 0
    m = masks.refine(masks.pick(IMG, points=[(3, 4), (10, 20)]), IMG)
    np.testing.assert_array_equal(read_image(out), splash(IMG, m, background="sepia"))
    hard = masks.rectangle(IMG, (0, 0, 20, 32))
    write_image(tmp_path / "mask.png", (hard * 255).astype(np.uint8))
    out2 = tmp_path / "out2.png"
    assert main(["splash", str(img_path), "-o", str(out2), "--mask",
                 str(tmp_path / "mask.png")]) == 0
    res = read_image(out2)
    np.testing.assert_array_equal(res[:, :20], IMG[:, :20])
    assert (res[:, 20:, 0] == res[:, 20:, 1]).all() and (res[:, 20:, 1] == res[:, 20:, 2]).all()


def test_splash_errors_are_one_line_exit_2(tmp_path, img_path, capsys):
    out = tmp_path / "o.png"
    assert main(["splash", str(img_path), "-o", str(out)]) == 2
    assert "no mask given" in capsys.readouterr().err
    write_image(tmp_path / "small.png", np.zeros((5, 5), np.uint8))
    assert main(["splash", str(img_path), "-o", str(out), "--mask",
                 str(tmp_path / "small.png")]) == 2
    err = capsys.readouterr().err
    assert "5x5" in err and "32x48" in err and err.count("\n") == 1
    assert main(["splash", str(img_path), "-o", str(out), "--hue", "abc"]) == 2
    write_image(out, IMG)
    assert main(["splash", str(img_path), "-o", str(out), "--hue", "0:30"]) == 2
    assert "exists" in capsys.readouterr().err


def test_mask_command_writes_8bit_gray(tmp_path, img_path):
    out = tmp_path / "m.png"
    assert main(["mask", str(img_path), "--hue", "200:80", "--invert", "-o", str(out)]) == 0
    m = read_image(out)
    assert m.dtype == np.uint8 and m.shape == IMG.shape[:2]
    expect = np.rint(masks.invert(masks.hue_range(IMG, 200, 80)) * 255).astype(np.uint8)
    np.testing.assert_array_equal(m, expect)


def test_splash_on_a_folder(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        write_image(src / f"{i}.png", np.roll(IMG, i, axis=1))
    assert main(["splash", str(src), "-o", str(tmp_path / "out"), "--hue", "120:90"]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["0.png", "1.png", "2.png"]


def test_run_recipe_on_file_and_folder(tmp_path, img_path):
    ref_a = (RNG.random((16, 16, 3)) * 100 + 150).astype(np.uint8)
    write_image(tmp_path / "a.png", ref_a)
    (tmp_path / "r.toml").write_text(
        'reference = "a.png"\n\n[[steps]]\nmethod = "reinhard"\n'
        'mask = {rectangle = [0, 0, 24, 32]}\n'
    )
    out = tmp_path / "o.png"
    assert main(["run", str(tmp_path / "r.toml"), str(img_path), "-o", str(out)]) == 0
    expect = Pipeline.load(tmp_path / "r.toml").fit().transform(IMG)
    np.testing.assert_array_equal(read_image(out), expect)
    np.testing.assert_array_equal(read_image(out)[:, 24:], IMG[:, 24:])
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(2):
        write_image(folder / f"{i}.png", IMG)
    assert main(["run", str(tmp_path / "r.toml"), str(folder), "-o", str(tmp_path / "res")]) == 0
    np.testing.assert_array_equal(read_image(tmp_path / "res" / "1.png"), expect)
    assert main(["run", str(tmp_path / "nope.toml"), str(img_path), "-o", str(out)]) == 2
