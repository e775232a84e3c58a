"""chroma.pipeline._stream: recipes in row tiles and passes, bit for bit the in-memory result."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import chroma
from chroma.compositing import _apply_layers
from chroma.pipeline import Pipeline
from chroma.pipeline._stream import SERIAL_TILE_PIXELS, stream_layers
from chroma.transfers import HistogramMatcher, ReinhardTransfer
from chroma.transfers._tiled import streamed_operator

pytestmark = pytest.mark.usefixtures("sigint_kept")  # tests/conftest.py

H, W = 400, 1024  # 409 600 pixels (histogram matching's large-image paths): 7 tiles of 64 Ki


@pytest.fixture(scope="module")
def photo():
    """A natural image of H x W (the bundled astronaut and its mirror image)."""
    a = chroma.datasets.sample("astronaut")
    return np.ascontiguousarray(np.hstack([a, a[:, ::-1]])[:H, :W])


@pytest.fixture(scope="module")
def reference():
    return chroma.datasets.sample("coffee")


@pytest.fixture
def one_thread():
    previous = chroma.set_num_threads(1)
    yield
    chroma.set_num_threads(None)
    del previous


def _layers(reference, *, strength=0.7, mode="normal", hist=None, first=None):
    first = first or ReinhardTransfer().fit(reference)
    hist = hist or HistogramMatcher().fit(reference)
    return [(first, None, "normal", 1.0), (hist, None, mode, strength)]


class Copy:
    """A per-pixel first step with a tile operator that returns its input unchanged."""

    def fit(self, reference=None):
        return self

    def transform(self, image):
        return np.array(image)

    def _transform_image(self, arr, sel):
        return arr.copy()

    def _tile_operator(self, arr, sel):
        return lambda tile: tile.copy()


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("tile_pixels", [SERIAL_TILE_PIXELS, 100_000, H * W])
def test_streamed_recipe_equals_in_memory_bit_for_bit(photo, reference, dtype, tile_pixels):
    img = {np.uint8: photo, np.uint16: photo.astype(np.uint16) * 257,
           np.float32: photo.astype(np.float32) / 255}[dtype]
    layers = _layers(reference)
    want = _apply_layers(img, layers)
    got = stream_layers(img, layers, tile_pixels=tile_pixels)
    assert got is not None and got.dtype == img.dtype and got.shape == img.shape
    np.testing.assert_array_equal(got, want)
    assert not np.array_equal(got, img)


@pytest.mark.parametrize("strength,mode,hist_mode", [
    (1.0, "normal", "auto"), (0.3, "chroma", "auto"), (0.7, "normal", "binned"),
])
def test_streamed_variants_equal_in_memory(photo, reference, strength, mode, hist_mode):
    hist = HistogramMatcher(mode=hist_mode, n_bins=512, strength=0.9).fit(reference)
    layers = _layers(reference, strength=strength, mode=mode, hist=hist)
    layers.append((HistogramMatcher().fit(photo[::-1]), None, "normal", 0.5))  # a third step
    np.testing.assert_array_equal(stream_layers(photo, layers, tile_pixels=70_000),
                                  _apply_layers(photo, layers))


def test_levels_pure_then_mixed_in_a_later_tile(reference):
    """Tiles on the 8-bit grid (the sort-free exact map) until one holds other values."""
    rng = np.random.default_rng(3)
    img = (rng.integers(0, 256, (H, W, 3)) / 255).astype(np.float32)
    layers = _layers(reference, first=Copy())
    np.testing.assert_array_equal(stream_layers(img, layers, tile_pixels=SERIAL_TILE_PIXELS),
                                  _apply_layers(img, layers))  # pure everywhere: levels
    img[-20:] = rng.random((20, W, 3), dtype=np.float32)  # the last tile mixes buckets
    np.testing.assert_array_equal(stream_layers(img, layers, tile_pixels=SERIAL_TILE_PIXELS),
                                  _apply_layers(img, layers))  # binned, as in memory


def test_recipes_it_cannot_stream_run_in_memory(photo, reference):
    layers = _layers(reference)
    mask = np.ones((H, W), np.float32)
    rgba = np.dstack([photo, np.full((H, W), 255, np.uint8)])
    cases = {
        "one step": layers[:1],
        "masked second step": [layers[0], (layers[1][0], mask, "normal", 1.0)],
        "pyramid blend": [layers[0], (layers[1][0], None, "pyramid", 0.5)],
        "first step at half strength": [(layers[0][0], None, "normal", 0.5), layers[1]],
        "second step without mergeable statistics": [layers[0], layers[0]],
        "exact float sort": [layers[0], (HistogramMatcher(mode="exact").fit(reference),
                                         None, "normal", 1.0)],
    }
    for name, case in cases.items():
        assert stream_layers(photo, case) is None, name
    assert stream_layers(rgba, layers) is None
    assert stream_layers(photo[:100, :100], layers) is None  # one tile: nothing to save


def test_pipeline_transform_streams_with_bounded_memory(photo, reference, one_thread):
    """Peak traced allocations (NumPy reports each array): the whole-image float copies
    of each step are gone, and so is the float32 working copy of the first step's
    statistics pass (4x; its moments are gathered a few blocks at a time): what is left
    is the output (1x) and tile-sized temporaries (2.9x measured). Binned matching: the
    sort-free path's bucket tables (11 MB whatever the image size) would dominate at
    this small size."""
    pipe = Pipeline([("grade", ReinhardTransfer()),
                     ("match", HistogramMatcher(mode="binned"), {"strength": 0.7})]
                    ).fit(reference)
    layers = [(s.estimator, None, s.mode, s.strength) for s in pipe.steps]

    def peak(fn):
        fn()  # compile and warm the caches first
        tracemalloc.start()
        try:
            out = fn()
            return out, tracemalloc.get_traced_memory()[1] / photo.nbytes
        finally:
            tracemalloc.stop()

    streamed, low = peak(lambda: pipe.transform(photo))
    in_memory, high = peak(lambda: _apply_layers(photo, layers))
    np.testing.assert_array_equal(streamed, in_memory)
    assert high > 10 and low < 3.5, (low, high)


@pytest.mark.parametrize("make", [
    lambda ref: chroma.transfers.MKLTransfer().fit(ref),
    lambda ref: ReinhardTransfer(space="rgb", strength=0.6).fit(ref),
    lambda ref: chroma.toning.ToneStep().fit(),
])
def test_other_per_pixel_first_steps(photo, reference, make):
    layers = _layers(reference, first=make(reference), strength=0.5)
    got = stream_layers(photo, layers)
    assert got is not None
    np.testing.assert_array_equal(got, _apply_layers(photo, layers))


@pytest.mark.parametrize("make", [
    lambda ref: ReinhardTransfer().fit(ref),
    lambda ref: ReinhardTransfer(space="lalphabeta").fit(ref),
    lambda ref: chroma.transfers.MKLTransfer().fit(ref),
])
def test_statistics_blocks_that_cross_rows(photo, reference, make):
    """A width that does not divide the statistics block: pass 0 converts the rows that
    cover whole blocks and cuts them; the numbers stay those of the whole working copy."""
    img = np.ascontiguousarray(photo[:, :999])
    layers = _layers(reference, first=make(reference))
    assert streamed_operator(layers[0][0], img.size // 3, list) is not None  # no full copy
    want = _apply_layers(img, layers)
    for tile_pixels in (SERIAL_TILE_PIXELS, 150_001):
        np.testing.assert_array_equal(stream_layers(img, layers, tile_pixels=tile_pixels), want)
