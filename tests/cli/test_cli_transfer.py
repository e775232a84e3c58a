"""``chroma transfer`` and ``chroma lut apply``."""

import numpy as np
import pytest

from chroma.cli import main
from chroma.io import read_image, write_image
from chroma.transfers import ReinhardTransfer, apply_lut, read_cube, transfer


@pytest.fixture
def files(tmp_path, rng):
    img = (40 + 150 * rng.random((24, 32, 3))).astype(np.uint8)
    ref = (rng.random((20, 20, 3)) ** 2 * 255).astype(np.uint8)
    write_image(tmp_path / "img.png", img)
    write_image(tmp_path / "ref.png", ref)
    return tmp_path, img, ref


def test_transfer_one_image_matches_python_api(files):
    d, img, ref = files
    assert main(["transfer", str(d / "img.png"), str(d / "ref.png"), "-o", str(d / "out.png"),
                 "--method", "mkl", "--strength", "0.8"]) == 0
    np.testing.assert_array_equal(read_image(d / "out.png"),
                                  transfer(img, ref, "mkl", strength=0.8))


def test_transfer_folder_fits_once(files, rng):
    d, img, ref = files
    (d / "in").mkdir()
    other = rng.integers(0, 256, (10, 12, 3), dtype=np.uint8)
    write_image(d / "in" / "a.png", img)
    write_image(d / "in" / "b.png", other)
    assert main(["transfer", str(d / "in"), str(d / "ref.png"), "-o", str(d / "out"),
                 "--method", "reinhard", "--space", "lalphabeta"]) == 0
    est = ReinhardTransfer(space="lalphabeta").fit(ref)
    np.testing.assert_array_equal(read_image(d / "out" / "a.png"), est.transform(img))
    np.testing.assert_array_equal(read_image(d / "out" / "b.png"), est.transform(other))


def test_masks_and_lut_out(files):
    d, img, ref = files
    mask = np.zeros(img.shape[:2], np.uint8)
    mask[5:15, 5:20] = 255
    write_image(d / "m.png", mask)
    rmask = np.zeros(ref.shape[:2], np.uint8)
    rmask[:10] = 255
    write_image(d / "rm.png", rmask)
    assert main(["transfer", str(d / "img.png"), str(d / "ref.png"), "-o", str(d / "o.png"),
                 "--mask", str(d / "m.png"), "--reference-mask", str(d / "rm.png"),
                 "--lut-out", str(d / "g.cube")]) == 0
    out = read_image(d / "o.png")
    np.testing.assert_array_equal(out[mask == 0], img[mask == 0])
    expect = transfer(img, ref, "reinhard", mask=mask > 0, reference_mask=rmask > 0)
    np.testing.assert_array_equal(out, expect)
    assert read_cube(d / "g.cube").shape == (33, 33, 33, 3)
    # the LUT holds the grade: applied to the image it reproduces it inside the mask
    assert main(["lut", "apply", str(d / "g.cube"), str(d / "img.png"), "-o",
                 str(d / "l.png")]) == 0
    via_lut = read_image(d / "l.png").astype(int)
    np.testing.assert_array_equal(via_lut, apply_lut(img, d / "g.cube"))
    # (random noise with a saturated reference goes far out of gamut: the 33-point LUT is
    # close but not within 1 level everywhere; tests/test_lut.py checks photos within 1)
    err = np.abs(via_lut[mask > 0] - out[mask > 0])
    assert err.mean() < 0.5 and err.max() <= 5


def test_set_options_and_errors(files, capsys):
    d, _, _ = files
    args = [str(d / "img.png"), str(d / "ref.png"), "-o", str(d / "o.png")]
    assert main(["transfer", *args, "--method", "histogram", "--set", "n_bins=256",
                 "--set", "mode=binned", "--keep-luminance"]) == 0
    args[-1] = str(d / "o2.png")  # paths are checked first: a fresh name reaches the fit
    assert main(["transfer", *args, "--method", "histogram", "--set", "n_bins=abc"]) == 2
    assert "n_bins" in capsys.readouterr().err
    assert main(["transfer", *args, "--set", "oops", "--overwrite"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err
    # never overwrite an existing output without --overwrite, never the reference
    assert main(["transfer", *args[:-1], str(d / "o.png")]) == 2
    assert not (d / "o2.png").exists()  # the failed runs wrote nothing
    assert main(["transfer", str(d / "img.png"), str(d / "ref.png"), "-o",
                 str(d / "ref.png"), "--overwrite"]) == 2
    assert "reference" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["transfer", *args, "--method", "mvgd"])
    assert main(["transfer", *args, "--overwrite", "--lut-out", str(d / "x.txt")]) == 2


def test_lut_apply_bad_cube(files, capsys):
    d, _, _ = files
    (d / "bad.cube").write_text("hello\n")
    assert main(["lut", "apply", str(d / "bad.cube"), str(d / "img.png"), "-o",
                 str(d / "o.png")]) == 2
    assert "LUT_3D_SIZE" in capsys.readouterr().err


def test_out_of_core_equals_the_in_memory_transfer(files):
    """--out-of-core: .npy / TIFF band by band; below the sample size it is exact."""
    import tifffile

    d, img, ref = files
    np.save(d / "scan.npy", img)
    assert main(["transfer", str(d / "scan.npy"), str(d / "ref.png"), "-o",
                 str(d / "out.tif"), "--out-of-core", "--method", "mkl", "--quiet"]) == 0
    expected = transfer(img, ref, "mkl")
    np.testing.assert_array_equal(tifffile.imread(d / "out.tif"), expected)
    assert main(["transfer", str(d / "out.tif"), str(d / "ref.png"), "-o",
                 str(d / "back.npy"), "--out-of-core", "--quiet"]) == 0
    np.testing.assert_array_equal(np.load(d / "back.npy"), transfer(expected, ref, "reinhard"))


@pytest.mark.parametrize(("extra", "message"), [
    (["--method", "histogram"], "works with --method reinhard, mkl, palette, idt, sot"),
    (["--lut-out", "g.cube"], "cannot be combined with --lut-out"),
    (["-o", "out.png"], "is not one"),
])
def test_out_of_core_refuses_what_it_cannot_do(files, capsys, extra, message):
    d, img, _ = files
    np.save(d / "scan.npy", img)
    args = ["transfer", str(d / "scan.npy"), str(d / "ref.png"), "--out-of-core"]
    if "-o" not in extra:
        args += ["-o", str(d / "out.tif")]
    args += [str(d / a) if a.endswith((".cube", ".png")) else a for a in extra]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not (d / "out.tif").exists()
