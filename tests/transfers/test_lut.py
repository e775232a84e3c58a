"""3-D LUTs: kernels vs twins, .cube files, and LUTs that reproduce the direct transfer."""

import numpy as np
import pytest

from chroma.datasets import sample
from chroma.transfers import MKLTransfer, ReinhardTransfer, apply_lut, read_cube, write_cube
from chroma.transfers import _lut_kernels as K
from chroma.transfers import lut as L
from chroma.transfers.lut import identity_lut


@pytest.mark.parametrize("method", ["trilinear", "tetrahedral"])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_kernel_equals_numpy_twin(rng, method, dtype):
    lut = rng.random((7, 7, 7, 3)).astype(np.float32)
    x = rng.random((6000, 4))
    if np.dtype(dtype).kind == "u":
        top = np.iinfo(dtype).max
        x = np.rint(x * top).astype(dtype)
        scale, out_scale, rint = 1.0 / top, float(top), True
    else:
        x = (x * 1.2 - 0.1).astype(dtype)  # out-of-range values are clamped
        scale, out_scale, rint = 1.0, 1.0, False
    x[:7, :3] = np.array([[0, 0, 0], [1, 1, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0],
                          [0.5, 0.5, 0.5]]) / scale  # corners, gray axis, ties
    a, b = np.empty_like(x), np.empty_like(x)
    tetra = method == "tetrahedral"
    K.apply(x, lut, tetra, scale, a, out_scale, rint)
    L._np_apply(x, lut, tetra, scale, b, out_scale, rint)
    np.testing.assert_allclose(a.astype(float), b.astype(float), atol=1e-5 * out_scale)
    np.testing.assert_array_equal(a[:, 3], x[:, 3])


@pytest.mark.parametrize("method", ["trilinear", "tetrahedral"])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_identity_lut_is_identity(rng, method, dtype):
    img = rng.random((150, 120, 4))  # large enough for the Numba path
    img = np.rint(img * np.iinfo(dtype).max).astype(dtype) if dtype != np.float32 else \
        img.astype(dtype)
    out = apply_lut(img, identity_lut(9), method=method)
    assert out.dtype == dtype
    np.testing.assert_allclose(out.astype(float), img.astype(float), atol=1e-5)
    small = apply_lut(img[:5, :5], identity_lut(9), method=method)  # NumPy path
    np.testing.assert_allclose(small.astype(float), img[:5, :5].astype(float), atol=1e-5)


def test_affine_lut_is_exact_and_tetrahedral_keeps_gray_axis(rng):
    m = np.array([[0.8, 0.1, 0.05], [0.0, 0.7, 0.1], [0.1, 0.1, 0.6]])
    lut = (identity_lut(5).reshape(-1, 3) @ m.T + 0.05).reshape(5, 5, 5, 3)
    x = rng.random((40, 40, 3))
    for method in ("trilinear", "tetrahedral"):
        np.testing.assert_allclose(apply_lut(x, lut, method=method), x @ m.T + 0.05, atol=1e-5)
    noisy = rng.random((5, 5, 5, 3)).astype(np.float32)
    g = np.linspace(0, 1, 9)[:, None].repeat(3, 1)[None]  # gray pixels
    out = apply_lut(g, noisy, method="tetrahedral")[0]
    diag = noisy[np.arange(5), np.arange(5), np.arange(5)]
    expect = np.stack([np.interp(g[0, :, 0], np.linspace(0, 1, 5), diag[:, c]) for c in range(3)],
                      -1)
    np.testing.assert_allclose(out, np.clip(expect, 0, 1), atol=1e-6)


@pytest.mark.parametrize("est", [MKLTransfer(), MKLTransfer(space="lab"), ReinhardTransfer(),
                                 ReinhardTransfer(space="rgb")], ids=repr)
@pytest.mark.parametrize("method", ["trilinear", "tetrahedral"])
def test_lut_reproduces_direct_transfer_within_one_level(est, method):
    img = sample("coffee")[::3, ::3]
    ref = sample("chelsea")[::3, ::3]
    est.fit(ref)
    direct = est.transform(img).astype(int)
    via_lut = apply_lut(img, est.to_lut(33, image=img), method=method).astype(int)
    assert np.abs(direct - via_lut).max() <= 1


def test_image_independent_lut_needs_image_for_stat_methods(rng):
    est = ReinhardTransfer().fit(rng.random((5, 5, 3)))
    with pytest.raises(ValueError, match="pass image="):
        est.to_lut(17)
    with pytest.raises(ValueError, match="size"):
        est.to_lut(1, image=rng.random((5, 5, 3)))


def test_cube_round_trip_and_layout(tmp_path, rng):
    lut = rng.random((4, 4, 4, 3)).astype(np.float32)
    path = tmp_path / "g.cube"
    write_cube(path, lut, title="test")
    back = read_cube(path)
    np.testing.assert_allclose(back, lut, atol=1e-6)
    rows = [r for r in path.read_text().splitlines() if r and r[0].isdigit()]
    assert len(rows) == 64
    # red varies fastest: row 1 is lut[1, 0, 0], row 4 is lut[0, 1, 0]
    np.testing.assert_allclose([float(v) for v in rows[1].split()], lut[1, 0, 0], atol=1e-6)
    np.testing.assert_allclose([float(v) for v in rows[4].split()], lut[0, 1, 0], atol=1e-6)
    img = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    np.testing.assert_array_equal(apply_lut(img, str(path)), apply_lut(img, back))
    with pytest.raises(FileExistsError):  # never replaced unless asked
        write_cube(path, lut)
    write_cube(path, lut * 0.5, overwrite=True)
    np.testing.assert_allclose(read_cube(path), lut * 0.5, atol=1e-6)


def test_read_cube_accepts_comments_and_rejects_bad_files(tmp_path):
    good = tmp_path / "c.cube"
    body = "\n".join(f"{r} {g} {b}" for b in (0, 1) for g in (0, 1) for r in (0, 1))
    good.write_text(f'# comment\nTITLE "x"\n\nLUT_3D_SIZE 2\n{body}\n')
    np.testing.assert_allclose(read_cube(good), identity_lut(2))
    cases = {
        "no LUT_3D_SIZE": body,
        "LUT_1D_SIZE": "LUT_1D_SIZE 2\n0 0 0\n1 1 1",
        "needs 8 rows": "LUT_3D_SIZE 2\n0 0 0",
        "DOMAIN_MAX": f"LUT_3D_SIZE 2\nDOMAIN_MAX 2 2 2\n{body}",
        "expected 3 numbers": "LUT_3D_SIZE 2\n0 0\n" + body,
    }
    for i, (match, text) in enumerate(cases.items()):
        bad = tmp_path / f"bad{i}.cube"
        bad.write_text(text)
        with pytest.raises(ValueError, match=match):
            read_cube(bad)


def test_apply_lut_errors(rng):
    img = rng.random((4, 4, 3))
    with pytest.raises(ValueError, match="method="):
        apply_lut(img, identity_lut(3), method="cubic")
    with pytest.raises(ValueError, match="shape"):
        apply_lut(img, np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match="channels"):
        apply_lut(img[..., 0], identity_lut(3), channel_axis=None)


def test_apply_lut_keeps_alpha_and_channel_axis(rng):
    img = rng.integers(0, 256, (4, 6, 5), dtype=np.uint8)
    out = apply_lut(img, 1 - identity_lut(2), channel_axis=0)
    assert out.shape == img.shape
    np.testing.assert_array_equal(out[3], img[3])
    np.testing.assert_array_equal(out[:3], 255 - img[:3])
