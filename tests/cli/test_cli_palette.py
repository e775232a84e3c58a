"""CLI: chroma palette / recolor / tone, end to end on a bundled sample (small copy)."""

import json
import subprocess
import sys

import numpy as np
import pytest

from chroma.cli import main
from chroma.datasets import sample
from chroma.io import read_image, write_image
from chroma.palettes import Palette
from chroma.spaces import convert


@pytest.fixture
def coffee(tmp_path):
    path = tmp_path / "coffee.png"
    write_image(path, sample("coffee")[::8, ::8])  # 50 x 75
    return path


def run(*args):
    return subprocess.run([sys.executable, "-m", "chroma.cli", *map(str, args)],
                          capture_output=True, text=True)


def test_palette_prints_hex_and_writes_swatch(coffee, tmp_path, capsys):
    swatch = tmp_path / "sw.png"
    assert main(["palette", str(coffee), "-n", "4", "--swatch", str(swatch),
                 "--swatch-size", "100x10"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("#") for line in lines)
    shares = [float(line.split()[1].rstrip("%")) for line in lines]
    assert abs(sum(shares) - 100) < 0.5 and shares == sorted(shares, reverse=True)
    sw = read_image(swatch)
    assert sw.shape == (10, 100, 3)
    assert {"#{:02x}{:02x}{:02x}".format(*c) for c in sw[0]} == {ln.split()[0] for ln in lines}


@pytest.mark.parametrize("fmt", ["json", "gpl", "css"])
def test_palette_formats_and_seed(coffee, tmp_path, capsys, fmt):
    assert main(["palette", str(coffee), "--format", fmt, "--seed", "3"]) == 0
    text = capsys.readouterr().out
    path = tmp_path / f"p.{fmt}"
    path.write_text(text)
    pal = Palette.load(path)
    assert len(pal) == 6
    assert main(["palette", str(coffee), "--seed", "3", "-o", str(tmp_path / "q.json")]) == 0
    assert Palette.load(tmp_path / "q.json").to_hex() == pal.to_hex()
    if fmt == "json":
        assert json.loads(text)["colors"][0]["hex"] == pal.to_hex()[0]


def test_recolor_with_reference_image_and_palette_file(coffee, tmp_path):
    ref = tmp_path / "rocket.png"
    write_image(ref, sample("rocket")[::8, ::8])
    out = tmp_path / "out.png"
    assert main(["recolor", str(coffee), "--to", str(ref), "-o", str(out), "-n", "4"]) == 0
    img, res = read_image(coffee), read_image(out)
    assert res.shape == img.shape and res.dtype == np.uint8 and not np.array_equal(res, img)
    # the image's own palette as the target: nearly the identity
    pal = tmp_path / "own.gpl"
    assert main(["palette", str(coffee), "-n", "5", "-o", str(pal)]) == 0
    out2 = tmp_path / "out2.png"
    assert main(["recolor", str(coffee), "--to", str(pal), "-o", str(out2)]) == 0
    lab0 = convert(img, "rgb", "lab")
    lab1 = convert(read_image(out2), "rgb", "lab")
    assert np.abs(lab1 - lab0).mean() < 2.0


def test_recolor_replace(coffee, tmp_path):
    out = tmp_path / "blue.png"
    assert main(["recolor", str(coffee), "--replace", "#a82e10:#1a40c0", "--tolerance", "8",
                 "-o", str(out)]) == 0
    hue_before = convert(read_image(coffee), "rgb", "lch")[..., 2]
    hue_after = convert(read_image(out), "rgb", "lch")[..., 2]
    assert ((hue_after > 220) & (hue_after < 320)).mean() > ((hue_before > 220)
                                                            & (hue_before < 320)).mean() + 0.05


@pytest.mark.parametrize("args", [["--sepia"], ["--duotone", "1b2a6b,f6d28a"],
                                  ["--colors", "#000000,#7a1f5c,#f08a24,#fff3b0"]])
def test_tone(coffee, tmp_path, args):
    out = tmp_path / "t.png"
    assert main(["tone", str(coffee), *args, "--strength", "0.9", "-o", str(out)]) == 0
    res = read_image(out)
    assert res.shape == read_image(coffee).shape


def test_folder_input(coffee, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    coffee.rename(folder / "a.png")
    write_image(folder / "b.png", sample("chelsea")[::8, ::8])
    assert main(["tone", str(folder), "--sepia", "-o", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png", "b.png"]


def test_errors_are_one_line(coffee, tmp_path):
    cases = [
        ("palette", tmp_path / "missing.png"),
        ("palette", coffee, "-n", "0"),
        ("palette", coffee, "-o", tmp_path / "p.ase"),
        ("tone", coffee, "--duotone", "#000000", "-o", tmp_path / "x.png"),
        ("tone", coffee, "--colors", "#12345g,#000", "-o", tmp_path / "x.png"),
        ("tone", coffee, "--sepia", "-o", coffee),
        ("recolor", coffee, "--replace", "#ff0000", "-o", tmp_path / "y.png"),
        ("recolor", coffee, "--to", tmp_path / "nothing.gpl", "-o", tmp_path / "y.png"),
    ]
    for args in cases:
        proc = run(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        err = proc.stderr.strip()
        assert err.count("\n") == 0 and err.startswith(f"chroma {args[0]}: error:"), err
    # existing outputs are not overwritten without --overwrite
    out = tmp_path / "t.png"
    assert main(["tone", str(coffee), "--sepia", "-o", str(out)]) == 0
    proc = run("tone", coffee, "--sepia", "-o", out)
    assert proc.returncode == 2 and "overwrite" in proc.stderr
    assert run("tone", coffee, "--sepia", "-o", out, "--overwrite").returncode == 0
    # argparse refuses a missing mode
    assert run("tone", coffee, "-o", out).returncode == 2
