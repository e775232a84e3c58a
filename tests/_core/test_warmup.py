"""chroma.warmup: the first call's compilation done ahead (benchmarks/first_call.py times it)."""

from __future__ import annotations

import numpy as np
import pytest

import chroma
from chroma._core.parallel import PARALLEL_MIN_PIXELS


@pytest.fixture
def calls(monkeypatch):
    """Record what warmup runs instead of compiling (the compilation is Numba's)."""
    seen = []

    def transfer(image, reference, *, method):
        seen.append((method, image.dtype, image.shape, reference.dtype, reference.shape))
        return image

    def convert(image, src, dst):
        seen.append((f"{src}->{dst}", image.dtype, image.shape, None, None))
        return image

    monkeypatch.setattr("chroma.transfers.transfer", transfer)
    monkeypatch.setattr("chroma.spaces.convert", convert)
    return seen


def test_every_step_runs_on_images_that_take_the_parallel_kernels(calls):
    times = chroma.warmup(["mkl", "histogram"], ["uint8", "float32"], progress=False)
    assert list(times) == ["uint8 convert", "uint8 mkl", "uint8 histogram",
                           "float32 convert", "float32 mkl", "float32 histogram"]
    assert all(t >= 0 for t in times.values())
    assert [c[0] for c in calls] == ["rgb->lab", "lab->rgb", "mkl", "histogram"] * 2
    for step, dtype, shape, ref_dtype, ref_shape in calls:
        assert shape[0] * shape[1] >= PARALLEL_MIN_PIXELS and shape[2] == 3, (step, shape)
        if ref_dtype is not None:
            assert ref_dtype == dtype and ref_shape == shape
    assert {c[1] for c in calls[:4]} == {np.dtype(np.uint8)}
    assert {c[1] for c in calls[4:]} == {np.dtype(np.float32)}


def test_the_default_covers_every_transfer_method(calls):
    from chroma.cli.commands.transfer import METHODS

    times = chroma.warmup(dtypes=["uint16"], progress=False)
    assert set(times) == {"uint16 convert", *(f"uint16 {m}" for m in METHODS)}
    assert {c[1] for c in calls} == {np.dtype(np.uint16)}


@pytest.mark.parametrize(("kwargs", "word"), [
    (dict(methods=["nope"]), "methods="),
    (dict(methods=["mkl"], dtypes=[]), "dtypes="),
    (dict(dtypes=["int8"]), "dtypes="),
])
def test_bad_arguments_are_named(kwargs, word):
    with pytest.raises(ValueError, match=word):
        chroma.warmup(**kwargs, progress=False)
