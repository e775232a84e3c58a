"""``chroma serve`` in a real browser: Playwright driving the system Chromium.

The page is used as a new user would (issue 14's "Done when"): open
data/chelsea.png, place five hints, paint a splash stroke, move the
before/after slider, hold the compare key, undo and redo, export the result
PNG and the recipe, and ``chroma run`` on the exported recipe gives the
exported image bit for bit. Pixels are read back from the canvas; every
request the page makes is intercepted, and any to another host fails the test.

Needs Debian's ``chromium`` (``apt-get install chromium``) and ``playwright``
(the Python package only: ``playwright install`` is never run, nothing is
downloaded). Without Chromium the tests skip, except under CI (``CI`` set),
where a missing browser is a failure.
Set ``CHROMA_SCREENSHOTS=docs/images`` to write the screenshots of docs/serve.md.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import threading
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

import chroma

ROOT = Path(__file__).resolve().parents[1]
CHELSEA = ROOT / "data" / "chelsea.png"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI: the browser tests need Debian's chromium (apt-get install "
                           "chromium)")
    pytest.skip("no system Chromium (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402  (after the Chromium check)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HINTS = [(70, 60), (225, 215), (330, 120), (110, 240), (400, 40)]  # full-resolution pixels
HINT_COLORS = {0: "#c03020", 2: "#2050c0"}


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("CHROMA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


@pytest.fixture(scope="module")
def server():
    from chroma.web.server import make_server, warm_up

    srv = make_server(CHELSEA)
    warm_up(srv)  # the colorizer's weights load before the first click
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A page whose every request is checked: the local server's are let through."""
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 820})
    local = f"127.0.0.1:{server.port}"
    seen, off_host = [], []

    def route(r):
        url = r.request.url
        seen.append(url)
        if urlsplit(url).netloc != local:
            off_host.append(url)
            return r.abort()
        return r.continue_()

    ctx.route("**/*", route)
    pg = ctx.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(server.url)
    pg.wait_for_function("() => window.chromaApp && window.chromaApp.state.before !== null "
                         "&& document.body.dataset.state === 'idle'", timeout=30_000)
    pg.seen, pg.off_host, pg.errors = seen, off_host, errors
    yield pg
    ctx.close()
    assert off_host == [], f"the page asked for other hosts: {off_host}"
    assert errors == [], f"JavaScript errors: {errors}"
    assert any(u.endswith("/static/app.js") for u in seen)


def _renders(page) -> int:
    return int(page.evaluate("Number(document.body.dataset.renders || 0)"))


def _wait_render(page, before: int) -> None:
    page.wait_for_function("(n) => document.body.dataset.state === 'idle' && "
                           "Number(document.body.dataset.renders || 0) > n", arg=before,
                           timeout=60_000)


def _point(page, x: int, y: int) -> tuple[float, float]:
    p = page.evaluate("([x, y]) => window.chromaApp.clientPoint(x, y)", [x, y])
    return p["x"], p["y"]


def _pixel(page, x: int, y: int) -> np.ndarray:
    return np.array(page.evaluate("([x, y]) => window.chromaApp.viewPixel(x, y)", [x, y])[:3])


def _state(page, expr: str):
    return page.evaluate(f"(() => {{ const S = window.chromaApp.state; return {expr}; }})()")


def _download(page, button: str, folder: Path) -> Path:
    with page.expect_download(timeout=120_000) as d:
        page.click(button)
    path = folder / d.value.suggested_filename
    d.value.save_as(path)
    return path


def test_hints_splash_slider_undo_export_replays(page, server, tmp_path):
    original = chroma.read_image(CHELSEA)
    # --- five hints, two of them given colors by hand
    for i, (x, y) in enumerate(HINTS):
        n = _renders(page)
        page.mouse.click(*_point(page, x, y))
        _wait_render(page, n)
        if i in HINT_COLORS:
            n = _renders(page)
            page.fill("#hint-color", HINT_COLORS[i])
            page.dispatch_event("#hint-color", "change")
            _wait_render(page, n)
    hints = _state(page, "S.hints")
    assert [(h["x"], h["y"]) for h in hints] == HINTS
    assert _state(page, "S.opts.colorize") is True
    # the picked color was snapped to the pixel's L*: not the raw pick, same lightness
    lab = chroma.convert(np.array([[[int(hints[0]["color"][k:k + 2], 16) for k in (1, 3, 5)]]],
                                  np.uint8), "rgb", "lab")
    pix = chroma.convert(original[None, HINTS[0][1], HINTS[0][0]], "rgb", "lab")
    assert abs(lab[0, 0, 0] - pix[0, 0]) < 1.0
    # suggestions were offered (the network's modes at the pixel)
    assert page.locator("#sugg-network .swatch").count() >= 1
    _screenshot(page, "serve-colorize.png")

    # --- drag a hint, right-click one away, and back to five
    n = _renders(page)
    page.mouse.click(*_point(page, 250, 60))
    _wait_render(page, n)
    assert _state(page, "S.hints.length") == 6
    x0, y0 = _point(page, 250, 60)
    n = _renders(page)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 20, y0 + 10, steps=5)
    page.mouse.up()
    _wait_render(page, n)
    moved = _state(page, "S.hints[5]")
    assert (moved["x"], moved["y"]) != (250, 60)
    n = _renders(page)
    page.mouse.click(*_point(page, moved["x"], moved["y"]), button="right")
    _wait_render(page, n)
    assert [(h["x"], h["y"]) for h in _state(page, "S.hints")] == HINTS
    colorized = _pixel(page, 40, 280)

    # --- splash: one brush stroke across the face keeps its colors, the rest goes gray
    page.click("#tabbtn-splash")
    page.evaluate(
        "() => { const e = document.getElementById('brush-size'); e.value = 40; "
        "e.dispatchEvent(new Event('input')); }")
    stroke = [(150, 150), (200, 160), (250, 170), (300, 160)]
    n = _renders(page)
    page.mouse.move(*_point(page, *stroke[0]))
    page.mouse.down()
    for p in stroke[1:]:
        page.mouse.move(*_point(page, *p), steps=6)
    page.mouse.up()
    _wait_render(page, n)
    assert _state(page, "S.opts.splash") is True
    _screenshot(page, "serve-splash.png")
    page.keyboard.press("m")  # hide the mask overlay to read the result's pixels
    gray = _pixel(page, 40, 280)
    assert np.ptp(gray) <= 2, f"outside the stroke is not gray: {gray}"
    kept = _pixel(page, 200, 160)
    after_stroke = {p: _pixel(page, *p) for p in [(40, 280), (200, 160), (420, 250)]}

    # --- undo the stroke, then redo it
    n = _renders(page)
    page.keyboard.press("Control+z")
    _wait_render(page, n)
    assert _state(page, "S.opts.splash") is False
    np.testing.assert_array_equal(_pixel(page, 40, 280), colorized)
    n = _renders(page)
    page.keyboard.press("Control+Shift+z")
    _wait_render(page, n)
    for p, v in after_stroke.items():
        np.testing.assert_array_equal(_pixel(page, *p), v)

    # --- the before/after slider (dragged by hand) and the hold-to-compare key
    box = page.locator("#split").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    split = _state(page, "S.split")
    assert 40 <= split <= 60
    left_x = _point(page, 0, 0)[0]
    view = page.locator("#view").bounding_box()
    xs_left = [x for x in range(0, 451, 10) if _point(page, x, 0)[0] < view["x"] + view["width"]
               * split / 100 - 2]
    xs_right = [x for x in range(0, 451, 10) if _point(page, x, 0)[0] > view["x"] + view["width"]
                * split / 100 + 2]
    assert xs_left and xs_right and left_x < view["x"] + view["width"] / 2
    for x in xs_left[::3]:
        np.testing.assert_array_equal(_pixel(page, x, 200), original[200, x])
    right_before = [_pixel(page, x, 200) for x in xs_right]
    assert any((v != original[200, x]).any() for v, x in zip(right_before, xs_right))
    _screenshot(page, "serve-slider.png")
    page.keyboard.down("\\")
    for x in xs_right[::3]:
        np.testing.assert_array_equal(_pixel(page, x, 200), original[200, x])
    page.keyboard.up("\\")
    np.testing.assert_array_equal(_pixel(page, xs_right[0], 200), right_before[0])
    page.mouse.click(box["x"] + 1, box["y"] + box["height"] / 2)  # slider back to "after"
    assert _state(page, "S.split") <= 2

    # --- zoom and pan change the view, fit brings it back
    s0 = _state(page, "S.view.s")
    page.keyboard.press("+")
    assert _state(page, "S.view.s") > s0
    page.keyboard.press("0")
    assert _state(page, "S.view.s") == pytest.approx(s0)

    # --- export: result PNG, recipe, hints, mask
    result_path = _download(page, "#export-result", tmp_path)
    recipe_zip = _download(page, "#export-recipe", tmp_path)
    hints_path = _download(page, "#export-hints", tmp_path)
    mask_path = _download(page, "#export-mask", tmp_path)
    assert result_path.name == "chelsea-result.png"
    result = chroma.read_image(result_path)
    assert result.shape == original.shape and result.dtype == original.dtype
    # the canvas showed the full-resolution result (the working size is the image's here)
    for p in [(40, 280), (200, 160), (420, 250), *HINTS]:
        np.testing.assert_array_equal(_pixel(page, *p), result[p[1], p[0]])
    np.testing.assert_array_equal(kept, result[160, 200])
    assert json.loads(hints_path.read_text())["hints"][0]["x"] == HINTS[0][0]
    assert len(json.loads(hints_path.read_text())["hints"]) == 5
    mask = chroma.read_image(mask_path)
    assert mask.shape == original.shape[:2] and mask[160, 200] == 255 and mask[280, 40] == 0

    # --- `chroma run` on the exported recipe: the same pixels, bit for bit
    bundle = tmp_path / "bundle"
    with zipfile.ZipFile(recipe_zip) as z:
        z.extractall(bundle)
    recipe = (bundle / "recipe.toml").read_text()
    assert recipe.count("[[steps]]") == 2 and "HintColorizer" in recipe and "SplashStep" in recipe
    replay = chroma.Pipeline.load(bundle / "recipe.toml").fit().transform(original)
    np.testing.assert_array_equal(replay, result)
    from chroma.cli import main

    out = tmp_path / "replay.png"
    assert main(["run", str(bundle / "recipe.toml"), str(CHELSEA), "-o", str(out)]) == 0
    np.testing.assert_array_equal(chroma.read_image(out), result)


def test_reference_transfer_hue_mask_and_a_bad_upload(page, server, tmp_path):
    page.click("#tabbtn-transfer")
    # the reference is dropped on the Transfer tab, as from a file manager
    data = base64.b64encode((ROOT / "data" / "coffee.png").read_bytes()).decode()
    drop = page.evaluate_handle(
        """(b64) => { const bin = atob(b64); const a = new Uint8Array(bin.length);
           for (let i = 0; i < bin.length; i++) a[i] = bin.charCodeAt(i);
           const dt = new DataTransfer();
           dt.items.add(new File([a], "coffee.png", { type: "image/png" })); return dt; }""",
        data)
    page.dispatch_event("#panel", "drop", {"dataTransfer": drop})
    page.wait_for_function("() => document.querySelectorAll('#palette .swatch').length === 6",
                           timeout=60_000)
    palette = chroma.extract_palette(chroma.read_image(ROOT / "data" / "coffee.png"), 6,
                                     random_state=0).to_hex()
    shown = page.eval_on_selector_all("#palette .swatch", "els => els.map(e => e.dataset.color)")
    assert shown == list(palette)
    before = _pixel(page, 225, 150)
    n = _renders(page)
    page.check("#transfer-on")
    _wait_render(page, n)
    after = _pixel(page, 225, 150)
    assert (before != after).any()
    _screenshot(page, "serve-transfer.png")
    # a hue-range mask from chroma.masks, then the transfer only inside it
    page.click("#tabbtn-splash")
    n = _renders(page)
    page.click("#hue-apply")
    _wait_render(page, n)
    assert _state(page, "S.opts.splash") is True
    # a corrupt image: a one-line error on the page, the server keeps serving
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    page.set_input_files("#file-image", str(bad))
    page.wait_for_function("() => document.getElementById('status').classList.contains('error')",
                           timeout=30_000)
    assert "cannot read" in page.text_content("#status")
    assert _state(page, "S.W") == 451
    n = _renders(page)
    page.keyboard.press("Control+z")  # the page still works after the error
    _wait_render(page, n)
