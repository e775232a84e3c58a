"""The one thread policy: set_num_threads / CHROMA_NUM_THREADS, no load-average rule."""

import os
import subprocess
import sys

import numpy as np
import pytest

import chroma
from chroma._core import parallel


@pytest.fixture(autouse=True)
def _restore():
    yield
    parallel.set_num_threads(None)


def test_set_num_threads_returns_previous_and_validates():
    cores = parallel.get_num_threads()
    assert chroma.set_num_threads(1) == cores
    assert chroma.get_num_threads() == 1
    assert chroma.set_num_threads(10_000) == 1
    assert chroma.get_num_threads() == parallel._cores()  # capped at Numba's pool
    with pytest.raises(TypeError, match="integer"):
        chroma.set_num_threads(1.5)
    with pytest.raises(TypeError, match="integer"):
        chroma.set_num_threads(True)
    with pytest.raises(ValueError, match=">= 1, got 0"):
        chroma.set_num_threads(0)


def test_env_var_sets_the_default_and_is_checked(monkeypatch):
    monkeypatch.setenv("CHROMA_NUM_THREADS", "1")
    assert parallel.get_num_threads() == 1
    chroma.set_num_threads(2)
    assert parallel.get_num_threads() == min(2, parallel._cores())  # the call wins
    chroma.set_num_threads(None)
    assert parallel.get_num_threads() == 1
    monkeypatch.setenv("CHROMA_NUM_THREADS", "0")
    with pytest.raises(ValueError, match="CHROMA_NUM_THREADS"):
        parallel.get_num_threads()


def test_sized_kernels_run_on_the_chosen_threads_whatever_the_load(monkeypatch):
    import numba

    seen = []
    run = parallel.sized(lambda x: seen.append(numba.get_num_threads()))
    big = np.zeros((parallel.PARALLEL_MIN_PIXELS, 3), np.float32)
    small = big[: parallel.PARALLEL_MIN_PIXELS - 1]
    monkeypatch.setattr(os, "getloadavg", lambda: (1e3, 1e3, 1e3), raising=False)
    before = numba.get_num_threads()
    run(big)
    run(small)
    chroma.set_num_threads(1)
    run(big)
    assert seen == [numba.config.NUMBA_NUM_THREADS, 1, 1]
    assert numba.get_num_threads() == before  # restored after each call


def test_setting_threads_does_not_import_numba_and_env_reaches_kernels():
    code = (
        "import sys, chroma; chroma.set_num_threads(1); assert 'numba' not in sys.modules; "
        "import numpy as np; from chroma.spaces import convert; "
        "import numba; from chroma._core import parallel as p; seen = [];"
        "run = p.sized(lambda x: seen.append(numba.get_num_threads()));"
        "run(np.zeros((p.PARALLEL_MIN_PIXELS, 3))); print(seen[0], numba.config.THREADING_LAYER)"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.split() == ["1", parallel.THREADING_LAYER]
    env["CHROMA_NUM_THREADS"] = "1"
    code = code.replace("chroma.set_num_threads(1); ", "")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.split()[0] == "1"


def test_user_threading_layer_wins():
    code = ("from chroma._core.parallel import numba_module; "
            "print(numba_module().config.THREADING_LAYER)")
    env = {**os.environ, "NUMBA_THREADING_LAYER": "omp"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.strip() == "omp"
