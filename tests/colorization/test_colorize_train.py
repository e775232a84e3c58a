"""Smoke training (a few steps on tiny crops), export, hash-checked loading."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from chroma.colorization import colorize_prior  # noqa: E402
from chroma.colorization import train as T  # noqa: E402
from chroma.colorization._infer import load_model  # noqa: E402
from chroma.datasets import sample  # noqa: E402
from chroma.io import write_image  # noqa: E402


@pytest.fixture(scope="module")
def photo_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    for name in ("coffee", "chelsea", "rocket", "astronaut"):
        write_image(folder / f"{name}.png", sample(name)[::4, ::4])
    return folder


@pytest.fixture(scope="module", params=["ce", "l2"])
def trained(request, photo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"run_{request.param}")
    args = T.parse_args([
        "--data", str(photo_dir), "--out", str(out), "--head", request.param,
        "--width", "8", "--crop", "32", "--preload", "64", "--batch", "2",
        "--max-steps", "3", "--epochs", "10", "--holdout", "1", "--threads", "1",
        "--eval-every", "100", "--quiet", "--p-local", "1.0", "--p-global", "1.0",
    ])
    last = T.train(args)
    return request.param, out, last


def test_smoke_training_writes_log_and_checkpoints(trained):
    head, out, last = trained
    assert last.is_file() and (out / "best.pt").is_file()
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert log and log[-1]["step"] == 3
    assert all(np.isfinite(e["train_loss"]) for e in log)
    assert "val_ab_rmse" in log[-1]  # the held-out photo was evaluated
    config = json.loads((out / "config.json").read_text())
    assert config["head"] == head and config["train_files"] == 3
    assert len(config["val_files"]) == 1


def test_training_is_seeded(photo_dir, tmp_path):
    losses = []
    for run in ("a", "b"):
        args = T.parse_args([
            "--data", str(photo_dir), "--out", str(tmp_path / run), "--width", "8",
            "--crop", "32", "--preload", "64", "--batch", "2", "--max-steps", "1",
            "--holdout", "0", "--threads", "1", "--quiet", "--seed", "3",
        ])
        T.train(args)
        log = (tmp_path / run / "log.jsonl").read_text().splitlines()
        losses.append(json.loads(log[-1])["train_loss"])
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)


def test_export_load_and_colorize(trained, tmp_path):
    head, _out, last = trained
    target = tmp_path / "w.pt"
    record = T.export(last, target)
    assert record["sha256"] and (tmp_path / "w.json").is_file()
    model = load_model(target)
    assert model.head == head
    assert all(v.dtype == torch.float32 for v in model.net.state_dict().values()
               if v.is_floating_point())
    gray = sample("coffee")[::8, ::8].mean(-1).astype(np.uint8)
    rgb = colorize_prior(gray, weights=target)
    assert rgb.shape == (*gray.shape, 3) and rgb.dtype == np.uint8


def test_tampered_weights_fail_the_hash_check(trained, tmp_path):
    _, _, last = trained
    target = tmp_path / "w.pt"
    T.export(last, target)
    data = bytearray(target.read_bytes())
    data[-10] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(OSError, match="SHA-256"):
        load_model(target)


def test_missing_record_is_a_clear_error(trained, tmp_path):
    _, _, last = trained
    target = tmp_path / "w.pt"
    T.export(last, target)
    target.with_suffix(".json").unlink()
    with pytest.raises(FileNotFoundError, match="record"):
        load_model(target)


def test_cli_requires_data(capsys):
    with pytest.raises(SystemExit):
        T.parse_args(["--out", "x"])
    assert "--data" in capsys.readouterr().err


def test_batchnorm_folding_keeps_outputs(trained):
    from chroma.colorization._infer import build_net, fold_batchnorm

    _, _, last = trained
    blob = torch.load(last, weights_only=True)
    net = build_net(blob["config"], len(blob["bins"]))
    net.load_state_dict(blob["state_dict"])
    net.eval()
    gen = torch.Generator().manual_seed(0)
    # give the BatchNorms non-trivial statistics so that folding has work to do
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5, generator=gen)
            m.running_var.uniform_(0.5, 2.0, generator=gen)
    x = torch.randn(1, 5, 32, 40, generator=gen)
    hist = torch.rand(1, len(blob["bins"]), generator=gen)
    with torch.no_grad():
        ref = net(x, hist)
        fold_batchnorm(net)
        out = net(x, hist)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())
    torch.testing.assert_close(out, ref, rtol=1e-4, atol=1e-4)
