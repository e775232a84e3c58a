"""``chroma serve``: a local page to colorize, splash and grade by hand.

A stdlib :class:`http.server.ThreadingHTTPServer` serves the static page
(``chroma/web/static/``: plain HTML, CSS and JavaScript, no framework, no
CDN, no web fonts) and a small JSON API over the public Python API. The
edit the page sends is turned into a :class:`chroma.Pipeline`
(:mod:`chroma.web.edit`): the server holds no image logic of its own.

Safety
------
* it binds to 127.0.0.1 by default (another host only when asked);
* every API call needs the session token (``X-Chroma-Token`` header or
  ``token`` query parameter), a random string printed in the URL;
* the ``Host`` header must name the served host (DNS rebinding), a
  cross-origin ``Origin`` is refused, and no CORS header is ever sent;
* ``Content-Security-Policy: default-src 'self'`` and
  ``X-Content-Type-Options: nosniff`` on every response;
* request bodies are capped (:data:`MAX_BODY`, 64 MiB); uploads are decoded
  by :func:`chroma.read_image`; a bad request gets a 400 with a one-line JSON
  error, never a traceback, and the server stays up;
* nothing is written outside a private temporary folder (removed on exit):
  exports are downloads, saved where the browser saves them.

API (all JSON unless said; ``POST`` bodies are JSON but for uploads)
--------------------------------------------------------------------
``GET /api/session``
    the image and reference loaded (sizes, working size), the reference palette.
``POST /api/image``, ``POST /api/reference``
    raw image bytes (PNG, JPEG, TIFF, WebP, BMP or GIF); ``X-Filename`` header.
``GET /api/original.png``, ``GET /api/reference.png``
    the working copy (8-bit PNG) and a reference thumbnail.
``POST /api/render`` ``{"edit": {...}, "mask": "data:image/png;base64,..."}``
    the edit on the working copy, as an 8-bit PNG.
``POST /api/suggest`` ``{"x", "y"}``
    colors for a hint at full-resolution pixel (x, y): the network's top
    modes and the reference palette, snapped into sRGB at the pixel's L*.
``POST /api/snap`` ``{"x", "y", "color"}``
    `color` at the pixel's L*, its chroma lowered into the sRGB gamut.
``POST /api/mask`` ``{"kind": "hue", "center", "width", "feather"}`` or
``{"kind": "pick", "x", "y", "fuzziness", "feather"}``
    a mask on the working copy (:func:`chroma.masks.hue_range`,
    :func:`chroma.masks.pick`) as a white RGBA PNG whose alpha is the mask.
``POST /api/export`` ``{"edit", "mask"}``
    runs the edit at full resolution; returns ``{"id", "files"}``;
    ``GET /api/download/ID/NAME`` then serves ``result.png``, ``recipe.zip``,
    ``hints.json`` or ``mask.png`` as attachments.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import secrets
import socket
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np

from chroma.web.session import Session, _png_bytes

__all__ = ["MAX_BODY", "ChromaServer", "make_server"]

MAX_BODY = 64 * 1024 * 1024
MAX_EXPORTS = 8
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
EXPORT_TYPES = {
    "result.png": "image/png",
    "recipe.zip": "application/zip",
    "hints.json": "application/json",
    "mask.png": "image/png",
}


class ApiError(Exception):
    """An error with its HTTP status; its message is sent as one line of JSON."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _int(d: dict, key: str, low: int, high: int) -> int:
    v = d.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
        raise ValueError(f"{key} must be an integer in [{low}, {high}], got {v!r}")
    return v


def _num(d: dict, key: str, low: float, high: float, default=None) -> float:
    v = d.get(key, default)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not low <= v <= high:
        raise ValueError(f"{key} must be a number in [{low}, {high}], got {v!r}")
    return float(v)


class Handler(BaseHTTPRequestHandler):
    server: ChromaServer
    server_version = "chroma"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # --- plumbing ------------------------------------------------------------------------
    def log_message(self, format, *args):  # one line per request, only when asked
        if self.server.verbose:
            sys.stderr.write(f"chroma serve: {self.address_string()} {format % args}\n")

    def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None):
        self.send_response(status)
        for k, v in SECURITY_HEADERS.items():
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code, message=None, explain=None):
        """The stdlib's own errors (bad request line, header too long...) as one-line JSON."""
        from http import HTTPStatus

        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "error"
        self._error(code, message or phrase)

    def _json(self, obj, status: int = 200):
        self._send(status, (json.dumps(obj) + "\n").encode(), "application/json")

    def _error(self, status: int, message: str):
        message = " ".join(str(message).split()) or "error"
        self.close_connection = True
        self._json({"error": message}, status)

    def _check_host(self) -> None:
        host = (self.headers.get("Host") or "").lower()
        if host not in self.server.allowed_hosts:
            raise ApiError(403, f"Host {host!r} is not this server")
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() not in self.server.allowed_origins:
            raise ApiError(403, f"cross-origin request from {origin!r} refused")

    def _check_token(self, query: dict) -> None:
        token = self.headers.get("X-Chroma-Token") or (query.get("token") or [""])[0]
        if not hmac.compare_digest(token.encode(), self.server.token.encode()):
            raise ApiError(403, "missing or wrong session token: open the URL printed by "
                                "chroma serve")

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            raise ApiError(411, "a Content-Length header is required")
        try:
            n = int(length)
        except ValueError:
            raise ApiError(400, f"bad Content-Length {length!r}") from None
        if n < 0:
            raise ApiError(400, f"bad Content-Length {length!r}")
        if n > MAX_BODY:
            raise ApiError(413, f"request body of {n} bytes is over the {MAX_BODY} byte limit")
        return self.rfile.read(n)

    def _json_body(self) -> dict:
        try:
            data = json.loads(self._body() or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ApiError(400, f"the body is not valid JSON ({err})") from None
        if not isinstance(data, dict):
            raise ApiError(400, "the body must be a JSON object")
        return data

    def _handle(self, method: str):
        started = time.perf_counter()
        try:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            self._check_host()
            if method in ("GET", "HEAD") and url.path in STATIC:
                if url.path != "/static/app.js" and url.path != "/static/style.css":
                    self._check_token(query)
                name, ctype = STATIC[url.path]
                body = resources.files("chroma.web").joinpath("static", name).read_bytes()
                return self._send(200, body, ctype)
            if method == "GET" and url.path == "/favicon.ico":
                return self._send(204, b"", "text/plain")
            if not url.path.startswith("/api/"):
                raise ApiError(404, f"no such page: {url.path}")
            self._check_token(query)
            segment = url.path[5:].split("/")[0].removesuffix(".png")
            route = getattr(self, f"api_{method.lower()}_{segment}", None)
            if route is None:
                raise ApiError(404 if method in ("GET", "POST") else 405,
                               f"no such endpoint: {method} {url.path}")
            route(url.path)
        except ApiError as err:
            self._error(err.status, str(err))
        except (ValueError, TypeError, OSError, KeyError) as err:
            if isinstance(err, (BrokenPipeError, ConnectionResetError)):
                return
            self._error(400, str(err) or type(err).__name__)
        except Exception as err:  # a bug: one line, no traceback, the server stays up
            self._error(500, f"internal error ({type(err).__name__}): {err}")
        finally:
            self.server.last_ms = (time.perf_counter() - started) * 1000

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_HEAD(self):
        self._handle("HEAD")

    def do_PUT(self):
        self._handle("PUT")

    def do_DELETE(self):
        self._handle("DELETE")

    def do_OPTIONS(self):  # no CORS preflight is ever granted
        self._handle("OPTIONS")

    # --- endpoints -------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        return self.server.session

    def api_get_session(self, path):
        self._json(self.session.info())

    def api_get_original(self, path):
        self.session.need_image()
        self._send(200, _png_bytes(self.session.work), "image/png")

    def api_get_reference(self, path):
        s = self.session
        if s.reference is None:
            raise ApiError(404, "no reference loaded")
        from chroma.web.edit import working_copy

        self._send(200, _png_bytes(working_copy(s.reference, 250_000)), "image/png")

    def _upload(self, what: str):
        data = self._body()
        name = self.headers.get("X-Filename") or f"{what}.png"
        s = self.session
        with s.lock:
            img = s.decode(data, what)
            if what == "image":
                s.set_image(img, name)
            else:
                s.set_reference(img, name)
        self._json(s.info())

    def api_post_image(self, path):
        self._upload("image")

    def api_post_reference(self, path):
        self._upload("reference")

    def _edit(self, data: dict):
        from chroma.web.edit import parse_edit

        s = self.session
        s.need_image()
        edit = parse_edit(data.get("edit", {}), s.image.shape)
        mask = s.decode_mask(data.get("mask"))
        if edit.uses_reference and s.reference is None:
            raise ValueError("this edit needs a reference image: load one in the Transfer tab")
        return edit, mask

    def api_post_render(self, path):
        from chroma.web.edit import preview

        s = self.session
        data = self._json_body()
        with s.lock:
            edit, mask = self._edit(data)
            t0 = time.perf_counter()
            out = preview(edit, s.image, s.work, mask=mask, reference=s.reference,
                          tmpdir=s.tmpdir)
            ms = (time.perf_counter() - t0) * 1000
        self._send(200, _png_bytes(out), "image/png", {"X-Chroma-Compute-Ms": f"{ms:.1f}"})

    def _point(self, data: dict) -> tuple[int, int]:
        s = self.session
        s.need_image()
        h, w = s.image.shape[:2]
        return _int(data, "x", 0, w - 1), _int(data, "y", 0, h - 1)

    def api_post_suggest(self, path):
        s = self.session
        data = self._json_body()
        with s.lock:
            x, y = self._point(data)
            lum = s.lightness_at(x, y)
            network = s.network_suggestions(x, y, lum)
            palette = [s.snap(c, lum) for c in s.palette]
        self._json({"lightness": round(lum, 3), "network": network, "palette": palette})

    def api_post_snap(self, path):
        s = self.session
        data = self._json_body()
        with s.lock:
            x, y = self._point(data)
            color = s.snap(data.get("color"), s.lightness_at(x, y))
        self._json({"color": color})

    def api_post_mask(self, path):
        from chroma import masks

        s = self.session
        data = self._json_body()
        kind = data.get("kind")
        with s.lock:
            s.need_image()
            feather = _num(data, "feather", 0, 50, 0.0)
            if kind == "hue":
                m = masks.hue_range(s.work, _num(data, "center", 0, 360),
                                    _num(data, "width", 0, 360), feather=feather)
            elif kind == "pick":
                x, y = self._point(data)
                wy, wx = s.work.shape[0] / s.image.shape[0], s.work.shape[1] / s.image.shape[1]
                pt = [[min(s.work.shape[1] - 1, int((x + 0.5) * wx)),
                       min(s.work.shape[0] - 1, int((y + 0.5) * wy))]]
                m = masks.pick(s.work, points=pt, tolerance=_num(data, "fuzziness", 0.5, 100,
                                                                 12.0), feather=feather)
            else:
                raise ValueError(f"mask kind must be 'hue' or 'pick', got {kind!r}")
        rgba = np.full((*m.shape, 4), 255, np.uint8)
        rgba[..., 3] = np.clip(np.rint(m * 255), 0, 255).astype(np.uint8)
        self._send(200, _png_bytes(rgba), "image/png")

    def api_post_export(self, path):
        from chroma.web.edit import export_bundle

        s = self.session
        data = self._json_body()
        with s.lock:
            edit, mask = self._edit(data)
            bundle = export_bundle(edit, s.image, mask=mask, reference=s.reference)
            key = secrets.token_hex(8)
            if len(s.exports) >= MAX_EXPORTS:
                s.exports.pop(next(iter(s.exports)))
            bundle.pop("result")
            s.exports[key] = bundle
        self._json({"id": key, "name": s.name, "files": sorted(EXPORT_TYPES)})

    def api_get_download(self, path):
        parts = path.split("/")  # "", "api", "download", id, name
        if len(parts) != 5 or parts[4] not in EXPORT_TYPES:
            raise ApiError(404, f"no such download: {path}")
        bundle = self.session.exports.get(parts[3])
        if bundle is None:
            raise ApiError(404, "this export is gone; export again")
        name = f"{self.session.name}-{parts[4]}"
        self._send(200, bundle[parts[4]], EXPORT_TYPES[parts[4]],
                   {"Content-Disposition": f'attachment; filename="{name}"'})


class ChromaServer(ThreadingHTTPServer):
    """The page's server: a :class:`Session`, a token, the hosts it answers to.

    Examples
    --------
    >>> import json, threading, urllib.request
    >>> server = ChromaServer()  # 127.0.0.1, a free port
    >>> thread = threading.Thread(target=server.serve_forever)
    >>> thread.start()
    >>> url = f"http://127.0.0.1:{server.port}/api/session?token={server.token}"
    >>> with urllib.request.urlopen(url) as reply:
    ...     reply.status, json.loads(reply.read())
    (200, {'image': None, 'reference': None, 'palette': []})
    >>> server.shutdown(); server.server_close(); thread.join()
    """

    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False):
        self._tmp = tempfile.TemporaryDirectory(prefix="chroma-serve-")
        self.session = Session(Path(self._tmp.name))
        self.token = secrets.token_urlsafe(24)
        self.verbose = verbose
        self.last_ms = 0.0
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.address_family = family
        super().__init__((host, port), Handler)
        self.host = host
        self.port = self.server_address[1]
        names = {host}
        wildcard = host in ("0.0.0.0", "::", "")
        if _is_loopback(host) or wildcard:
            names |= {"127.0.0.1", "localhost", "[::1]"}
        if wildcard:
            names |= {socket.gethostname(), socket.getfqdn()}
        names = {f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names}
        self.allowed_hosts = {f"{n}:{self.port}".lower() for n in names}
        self.allowed_origins = {f"http://{h}" for h in self.allowed_hosts}
        shown = socket.gethostname() if wildcard else (f"[{host}]" if ":" in host else host)
        self.url = f"http://{shown}:{self.port}/?token={self.token}"

    def server_close(self):
        super().server_close()
        self._tmp.cleanup()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(image=None, reference=None, *, host: str = "127.0.0.1", port: int = 0,
                verbose: bool = False) -> ChromaServer:
    """A :class:`ChromaServer` with `image` and `reference` (paths) loaded; not yet serving.

    Call ``serve_forever()`` on it (in a thread, for tests) and ``shutdown()``
    then ``server_close()`` to stop.

    Examples
    --------
    >>> from chroma.datasets import sample_path
    >>> server = make_server(sample_path("coffee"))
    >>> server.session.info()["image"]["name"], server.url.startswith("http://127.0.0.1:")
    ('coffee', True)
    >>> server.server_close()
    """
    from chroma.io import read_image

    img = read_image(image) if image is not None else None
    ref = read_image(reference) if reference is not None else None
    server = ChromaServer(host, port, verbose=verbose)
    if img is not None:
        server.session.set_image(img, Path(image).name)
    if ref is not None:
        server.session.set_reference(ref, Path(reference).name)
    return server


def warm_up(server: ChromaServer) -> None:
    """Load the colorizer (and the suggestions' distribution) so the first hint is quick."""
    s = server.session
    try:
        from chroma import colorize
        colorize(np.full((32, 32), 0.5, np.float32))
        if s.image is not None:
            with s.lock:
                h, w = s.image.shape[:2]
                s.network_suggestions(w // 2, h // 2, 50.0)
    except Exception:  # no torch: the prior is not available, the rest works
        pass
