import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def sigint_kept():
    """Fails a test that leaves SIGINT ignored in this process (it was not before).

    A process started in the background by a non-interactive shell begins with SIGINT
    ignored, and Python keeps that; a test must not cause it (Dask clusters, the batch
    fork server, video encoders). Used by tests/test_batch.py, tests/test_video.py and
    tests/pipeline (``pytestmark``).
    """
    import signal

    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    yield
    if not ignored:
        assert signal.getsignal(signal.SIGINT) != signal.SIG_IGN, "this test left SIGINT ignored"
