"""No command writes over any of its inputs; every output is checked before any is written."""

import json
import os

import numpy as np
import pytest

from chroma.cli import main
from chroma.io import read_image, write_image


@pytest.fixture
def files(tmp_path, rng):
    img = rng.integers(0, 256, (24, 32, 3)).astype(np.uint8)
    img[:8, :, 0] = 220  # some red, so hue masks select something
    ref = rng.integers(0, 256, (20, 20, 3)).astype(np.uint8)
    mask = np.zeros((24, 32), np.uint8)
    mask[:, :16] = 255
    for name, a in (("img.png", img), ("ref.png", ref), ("mask.png", mask),
                    ("refmask.png", mask[:20, :20])):
        write_image(tmp_path / name, a)
    (tmp_path / "pal.json").write_text(json.dumps(
        {"colors": ["#102030", "#c0a080", "#40c040"]}))
    return tmp_path


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _refused(capsys, args, *words):
    before_code = main(args)
    err = capsys.readouterr().err
    assert before_code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    for w in words:
        assert w in err, err
    return err


# each command, each option that names an input, given as the output with --overwrite
CASES = [
    ("transfer -o IMAGE", ["transfer", "{d}/img.png", "{d}/ref.png", "-o", "{d}/img.png"]),
    ("transfer -o REFERENCE", ["transfer", "{d}/img.png", "{d}/ref.png", "-o", "{d}/ref.png"]),
    ("transfer -o --mask", ["transfer", "{d}/img.png", "{d}/ref.png", "--mask", "{d}/mask.png",
                            "-o", "{d}/mask.png"]),
    ("transfer -o --reference-mask", ["transfer", "{d}/img.png", "{d}/ref.png",
                                      "--reference-mask", "{d}/refmask.png", "-o",
                                      "{d}/refmask.png"]),
    ("transfer --lut-out is -o", ["transfer", "{d}/img.png", "{d}/ref.png", "-o", "{d}/g.cube",
                                  "--lut-out", "{d}/g.cube"]),
    ("colorize -o --reference", ["colorize", "{d}/img.png", "--method", "welsh", "--reference",
                                 "{d}/ref.png", "-o", "{d}/ref.png"]),
    ("colorize -o --mask", ["colorize", "{d}/img.png", "--method", "welsh", "--reference",
                            "{d}/ref.png", "--mask", "{d}/mask.png", "-o", "{d}/mask.png"]),
    ("recolor -o --to image", ["recolor", "{d}/img.png", "--to", "{d}/ref.png", "-o",
                               "{d}/ref.png"]),
    ("recolor -o --to palette", ["recolor", "{d}/img.png", "--to", "{d}/pal.json", "-o",
                                 "{d}/pal.json"]),
    ("splash --save-mask IMAGE", ["splash", "{d}/img.png", "--hue", "40:30", "-o",
                                  "{d}/out.png", "--save-mask", "{d}/img.png"]),
    ("splash -o --mask", ["splash", "{d}/img.png", "--mask", "{d}/mask.png", "-o",
                          "{d}/mask.png"]),
    ("splash --save-mask is -o", ["splash", "{d}/img.png", "--hue", "40:30", "-o",
                                  "{d}/out.png", "--save-mask", "{d}/out.png"]),
    ("mask -o --mask", ["mask", "{d}/img.png", "--mask", "{d}/mask.png", "-o",
                        "{d}/mask.png"]),
    ("mask -o IMAGE", ["mask", "{d}/img.png", "--hue", "40:30", "-o", "{d}/img.png"]),
    ("tone -o IMAGE", ["tone", "{d}/img.png", "--sepia", "-o", "{d}/img.png"]),
    ("lut apply -o CUBE", ["lut", "apply", "{d}/g.cube", "{d}/img.png", "-o", "{d}/g.cube"]),
    ("palette --swatch IMAGE", ["palette", "{d}/img.png", "--swatch", "{d}/img.png"]),
    ("palette -o IMAGE", ["palette", "{d}/img.png", "-o", "{d}/img.png"]),
    ("palette --swatch is -o", ["palette", "{d}/img.png", "--swatch", "{d}/s.json", "-o",
                                "{d}/s.json"]),
]


@pytest.mark.parametrize(("label", "command"), CASES, ids=[c[0] for c in CASES])
def test_no_command_writes_over_an_input(files, capsys, label, command):
    (files / "g.cube").write_text("LUT_3D_SIZE 2\n" + "0 0 0\n1 0 0\n0 1 0\n1 1 0\n"
                                  "0 0 1\n1 0 1\n0 1 1\n1 1 1\n")
    before = _snapshot(files)
    args = [a.format(d=files) for a in command] + ["--overwrite"]
    err = _refused(capsys, args)
    assert "overwrite the input" in err or "are the same file" in err
    assert _snapshot(files) == before


@pytest.mark.parametrize("link", ["hard", "symbolic"])
def test_links_to_an_input_are_inputs(files, capsys, link):
    alias = files / "alias.png"
    (os.link if link == "hard" else os.symlink)(files / "mask.png", alias)
    before = _snapshot(files)
    _refused(capsys, ["transfer", str(files / "img.png"), str(files / "ref.png"), "--mask",
                      str(files / "mask.png"), "-o", str(alias), "--overwrite"],
             "overwrite the input --mask", "the same file as")
    assert _snapshot(files) == before
    _refused(capsys, ["tone", str(files / "img.png"), "--sepia", "-o",
                      str(files / "sub" / ".." / "img.png"), "--overwrite"])


def test_run_recipe_references_are_inputs(files, capsys):
    recipe = files / "r.json"
    recipe.write_text(json.dumps({"version": 1, "steps": [
        {"name": "look", "method": "reinhard", "reference": "ref.png"}]}))
    before = _snapshot(files)
    _refused(capsys, ["run", str(recipe), str(files / "img.png"), "-o", str(files / "ref.png"),
                      "--overwrite"], "reference of step 'look'")
    _refused(capsys, ["run", str(recipe), str(files / "img.png"), "-o", str(recipe),
                      "--overwrite"], "recipe")
    assert _snapshot(files) == before


def test_bad_lut_size_writes_nothing(files, capsys):
    before = _snapshot(files)
    assert main(["transfer", str(files / "img.png"), str(files / "ref.png"), "-o",
                 str(files / "out.png"), "--lut-out", str(files / "g.cube"),
                 "--lut-size", "1"]) == 2
    assert "lut" in capsys.readouterr().err.lower()
    assert _snapshot(files) == before  # the image is not written either


def test_lut_out_and_image_written_when_all_is_well(files, capsys):
    assert main(["transfer", str(files / "img.png"), str(files / "ref.png"), "-o",
                 str(files / "out.png"), "--lut-out", str(files / "g.cube"),
                 "--lut-size", "5"]) == 0
    assert read_image(files / "out.png").shape == (24, 32, 3)
    assert (files / "g.cube").read_text().count("\n") > 125
    assert not [p for p in files.iterdir() if "chroma-tmp" in p.name or ".tmp" in p.name]


def test_text_outputs_get_the_umask_mode_and_leave_no_temporary_file(files, capsys):
    import stat

    saved = os.umask(0o022)
    try:
        assert main(["palette", str(files / "img.png"), "-n", "3", "-o",
                     str(files / "p.gpl")]) == 0
        assert main(["transfer", str(files / "img.png"), str(files / "ref.png"), "-o",
                     str(files / "o.png"), "--lut-out", str(files / "l.cube"),
                     "--lut-size", "3"]) == 0
    finally:
        os.umask(saved)
    for name in ("p.gpl", "l.cube", "o.png"):
        assert stat.S_IMODE(os.stat(files / name).st_mode) == 0o644, name
    assert not [p.name for p in files.iterdir() if p.name.startswith(".")]
    assert main(["palette", str(files / "img.png"), "-n", "3", "-o", str(files / "p.gpl")]) == 2
    assert "exists" in capsys.readouterr().err


def test_existing_second_output_refuses_before_the_first_is_written(files, capsys):
    (files / "m.png").write_bytes(b"keep me")
    before = _snapshot(files)
    _refused(capsys, ["splash", str(files / "img.png"), "--hue", "40:30", "-o",
                      str(files / "new.png"), "--save-mask", str(files / "m.png")],
             "m.png", "--overwrite")
    assert _snapshot(files) == before


def test_save_mask_format_checked_before_the_image_is_written(files, capsys):
    before = _snapshot(files)
    _refused(capsys, ["splash", str(files / "img.png"), "--hue", "40:30", "-o",
                      str(files / "new.png"), "--save-mask", str(files / "m.webp")], "gray")
    assert _snapshot(files) == before


def test_palette_bad_output_extension_writes_no_swatch(files, capsys):
    before = _snapshot(files)
    _refused(capsys, ["palette", str(files / "img.png"), "--swatch", str(files / "s.png"),
                      "-o", str(files / "p.txt")], "p.txt")
    assert _snapshot(files) == before


def test_folder_run_skips_hidden_and_temporary_files(files, capsys):
    src = files / "in"
    src.mkdir()
    write_image(src / "a.png", read_image(files / "img.png"))
    (src / ".a.png.chroma-tmp-1234abcd").write_bytes(b"left by a kill")
    (src / ".old.png.x1y2.png").write_bytes(b"left by an older chroma")
    (src / "._a.png").write_bytes(b"macOS resource fork")
    assert main(["tone", str(src), "--sepia", "-o", str(files / "out")]) == 0
    assert sorted(p.name for p in (files / "out").iterdir()) == ["a.png"]


def test_folder_output_onto_the_input_folder_is_refused(files, capsys):
    src = files / "in"
    src.mkdir()
    write_image(src / "a.png", read_image(files / "img.png"))
    before = _snapshot(src)
    _refused(capsys, ["tone", str(src), "--sepia", "-o", str(src), "--overwrite"])
    assert _snapshot(src) == before


def test_argparse_errors_are_one_line_exit_2(capsys):
    for args in (["transfer", "a.png", "b.png", "-o", "c.png", "--method", "bogus"],
                 ["transfer", "a.png"], ["tone", "x.png", "-o", "y.png"],
                 ["palette", "x.png", "-n", "many"], ["nosuchcommand"], ["--max-pixels", "x"]):
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, err
        assert "error:" in err and "--help" in err
