"""``chroma serve``: how long a hint edit takes to show its result, at 0.5 MP.

For the ``prior`` and ``scribble`` methods, each of `runs` edits adds or moves
one point hint and asks for the preview, three ways:

* ``api``: the Python call alone (``chroma.colorize`` on the working copy,
  in a worker thread as the server's: the peer the page is compared to);
* ``http``: ``POST /api/render`` round trip (the server's pipeline, PNG
  encoding, HTTP) with the stdlib client;
* ``page``: in headless Chromium (when installed), from the click on the
  canvas to the new preview drawn (hint suggestion request included).

The image is data/chelsea.png resized to 0.5 MP (866 x 577). Medians of
several edits after one warm-up; the machine load (``uptime``) is recorded
before and after, as the numbers depend on it.

Run: ``.venv/bin/python benchmarks/web_latency.py`` (writes
``benchmarks/results/web_latency.md``; ``--runs N``, ``--no-browser``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import chroma  # noqa: E402
from chroma.hand_steps import expand_hints  # noqa: E402
from chroma.web.server import make_server, warm_up  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SIZE = (577, 866)  # 0.4997 MP


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load: " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def hint_sequence(runs: int, rng) -> list[list]:
    """One more hint per edit (the first ones moved once the list is long)."""
    h, w = SIZE
    colors = ["#c03020", "#2050c0", "#30a040", "#d0b020", "#8040a0", "#20a0a0"]
    hints, seq = [], []
    for i in range(runs + 1):
        x, y = int(rng.integers(10, w - 10)), int(rng.integers(10, h - 10))
        if len(hints) < 6:
            hints.append([x, y, colors[i % len(colors)]])
        else:
            hints[i % 6] = [x, y, hints[i % 6][2]]
        seq.append([list(p) for p in hints])
    return seq


def in_thread(fn) -> None:
    """Run `fn` in a fresh thread, as the server runs each request.

    This matters: torch's OpenMP threads in the main thread of a loaded machine
    were up to ten times slower than the same call in a worker thread.
    """
    t = threading.Thread(target=fn)
    t.start()
    t.join()


def post(srv, path, body) -> tuple[float, float, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=300)
    data = json.dumps(body).encode()
    t = time.perf_counter()
    conn.request("POST", path, body=data, headers={
        "Host": f"127.0.0.1:{srv.port}", "X-Chroma-Token": srv.token,
        "Content-Type": "application/json"})
    r = conn.getresponse()
    out = r.read()
    dt = time.perf_counter() - t
    conn.close()
    if r.status != 200:
        raise RuntimeError(out.decode())
    return dt, float(r.getheader("X-Chroma-Compute-Ms", "nan")) / 1000, out


def bench_api_http(srv, image, method: str, runs: int, rng) -> dict:
    seq = hint_sequence(runs, rng)
    api, http_, compute = [], [], []
    for i, hints in enumerate(seq):
        points = expand_hints(hints, image.shape, 1)
        t = time.perf_counter()
        in_thread(lambda p=points: chroma.colorize(image, method=method, hints=p))
        dt_api = time.perf_counter() - t
        edit = {"colorize": True, "method": method, "hints": hints, "patch": 1}
        dt_http, dt_compute, _ = post(srv, "/api/render", {"edit": edit})
        if i:  # the first edit is the warm-up
            api.append(dt_api)
            http_.append(dt_http)
            compute.append(dt_compute)
    return {"api": api, "http": http_, "compute": compute}


def bench_page(srv, method: str, runs: int, rng) -> list[float]:
    from playwright.sync_api import sync_playwright

    h, w = SIZE
    times = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = b.new_page(viewport={"width": 1280, "height": 820})
        page.goto(srv.url)
        page.wait_for_function("() => window.chromaApp && window.chromaApp.state.before "
                               "&& document.body.dataset.state === 'idle'", timeout=60_000)
        page.select_option("#method", method)
        page.wait_for_function("() => document.body.dataset.state === 'idle'")
        for i in range(runs + 1):
            x, y = int(rng.integers(10, w - 10)), int(rng.integers(10, h - 10))
            pt = page.evaluate("([x, y]) => window.chromaApp.clientPoint(x, y)", [x, y])
            n = page.evaluate("Number(document.body.dataset.renders || 0)")
            t = time.perf_counter()
            page.mouse.click(pt["x"], pt["y"])
            page.wait_for_function("(n) => document.body.dataset.state === 'idle' && "
                                   "Number(document.body.dataset.renders || 0) > n", arg=n,
                                   timeout=300_000, polling=5)
            if i:
                times.append(time.perf_counter() - t)
        b.close()
    return times


def ms(values) -> str:
    return f"{statistics.median(values) * 1000:.0f}" if values else "n/a"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "web_latency.md"))
    args = ap.parse_args(argv)
    from skimage.transform import resize

    image = chroma.read_image(ROOT / "data" / "chelsea.png")
    image = np.rint(resize(image, SIZE, order=1, anti_aliasing=False, preserve_range=True)
                    ).astype(np.uint8)
    load_before = uptime()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chelsea-0.5mp.png"
        chroma.write_image(path, image)
        srv = make_server(path)
        warm_up(srv)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        rows = []
        browser = not args.no_browser and shutil.which("chromium")
        for method in ("prior", "scribble"):
            rng = np.random.default_rng(0)
            r = bench_api_http(srv, image, method, args.runs, rng)
            page = bench_page(srv, method, args.runs, np.random.default_rng(1)) if browser \
                else []
            rows.append((method, r, page))
            print(f"{method}: api {ms(r['api'])} ms, http {ms(r['http'])} ms, "
                  f"page {ms(page)} ms", flush=True)
        srv.shutdown()
        srv.server_close()
    load_after = uptime()
    lines = [
        "# `chroma serve`: hint edit -> result latency at 0.5 MP",
        "",
        f"Written by `benchmarks/web_latency.py --runs {args.runs}` "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs visible).",
        "",
        f"- load before: `{load_before}`",
        f"- load after: `{load_after}`",
        "",
        f"Image: data/chelsea.png resized to {SIZE[1]} x {SIZE[0]} (0.50 MP), the working size "
        "(previews are computed at most at 0.5 MP). Each edit adds or moves one hint (patch 1); "
        f"medians over {args.runs} edits after one warm-up, in milliseconds.",
        "",
        "| method | Python API (`chroma.colorization`) | `POST /api/render` | server compute | "
        "page: click -> preview drawn | http / api |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for method, r, page in rows:
        ratio = statistics.median(r["http"]) / statistics.median(r["api"])
        lines.append(f"| {method} | {ms(r['api'])} | {ms(r['http'])} | {ms(r['compute'])} | "
                     f"{ms(page)} | {ratio:.2f} |")
    lines += [
        "",
        "The page's own overhead is the difference between the HTTP column and the Python "
        "column (the pipeline's conversions, PNG encoding at compress level 1, HTTP on "
        "loopback); the page column adds the hint-suggestion request, PNG decoding and drawing. "
        "Anything over 150 ms shows a \"computing...\" indicator on the page.",
        "",
        "All edits (min / max, ms):",
        "",
    ]
    for method, r, page in rows:
        for k in ("api", "http"):
            lines.append(f"- {method} {k}: {min(r[k]) * 1e3:.0f} / {max(r[k]) * 1e3:.0f}")
        if page:
            lines.append(f"- {method} page: {min(page) * 1e3:.0f} / {max(page) * 1e3:.0f}")
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
