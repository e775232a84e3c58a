"""``chroma serve``'s JSON API through the stdlib HTTP client.

Security (token, Host / Origin, headers, body cap, bad uploads) and, for each
endpoint, equality with the Python API on the same input.
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import socket
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

import chroma
from chroma.hand_steps import expand_hints
from chroma.web.server import MAX_BODY, ChromaServer, make_server

ROOT = Path(__file__).resolve().parents[1]
CHELSEA = ROOT / "data" / "chelsea.png"
COFFEE = ROOT / "data" / "coffee.png"
HINTS = [[60, 50, "#c03020"], [300, 200, "#2050c0"], [200, 120, "#30a040"]]


@pytest.fixture(scope="module")
def server():
    srv = make_server(CHELSEA, COFFEE)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def request(srv: ChromaServer, method: str, path: str, body=None, *, token=True,
            host=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=120)
    h = {"Host": host or f"127.0.0.1:{srv.port}"}
    if token:
        h["X-Chroma-Token"] = srv.token if token is True else token
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def png(data: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)))


def data_url(mask: np.ndarray) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.rint(mask * 255).astype(np.uint8)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def error_of(data: bytes) -> str:
    text = data.decode()
    assert text.count("\n") == 1 and "Traceback" not in text and "chroma-serve-" not in text
    return json.loads(text)["error"]


@pytest.fixture(scope="module")
def chelsea():
    return chroma.read_image(CHELSEA)


@pytest.fixture(scope="module")
def coffee():
    return chroma.read_image(COFFEE)


# --- security ---------------------------------------------------------------------------
def test_token_is_needed_for_the_api_and_the_page(server):
    assert request(server, "GET", "/api/session")[0] == 200
    status, _, data = request(server, "GET", "/api/session", token=False)
    assert status == 403 and "token" in error_of(data)
    assert request(server, "GET", "/api/session", token="x" * 32)[0] == 403
    assert request(server, "GET", f"/api/session?token={server.token}", token=False)[0] == 200
    assert request(server, "GET", "/", token=False)[0] == 403
    status, _, page = request(server, "GET", f"/?token={server.token}", token=False)
    assert status == 200 and b"/static/app.js" in page
    # the static script and style hold no data: they load without the token
    assert request(server, "GET", "/static/app.js", token=False)[0] == 200
    assert request(server, "GET", "/static/../server.py", token=False)[0] == 404


def test_page_is_self_contained(server):
    for name in ("index.html", "app.js", "style.css"):
        text = (ROOT / "chroma" / "web" / "static" / name).read_text()
        assert "http://" not in text and "https://" not in text and "@import" not in text
        assert "<script>" not in text and " style=" not in text  # CSP: no inline code


def test_host_and_origin_checks_refuse_dns_rebinding(server):
    port = server.port
    status, _, data = request(server, "GET", "/api/session", host=f"evil.example:{port}")
    assert status == 403 and "Host" in error_of(data) and server.token not in data.decode()
    assert request(server, "GET", "/api/session", host=f"127.0.0.1:{port + 1}")[0] == 403
    assert request(server, "GET", f"/?token={server.token}", host="evil.example",
                   token=False)[0] == 403
    assert request(server, "GET", "/api/session", host=f"localhost:{port}")[0] == 200
    status, _, _ = request(server, "POST", "/api/snap", {"x": 1, "y": 1, "color": "#f00"},
                           headers={"Origin": "http://evil.example"})
    assert status == 403
    status, _, _ = request(server, "POST", "/api/snap", {"x": 1, "y": 1, "color": "#f00"},
                           headers={"Origin": f"http://127.0.0.1:{port}"})
    assert status == 200


def test_security_headers_and_no_cors(server):
    for method, path, token in [("GET", "/api/session", True), ("GET", "/api/session", False),
                                ("OPTIONS", "/api/render", True), ("GET", "/nope", True)]:
        _, headers, _ = request(server, method, path, token=token,
                                headers={"Origin": f"http://127.0.0.1:{server.port}"})
        assert headers["content-security-policy"] == "default-src 'self'"
        assert headers["x-content-type-options"] == "nosniff"
        assert not any(k.startswith("access-control-") for k in headers)
    assert request(server, "OPTIONS", "/api/render")[0] == 405
    status, headers, body = request(server, "HEAD", f"/?token={server.token}", token=False)
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Long: " + b"a" * 70_000 + b"\r\n\r\n")
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
        reply = reply.decode()
    assert reply.startswith("HTTP/1.1 431") and "default-src 'self'" in reply
    assert reply.rstrip().endswith("}") and "Traceback" not in reply


def test_body_cap_and_missing_length(server):
    status, _, data = request(server, "POST", "/api/image", b"x" * 10,
                              headers={"Content-Length": str(MAX_BODY + 1)})
    assert status == 413 and "limit" in error_of(data)
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(f"POST /api/render HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                  f"X-Chroma-Token: {server.token}\r\nConnection: close\r\n\r\n".encode())
        reply = s.recv(4096).decode()
    assert reply.startswith("HTTP/1.1 411")
    assert request(server, "GET", "/api/session")[0] == 200  # still up


def test_corrupt_uploads_get_one_line_400_and_the_server_stays_up(server):
    before = json.loads(request(server, "GET", "/api/session")[2])
    truncated = CHELSEA.read_bytes()[:2000]
    for body in (b"", b"not an image at all", truncated, b"\x89PNG\r\n\x1a\n" + b"\0" * 64):
        status, headers, data = request(server, "POST", "/api/image", body,
                                        headers={"X-Filename": "x.png"})
        assert status == 400 and headers["content-type"] == "application/json"
        error_of(data)
    for body in (b"{not json", b"[1, 2]"):
        status, _, data = request(server, "POST", "/api/render", body)
        assert status == 400
        error_of(data)
    status, _, data = request(server, "POST", "/api/render", {"edit": {"patch": "big"}})
    assert status == 400 and "edit.patch" in error_of(data)
    status, _, data = request(server, "POST", "/api/render",
                              {"edit": {"colorize": True, "hints": [[9999, 0, "#fff"]]}})
    assert status == 400 and "hints[0].x" in error_of(data)
    status, _, data = request(server, "POST", "/api/render",
                              {"edit": {"splash": True}, "mask": "data:image/png;base64,@@"})
    assert status == 400 and "base64" in error_of(data)
    assert json.loads(request(server, "GET", "/api/session")[2]) == before


# --- each endpoint equals the Python API ----------------------------------------------------
def test_original_is_the_working_copy(server, chelsea):
    status, headers, data = request(server, "GET", "/api/original.png")
    assert status == 200 and headers["content-type"] == "image/png"
    np.testing.assert_array_equal(png(data), chelsea)  # 0.14 MP: working size = full size


@pytest.mark.parametrize("method", ["scribble", "prior"])
def test_render_colorize_equals_chroma_colorize(server, chelsea, method):
    status, headers, data = request(server, "POST", "/api/render", {
        "edit": {"colorize": True, "method": method, "hints": HINTS, "patch": 1}})
    assert status == 200, data
    assert float(headers["x-chroma-compute-ms"]) > 0
    points = expand_hints(HINTS, chelsea.shape, 1)
    expected = chroma.colorize(chelsea, method=method, hints=points)
    np.testing.assert_array_equal(png(data), expected)


def test_render_transfer_equals_chroma_transfer(server, chelsea, coffee):
    status, _, data = request(server, "POST", "/api/render", {
        "edit": {"transfer": True, "transfer_method": "mkl", "transfer_strength": 0.7,
                 "keep_luminance": True}})
    assert status == 200, data
    step = chroma.MKLTransfer(strength=0.7, keep_luminance=True)
    pipe = chroma.Pipeline([("transfer", step, {"reference": coffee})])
    np.testing.assert_array_equal(png(data), pipe.fit().transform(chelsea))
    # chroma.transfers's uint8 fast path rounds a few pixels the other way (issue 11 merges
    # the two doors; then this is exact too)
    expected = chroma.transfer(chelsea, coffee, "mkl", strength=0.7, keep_luminance=True)
    assert np.abs(png(data).astype(int) - expected).max() <= 1


def test_render_splash_is_chroma_splash(server, chelsea):
    mask = chroma.masks.ellipse(chelsea.shape, (220, 150), (90, 60), feather=4)
    status, _, data = request(server, "POST", "/api/render", {
        "edit": {"splash": True}, "mask": data_url(mask)})
    assert status == 200, data
    out = png(data).astype(int)
    m8 = np.rint(mask * 255) / 255
    expected = chroma.splash(chelsea, m8).astype(int)
    inside = m8 == 1
    np.testing.assert_array_equal(out[inside], chelsea[inside])  # the mask keeps colors
    assert np.abs(out - expected).max() <= 2  # the same splash (blended in Lab by the recipe)
    assert np.ptp(out[m8 == 0], axis=-1).max() <= 1  # outside: gray


def test_mask_endpoints_equal_chroma_masks(server, chelsea):
    status, _, data = request(server, "POST", "/api/mask",
                              {"kind": "hue", "center": 40, "width": 30, "feather": 2})
    assert status == 200
    rgba = png(data)
    expected = chroma.masks.hue_range(chelsea, 40, 30, feather=2)
    np.testing.assert_array_equal(rgba[..., 3], np.rint(expected * 255).astype(np.uint8))
    assert (rgba[..., :3] == 255).all()
    status, _, data = request(server, "POST", "/api/mask",
                              {"kind": "pick", "x": 330, "y": 120, "fuzziness": 10})
    expected = chroma.masks.pick(chelsea, points=[[330, 120]], tolerance=10)
    np.testing.assert_array_equal(png(data)[..., 3], np.rint(expected * 255).astype(np.uint8))
    status, _, data = request(server, "POST", "/api/mask", {"kind": "lasso"})
    assert status == 400 and "kind" in error_of(data)


def _lightness(hexcolor: str) -> float:
    rgb = np.array([[[int(hexcolor[k:k + 2], 16) for k in (1, 3, 5)]]], np.uint8)
    return float(chroma.convert(rgb, "rgb", "lab")[0, 0, 0])


def test_snap_and_suggest_keep_the_pixel_lightness(server, chelsea, coffee):
    x, y = 330, 120
    pixel_l = float(chroma.convert(chelsea[y:y + 1, x:x + 1], "rgb", "lab")[0, 0, 0])
    status, _, data = request(server, "POST", "/api/snap", {"x": x, "y": y, "color": "#0000ff"})
    snapped = json.loads(data)["color"]
    assert status == 200 and snapped != "#0000ff"
    assert abs(_lightness(snapped) - pixel_l) < 0.8
    rgb = [int(snapped[k:k + 2], 16) for k in (1, 3, 5)]
    assert rgb[2] > rgb[0] and rgb[2] > rgb[1]  # still blue
    status, _, data = request(server, "POST", "/api/suggest", {"x": x, "y": y})
    s = json.loads(data)
    assert status == 200 and len(s["palette"]) == 6 and 1 <= len(s["network"]) <= 5
    assert all(abs(_lightness(c) - pixel_l) < 0.8 for c in s["palette"] + s["network"])
    info = json.loads(request(server, "GET", "/api/session")[2])
    assert info["palette"] == list(chroma.extract_palette(coffee, 6, random_state=0).to_hex())
    assert request(server, "POST", "/api/snap", {"x": 451, "y": 0, "color": "#fff"})[0] == 400


def test_export_replays_with_chroma_run(server, chelsea, tmp_path):
    mask = chroma.masks.rectangle(chelsea.shape, (100, 50, 350, 250), feather=3)
    edit = {"colorize": True, "method": "prior", "hints": HINTS, "transfer": True,
            "transfer_method": "reinhard", "transfer_masked": True, "splash": True,
            "background": "sepia", "splash_strength": 0.8}
    status, _, data = request(server, "POST", "/api/export", {"edit": edit,
                                                               "mask": data_url(mask)})
    assert status == 200, data
    key = json.loads(data)["id"]
    files = {}
    for name in ("result.png", "recipe.zip", "hints.json", "mask.png"):
        status, headers, files[name] = request(server, "GET", f"/api/download/{key}/{name}")
        assert status == 200
        assert headers["content-disposition"] == f'attachment; filename="chelsea-{name}"'
    assert request(server, "GET", f"/api/download/{key}/secret.txt")[0] == 404
    with zipfile.ZipFile(io.BytesIO(files["recipe.zip"])) as z:
        assert sorted(z.namelist()) == ["hints.json", "mask.png", "recipe.toml",
                                        "reference.png"]
        z.extractall(tmp_path)
    (tmp_path / "result.png").write_bytes(files["result.png"])
    result = chroma.read_image(tmp_path / "result.png")
    replay = chroma.Pipeline.load(tmp_path / "recipe.toml").fit().transform(chelsea)
    np.testing.assert_array_equal(replay, result)
    assert json.loads(files["hints.json"])["hints"][1] == {"x": 300, "y": 200,
                                                            "color": "#2050c0"}
    # nothing was written next to the inputs
    assert sorted(p.name for p in CHELSEA.parent.iterdir()) == sorted(
        ["CREDITS.md", "astronaut.png", "chelsea.png", "coffee.png", "rocket.png"])


def test_upload_sixteen_bit_and_export_keeps_the_depth(tmp_path, chelsea):
    srv = ChromaServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        assert json.loads(request(srv, "GET", "/api/session")[2])["image"] is None
        status, _, data = request(srv, "POST", "/api/render", {"edit": {}})
        assert status == 400 and "no image" in error_of(data)
        deep = chelsea.astype(np.uint16) * 257
        chroma.write_image(tmp_path / "deep.png", deep)
        status, _, data = request(srv, "POST", "/api/image",
                                  (tmp_path / "deep.png").read_bytes(),
                                  headers={"X-Filename": "deep.png"})
        assert status == 200 and json.loads(data)["image"]["dtype"] == "uint16"
        mask = np.zeros(chelsea.shape[:2])
        mask[:, :200] = 1
        status, _, data = request(srv, "POST", "/api/export",
                                  {"edit": {"splash": True}, "mask": data_url(mask)})
        key = json.loads(data)["id"]
        body = request(srv, "GET", f"/api/download/{key}/result.png")[2]
        (tmp_path / "out.png").write_bytes(body)
        out = chroma.read_image(tmp_path / "out.png")
        assert out.dtype == np.uint16 and out.shape == deep.shape
        np.testing.assert_array_equal(out[:, :200], deep[:, :200])
        assert np.ptp(out[:, 220:].astype(int), axis=-1).max() <= 257
    finally:
        srv.shutdown()
        srv.server_close()


def test_cli_serve_prints_the_url_and_warns_off_loopback(monkeypatch, capsys):
    from chroma.cli import main

    def stop(self, *a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(ChromaServer, "serve_forever", stop)
    monkeypatch.setattr("chroma.web.server.warm_up", lambda server: None)
    assert main(["serve", str(CHELSEA), "--no-browser"]) == 0
    out, err = capsys.readouterr()
    assert "http://127.0.0.1:" in out and "?token=" in out and "warning" not in err
    assert main(["serve", "--host", "0.0.0.0", "--no-browser"]) == 0
    out, err = capsys.readouterr()
    assert "warning" in err and "not on loopback" in err
    assert main(["serve", "--port", "70000", "--no-browser"]) == 2
    assert main(["serve", str(ROOT / "nope.png"), "--no-browser"]) == 2


def test_cli_serve_stops_on_sigint_even_when_started_with_it_ignored():
    # a child inherits an ignored SIGINT (a script's background job, a test runner):
    # Python then installs no handler, and "press Ctrl-C to stop" would not hold
    import os
    import re
    import signal
    import subprocess
    import sys
    import time

    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-m", "chroma", "serve", "--no-browser"], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line or re.search(r"open http://", line):
                break
        assert line and "open http://" in line, "the server printed no URL"
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        assert "stopped" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def test_previews_at_working_size_exports_at_full_size(tmp_path, chelsea):
    from chroma.web.edit import WORK_PIXELS, _scaled_hints, parse_edit

    big = np.repeat(np.repeat(chelsea, 3, axis=0), 3, axis=1)  # 900 x 1353, 1.2 MP
    chroma.write_image(tmp_path / "big.png", big)
    srv = make_server(tmp_path / "big.png")
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        info = json.loads(request(srv, "GET", "/api/session")[2])["image"]
        ww, wh = info["work_width"], info["work_height"]
        assert ww * wh <= WORK_PIXELS and (info["width"], info["height"]) == (1353, 900)
        assert png(request(srv, "GET", "/api/original.png")[2]).shape == (wh, ww, 3)
        mask = np.zeros((wh, ww))
        mask[: wh // 2] = 1
        body = {"edit": {"splash": True}, "mask": data_url(mask)}
        status, _, data = request(srv, "POST", "/api/render", body)
        assert status == 200 and png(data).shape == (wh, ww, 3)
        # a mask of another size than the working copy is refused
        status, _, data = request(srv, "POST", "/api/render",
                                  {"edit": {"splash": True}, "mask": data_url(mask[:-1])})
        assert status == 400 and "mask" in error_of(data)
        key = json.loads(request(srv, "POST", "/api/export", body)[2])["id"]
        for name, target in (("result.png", "out.png"), ("mask.png", "m.png")):
            (tmp_path / target).write_bytes(
                request(srv, "GET", f"/api/download/{key}/{name}")[2])
        out = chroma.read_image(tmp_path / "out.png")
        assert out.shape == big.shape
        np.testing.assert_array_equal(out[:400], big[:400])  # kept where the mask is 1
        assert chroma.read_image(tmp_path / "m.png").shape == big.shape[:2]
    finally:
        srv.shutdown()
        srv.server_close()
    # hints are in full-resolution pixels; the preview gets them scaled
    e = parse_edit({"colorize": True, "hints": [[1352, 899, "#f00"], [0, 0, "#00f"]],
                    "patch": 3}, big.shape)
    hints, patch = _scaled_hints(e, big.shape, (wh, ww))
    assert hints == [[ww - 1, wh - 1, "#ff0000"], [0, 0, "#0000ff"]] and patch == 2
