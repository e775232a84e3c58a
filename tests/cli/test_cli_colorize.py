"""``chroma colorize`` on files and folders."""

import numpy as np
import pytest

pytest.importorskip("torch")

from chroma.cli import main
from chroma.colorization import colorize
from chroma.datasets import sample
from chroma.io import read_image, write_image


@pytest.fixture
def gray_file(tmp_path):
    g = sample("chelsea")[::8, ::8].mean(-1).astype(np.uint8)
    path = tmp_path / "gray.png"
    write_image(path, g)
    return path, g


def test_colorize_file_matches_the_api(gray_file, tmp_path, capsys):
    path, g = gray_file
    out = tmp_path / "out.png"
    assert main(["colorize", str(path), "-o", str(out), "--vibrancy", "0.5"]) == 0
    assert "wrote" in capsys.readouterr().out
    np.testing.assert_array_equal(read_image(out), colorize(g, vibrancy=0.5))
    # never overwrite without --overwrite
    assert main(["colorize", str(path), "-o", str(out)]) == 2
    assert main(["colorize", str(path), "-o", str(out), "--overwrite"]) == 0


def test_colorize_folder(gray_file, tmp_path):
    _path, g = gray_file
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(2):
        write_image(folder / f"g{i}.png", g)
    out = tmp_path / "outdir"
    assert main(["colorize", str(folder), "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["g0.png", "g1.png"]
    assert read_image(out / "g0.png").shape == (*g.shape, 3)


def test_colorize_with_mask(gray_file, tmp_path):
    path, g = gray_file
    m = np.zeros(g.shape, np.uint8)
    m[:, : g.shape[1] // 2] = 255
    write_image(tmp_path / "m.png", m)
    out = tmp_path / "o.png"
    assert main(["colorize", str(path), "-o", str(out), "--mask", str(tmp_path / "m.png"),
                 "--vibrancy", "0.7"]) == 0
    res = read_image(out).astype(int)
    right = res[:, g.shape[1] // 2:]
    assert np.abs(right - right[..., :1]).max() <= 1  # gray where the mask is black


def test_bad_options_are_one_line_errors(gray_file, tmp_path, capsys):
    path, _ = gray_file
    out = str(tmp_path / "x.png")
    assert main(["colorize", str(path), "-o", out, "--vibrancy", "3"]) == 2
    assert "vibrancy" in capsys.readouterr().err
    assert main(["colorize", str(path), "-o", out, "--method", "welsh"]) == 2
    assert "--reference" in capsys.readouterr().err
    assert main(["colorize", str(tmp_path / "missing.png"), "-o", out]) == 2


def test_colorize_scribble_and_welsh_methods(gray_file, tmp_path):
    import json

    path, g = gray_file
    hints = tmp_path / "h.json"
    hints.write_text(json.dumps({"hints": [{"x": 2, "y": 3, "color": "#ff0000"},
                                           {"x": 40, "y": 30, "color": "#0000ff"}]}))
    out = tmp_path / "s.png"
    assert main(["colorize", str(path), "-o", str(out), "--method", "scribble",
                 "--hints", str(hints)]) == 0
    res = read_image(out).astype(int)
    assert res[3, 2, 0] > res[3, 2, 2]  # red where the red hint is
    ref = tmp_path / "ref.png"
    write_image(ref, sample("coffee")[::8, ::8])
    out2 = tmp_path / "w.png"
    assert main(["colorize", str(path), "-o", str(out2), "--method", "welsh",
                 "--reference", str(ref)]) == 0
    assert read_image(out2).shape == (*g.shape, 3)
