"""``chroma serve``: a local page to colorize, splash and grade by hand."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "serve",
        help="open a local page to place color hints, paint splash masks and grade by hand",
        description="Serve a local page (no network, no CDN) to colorize with point hints, "
        "paint a splash mask and transfer colors from a reference, then export the result, "
        "the hints, the mask and a recipe that `chroma run` replays to the same pixels. "
        "It listens on 127.0.0.1 and every request needs the session token in the printed "
        "URL. Stop it with Ctrl-C.",
        epilog="example: chroma serve data/chelsea.png --reference sunset.jpg",
    )
    p.add_argument("image", metavar="IMAGE", nargs="?", default=None,
                   help="image to open (else drop one on the page)")
    p.add_argument("--reference", metavar="REF", default=None,
                   help="reference photo (palette suggestions, transfer, welsh)")
    p.add_argument("--port", type=int, default=0,
                   help="port to listen on (default: a random free port)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; another one is reachable "
                   "from other machines)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--verbose", action="store_true", help="log every request")
    p.set_defaults(func=run)


def run(args) -> int:
    import signal
    import sys
    import threading

    from chroma.web.server import _is_loopback, make_server, warm_up

    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port must be in [0, 65535], got {args.port}")
    server = make_server(args.image, args.reference, host=args.host, port=args.port,
                         verbose=args.verbose)
    if not _is_loopback(args.host):
        print(f"chroma serve: warning: listening on {args.host}, not on loopback: anyone who "
              "can reach this machine and learns the URL can use the page", file=sys.stderr)
    print(f"chroma serve: open {server.url}", flush=True)
    print("chroma serve: press Ctrl-C to stop", flush=True)
    threading.Thread(target=warm_up, args=(server,), daemon=True).start()
    if not args.no_browser:
        import webbrowser

        webbrowser.open(server.url)
    # Ctrl-C stops it even when it was started with SIGINT ignored (a disposition inherited
    # from the parent: a background job of a script, a test runner): Python then installs
    # no handler of its own and the server could only be killed
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("chroma serve: stopped", file=sys.stderr)
    finally:
        server.server_close()
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return 0
