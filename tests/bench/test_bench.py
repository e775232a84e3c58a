"""The benchmark harness and ``chroma bench``: a tiny run, its report and its JSON.

Needs no peer package: the contenders are chroma and scikit-image, plus fakes
that are missing or fail. Sizes are tiny (0.01 MP); nothing here is timed.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from chroma.bench import adapters as metrics
from chroma.bench import harness, report
from chroma.bench.harness import Case
from chroma.cli import main

TINY = (0.01,)


def _inputs_from(mp: pytest.MonkeyPatch, folder) -> None:
    """Timing inputs from `folder` (the eval photos' place), caches emptied."""
    mp.setenv("CHROMA_EVAL_DIR", str(folder))
    mp.setattr(harness, "_BASE_CACHE", {})
    mp.setattr(harness, "_INPUT_CACHE", {})


def _chroma(img, ref):
    from chroma.spaces import convert

    return convert(convert(img, "rgb", "lab"), "lab", "rgb")


def _skimage(img, ref):
    from skimage.color import lab2rgb, rgb2lab

    return lab2rgb(rgb2lab(img))


def _boom(img, ref):
    raise RuntimeError("boom")


def _needs_ghost(img, ref):
    import chroma_bench_ghost_module  # noqa: F401

    return img


def _tiny_case(**kw) -> Case:
    fields = dict(
        task="round trip (test)",
        contenders={
            "chroma": _chroma,
            "scikit-image": _skimage,
            "ghost": lambda img, ref: img,
            "late ghost": _needs_ghost,
            "broken": _boom,
        },
        sizes_mp=TINY,
        dtype="float32",
        quality=(metrics.ciede2000_mean_to_image, metrics.ciede2000_max_to_image),
        requires={"ghost": "chroma_bench_no_such_module"},
        repeats=3,
        inputs="single",
    )
    fields.update(kw)
    return Case(**fields)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    case = _tiny_case()
    case.module = "test"
    with pytest.MonkeyPatch.context() as mp:  # the bundled samples, whatever this machine has
        _inputs_from(mp, tmp_path_factory.mktemp("no-eval") / "missing")
        results, thumbs = harness.run_cases([case], log=lambda s: None, command="pytest")
    out = tmp_path_factory.mktemp("bench")
    path = report.write_report(results, thumbs, out)
    return results, thumbs, path


def test_no_pictures_of_the_evaluation_photos(tmp_path):
    # the eval photos are not redistributable: with them, no thumbnail and no contact sheet
    from chroma.datasets import sample
    from chroma.io import write_image

    for name in harness.PITIE_PAIR:
        write_image(tmp_path / name, sample("coffee")[::8, ::8])
    with pytest.MonkeyPatch.context() as mp:
        _inputs_from(mp, tmp_path)
        assert not harness.inputs_public()
        results, thumbs = harness.run_cases([_tiny_case()], log=lambda s: None)
        assert "not redistributed" in results["inputs"]
    assert thumbs == {} or all(not t for t in thumbs.values())
    path = report.write_report(results, thumbs, tmp_path / "out")
    assert not list((path.parent / "figures").glob("*-sheet.jpg"))
    assert "-sheet.jpg" not in path.read_text(encoding="utf-8")


def test_harness_measures_every_contender_or_says_why_not(tiny_run):
    results, _, _ = tiny_run
    (case,) = results["cases"]
    assert case["baseline"] == "chroma"
    (size,) = case["sizes"]
    assert 0.008 < size["mp"] < 0.012
    res = size["contenders"]
    assert list(res) == ["chroma", "scikit-image", "ghost", "late ghost", "broken"]
    for name in ("chroma", "scikit-image"):
        r = res[name]
        assert r["status"] == "ok"
        assert len(r["times_s"]) == 3 and all(t > 0 for t in r["times_s"])
        assert r["min_s"] <= r["q1_s"] <= r["median_s"] <= r["q3_s"] <= r["max_s"]
        assert r["peak_mib"] is not None and r["peak_mib"] >= 0
        # a round trip through Lab is nearly lossless in both libraries
        assert 0 <= r["quality"]["ΔE00 mean vs input"] < 1e-3
        assert r["quality"]["ΔE00 max vs input"] >= r["quality"]["ΔE00 mean vs input"]
    assert res["chroma"]["ratio"] == 1.0
    assert res["scikit-image"]["ratio"] == pytest.approx(
        res["scikit-image"]["median_s"] / res["chroma"]["median_s"]
    )
    assert res["ghost"]["status"] == "missing"
    assert res["ghost"]["error"] == "missing (not installed): chroma_bench_no_such_module"
    assert res["late ghost"]["status"] == "missing"
    assert "chroma_bench_ghost_module" in res["late ghost"]["error"]
    assert res["broken"]["status"] == "failed"
    assert res["broken"]["error"] == "failed: RuntimeError: boom"
    for name in ("ghost", "late ghost", "broken"):
        assert res[name]["ratio"] is None and "times_s" not in res[name]


def test_report_and_json_say_everything(tiny_run):
    results, thumbs, path = tiny_run
    text = path.read_text(encoding="utf-8")
    assert "# chroma benchmarks" in text and "Noise warning" in text
    assert "| size | contender | median | IQR | ratio to chroma | peak memory |" in text
    assert "ΔE00 mean vs input ↓" in text
    assert "missing (not installed): chroma_bench_no_such_module" in text
    assert "failed: RuntimeError: boom" in text
    rows = [line for line in text.splitlines() if line.startswith("| 0.01 MP")]
    assert len(rows) == 5
    assert "| chroma | " in rows[0] and "1.00×" in rows[0] and "MiB" in rows[0]
    data = json.loads((path.parent / "results.json").read_text(encoding="utf-8"))
    assert data["command"] == "pytest"
    assert data["cases"][0]["sizes"][0]["contenders"]["ghost"]["status"] == "missing"
    assert data["cases"][0]["sizes"][0]["contenders"]["chroma"]["times_s"] == (
        results["cases"][0]["sizes"][0]["contenders"]["chroma"]["times_s"]
    )
    figures = sorted(p.name for p in (path.parent / "figures").iterdir())
    assert any(f.endswith("-time.png") for f in figures)
    assert any(f.endswith("-quality.png") for f in figures)
    assert any(f.endswith("-sheet.jpg") for f in figures)
    for name in figures:
        assert f"figures/{name}" in text
    # contact-sheet thumbnails: the input and every contender that ran
    th = thumbs["test: round trip (test)"]
    assert {"input", "chroma", "scikit-image"} <= set(th)
    assert th["chroma"].dtype == np.uint8 and th["chroma"].shape[-1] == 3


def test_calls_are_interleaved_after_a_warm_up_on_fresh_copies():
    calls = []

    def make(name):
        def fn(img, ref):
            calls.append((name, img.dtype, img.shape, ref.shape, float(img[0, 0, 0])))
            img[0, 0, 0] = 99  # vandalism must not reach the next call
            return img

        return fn

    case = Case(task="order", contenders={n: make(n) for n in "abc"}, sizes_mp=TINY,
                dtype="uint16", repeats=3)
    result, _ = harness.run_case(case, log=lambda s: None)
    names = [c[0] for c in calls]
    # warm-up a b c; rounds rotated: a b c, b c a, c a b; then one memory call each
    assert names == list("abc" + "abc" + "bca" + "cab" + "abc")
    assert {c[1] for c in calls} == {np.dtype(np.uint16)}
    assert len({c[4] for c in calls}) == 1 and calls[0][4] != 99
    # image and reference have the case's size (their aspect ratios may differ: without the
    # evaluation photos the inputs are two bundled samples of different shapes)
    for c in calls:
        assert abs(c[2][0] * c[2][1] - c[3][0] * c[3][1]) <= 0.05 * c[2][0] * c[2][1]
    assert result["sizes"][0]["contenders"]["b"]["ratio"] > 0


def test_time_budget_and_quick_skip():
    import time

    def slow(img, ref):
        time.sleep(0.3)
        return img

    def medium(img, ref):
        time.sleep(0.06)
        return img

    case = Case(
        task="budget",
        contenders={"chroma": lambda img, ref: img, "medium": medium, "slow": slow,
                    "skipped": slow},
        sizes_mp=TINY,
        quality=(metrics.ciede2000_mean_to_image,),
        quick_skip=("skipped",),
        repeats=5,
    )
    result, _ = harness.run_case(case, quick=True, budget_s=0.2, log=lambda s: None)
    res = result["sizes"][0]["contenders"]
    assert len(res["chroma"]["times_s"]) == 5
    assert 1 <= len(res["medium"]["times_s"]) <= 4  # stops once ~0.2 s of ~0.06 s calls
    assert len(res["slow"]["times_s"]) == 1  # always at least one timed call
    assert res["slow"]["peak_mib"] is None and res["medium"]["peak_mib"] is not None
    assert res["slow"]["quality"]["ΔE00 mean vs input"] == 0.0
    assert res["skipped"]["status"] == "skipped" and "--quick" in res["skipped"]["error"]
    table = "\n".join(report._table(result))
    assert "(n=1)" in table and "not measured" in table and "skipped in --quick" in table
    with pytest.raises(ValueError, match="quick_skip"):
        Case(task="x", contenders={"chroma": _chroma}, quick_skip=("ghost",))


def test_case_validation_and_selection():
    with pytest.raises(ValueError, match="dtype"):
        Case(task="x", contenders={"chroma": _chroma}, dtype="int8")
    with pytest.raises(ValueError, match="unknown"):
        Case(task="x", contenders={"chroma": _chroma}, requires={"cv": "cv2"})
    with pytest.raises(ValueError, match="inputs"):
        Case(task="x", contenders={"chroma": _chroma}, inputs="triple")
    with pytest.raises(TypeError, match="not callable"):
        Case(task="x", contenders={"chroma": 3})
    case = _tiny_case()
    case.module = "spaces"
    assert harness.matches(case, None) and harness.matches(case, "ROUND trip")
    assert harness.matches(case, "spaces:*") and not harness.matches(case, "palette")
    cases, errors = harness.load_cases("round trip")
    assert errors == {} or all(isinstance(v, str) for v in errors.values())
    assert any(c.module == "spaces" for c in cases)
    assert all(isinstance(c, Case) and harness.matches(c, "round trip") for c in cases)


def test_inputs_resized_converted_and_fall_back_to_samples(monkeypatch, tmp_path):
    monkeypatch.setenv("CHROMA_EVAL_DIR", str(tmp_path / "absent"))
    monkeypatch.setattr(harness, "_BASE_CACHE", {})
    monkeypatch.setattr(harness, "_INPUT_CACHE", {})
    assert harness.find_eval_dir() is None
    img, ref = harness.make_inputs(0.02, "float32")
    assert "bundled samples" in harness.base_pair()[2]
    assert img.dtype == np.float32 and 0 <= img.min() and img.max() <= 1
    assert img.shape[0] * img.shape[1] == pytest.approx(20_000, rel=0.02)
    assert ref.shape[0] * ref.shape[1] == pytest.approx(20_000, rel=0.02)
    assert not img.flags.writeable
    assert harness.make_inputs(0.02, "float32")[0] is img  # cached
    img16, _ = harness.make_inputs(0.02, "uint16")
    np.testing.assert_allclose(img16 / 65535.0, img, atol=1e-6)


def test_quality_over_further_pairs(monkeypatch, tmp_path):
    monkeypatch.setenv("CHROMA_EVAL_DIR", str(tmp_path / "absent"))
    monkeypatch.setattr(harness, "_PAIR_SET_CACHE", {})
    monkeypatch.setattr(harness, "PAIRS_MP", 0.01)
    seen = []

    def spy(img, ref):
        seen.append(img.shape)
        return _chroma(img, ref)

    case = _tiny_case(contenders={"chroma": spy, "broken": _boom}, requires={}, repeats=1)
    result, _ = harness.run_case(case, pairs=3, log=lambda s: None)
    qp = result["quality_pairs"]
    assert qp["pairs"] == ["astronaut → coffee", "chelsea → rocket", "coffee → chelsea"]
    assert "bundled samples" in qp["source"]
    stats = qp["contenders"]["chroma"]["ΔE00 mean vs input"]
    assert stats["n"] == 3 and 0 <= stats["min"] <= stats["mean"] <= stats["max"] < 1e-3
    assert "broken" not in qp["contenders"]  # it never ran, so it is in the main table only
    assert len(seen) == 1 + 1 + 1 + 3  # warm-up, 1 timed, memory, 3 pairs
    text = report.write_report(
        {**harness_results_stub(), "cases": [result]}, {}, tmp_path / "r"
    ).read_text(encoding="utf-8")
    assert "Quality over 3 pairs of bundled samples" in text
    assert "| chroma | " in text


def harness_results_stub() -> dict:
    return {
        "command": "stub", "started": "now", "elapsed_s": 0.0, "inputs": "stub",
        "timing": "stub", "memory_method": "stub", "versions": {}, "load_errors": {},
        "machine": harness.machine_info(),
    }


def test_peak_memory_sees_a_fresh_allocation():
    mem = harness.PeakMemory()
    out, peak = mem.measure(lambda: np.ones((40, 1024, 1024), np.uint8))
    assert out.nbytes == 40 * 2**20
    low = 38 if mem.method == "rss" else 39.9
    assert low * 2**20 <= peak <= 60 * 2**20
    _, small = mem.measure(lambda: np.ones(10))
    assert small < 5 * 2**20


def test_thumbnails_of_images_and_palettes():
    rgb = harness.thumbnail(np.random.default_rng(0).random((300, 500, 3)))
    assert rgb.dtype == np.uint8 and max(rgb.shape[:2]) == harness.THUMB_SIDE
    gray = harness.thumbnail(np.full((100, 80), 65535, np.uint16))  # small: not enlarged
    assert gray.shape == (100, 80, 3) and (gray == 255).all()
    pal = harness.thumbnail(np.array([[255, 0, 0], [0, 0, 255]], np.uint8))
    assert pal.shape[-1] == 3 and (pal[0, 0] == [255, 0, 0]).all()
    assert harness.thumbnail(np.zeros(5)) is None
    # colorthief-style list of RGB tuples; objects give no picture
    assert harness._safe_thumbnail([(255, 0, 0), (0, 255, 0)]).shape[-1] == 3
    assert harness._safe_thumbnail(object()) is None


def test_chroma_bench_command(tmp_path, capsys):
    out = tmp_path / "report"
    code = main(["bench", "--quick", "--only", "round trip, uint8", "--sizes", "0.01",
                 "--repeats", "2", "-o", str(out)])
    assert code == 0
    said = capsys.readouterr()
    assert "wrote" in said.out
    # the console names the timed photos (the bundled samples stand in for the eval ones)
    assert "chroma bench: timing inputs: the " in said.err
    assert harness.base_pair()[2] in said.err
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "chroma bench --quick --only 'round trip, uint8' --sizes 0.01" in text
    assert "| chroma |" in text and "| scikit-image |" in text
    opencv = "| OpenCV (8-bit Lab encoding, uint8 out) |"
    assert opencv in text or "missing (not installed): cv2" in text
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [c["task"] for c in data["cases"]] == ["sRGB → CIELAB → sRGB round trip, uint8"]
    assert main(["bench", "--list", "--only", "round trip"]) == 0
    assert "round trip, float32" in capsys.readouterr().out
    assert main(["bench", "--only", "no-such-case-anywhere", "-o", str(tmp_path)]) == 2
    assert "no benchmark case matches" in capsys.readouterr().err
    assert main(["bench", "--sizes", "0,1", "-o", str(tmp_path)]) == 2


def test_bench_runs_without_a_checkout(monkeypatch, tmp_path, capsys):
    # an installed wheel: no checkout around the package, no evaluation photos
    monkeypatch.setattr(harness, "REPO_ROOT", None)
    monkeypatch.delenv("CHROMA_EVAL_DIR", raising=False)
    assert harness.find_eval_dir() is None
    monkeypatch.chdir(tmp_path)
    code = main(["bench", "--quick", "--only", "round trip, uint8", "--sizes", "0.01",
                 "--repeats", "1"])
    assert code == 0
    assert (tmp_path / "chroma-bench" / "quick" / "report.md").is_file()


def test_bench_images_option(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("CHROMA_EVAL_DIR", raising=False)
    assert main(["bench", "--images", str(tmp_path / "nope"), "--list"]) == 2
    assert "--images" in capsys.readouterr().err
    monkeypatch.setenv("CHROMA_EVAL_DIR", str(tmp_path))
    assert harness.find_eval_dir() == tmp_path
