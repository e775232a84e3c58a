"""Trainer v2 (issue 12): simulated user hints, warm start with a hint branch, portable record."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from chroma.colorization import train as T  # noqa: E402
from chroma.datasets import sample  # noqa: E402
from chroma.io import write_image  # noqa: E402


def test_hint_counts_follow_the_ideepcolor_style_mixture():
    rng = np.random.default_rng(0)
    n = np.array([T.n_hint_points(rng) for _ in range(4000)])
    assert n.min() >= 1 and n.max() <= 160
    assert 0.55 < np.mean(n <= 20) < 0.9  # most samples: 1-20 points
    assert np.mean(n >= 60) > 0.03  # some dense hinting


def test_hints_are_patch_means_of_the_truth_with_a_mask():
    rng = np.random.default_rng(1)
    lab = torch.randn(6, 3, 40, 40) * 20
    hint, mask = T.make_hints(torch, lab, 1.0, rng)
    assert mask.sum() > 0 and set(np.unique(mask.numpy())) <= {0.0, 1.0}
    # outside the mask no hint; inside, each hinted value lies within the truth's range
    assert torch.all(hint[mask.expand_as(hint) == 0] == 0)
    none, none_mask = T.make_hints(torch, lab, 0.0, rng)
    assert none_mask.sum() == 0 and none.abs().sum() == 0
    # a constant patch gives its own value exactly
    flat = torch.zeros(1, 3, 20, 20)
    flat[:, 1] = 30.0
    flat[:, 2] = -10.0
    h, m = T.make_hints(torch, flat, 1.0, np.random.default_rng(2))
    sel = m[0, 0] > 0
    assert torch.allclose(h[0, 0][sel], torch.tensor(30.0))
    assert torch.allclose(h[0, 1][sel], torch.tensor(-10.0))


@pytest.fixture(scope="module")
def photo_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("machine") / "shared" / "photos"
    folder.mkdir(parents=True)
    for name in ("coffee", "chelsea", "rocket", "astronaut"):
        write_image(folder / f"{name}.png", sample(name)[::4, ::4])
    return folder


def test_warm_start_with_a_new_hint_branch_and_a_portable_record(photo_dir, tmp_path):
    base = ["--data", str(photo_dir), "--width", "8", "--preload", "64", "--batch", "2",
            "--max-steps", "2", "--holdout", "1", "--threads", "1", "--quiet",
            "--eval-every", "100"]
    first = T.train(T.parse_args([*base, "--out", str(tmp_path / "a"), "--crop", "32",
                                  "--hint-branch", "0"]))
    # the cpu2 recipe adds the zero-initialized hint branch and several crop sizes
    second = T.train(T.parse_args([*base, "--out", str(tmp_path / "b"), "--recipe", "cpu2",
                                   "--crops", "32,40", "--init", str(first)]))
    blob = torch.load(second, weights_only=True)
    assert any(k.startswith("hint_branch.") for k in blob["state_dict"])
    record = T.export(second, tmp_path / "w.pt", command="python -m chroma.colorization.train ...")
    text = (tmp_path / "w.json").read_text()
    assert str(tmp_path) not in text and str(photo_dir) not in text
    assert record["config"]["data"] == "photos"
    assert record["command"].startswith("python -m chroma.colorization.train")
    assert json.loads(text)["config"]["hint_branch"] == 1
    # an init that does not fit is a clear error
    with pytest.raises(ValueError, match="does not fit"):
        T.train(T.parse_args([*base, "--out", str(tmp_path / "c"), "--crop", "32",
                              "--width", "16", "--init", str(first)]))
