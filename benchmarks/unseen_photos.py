"""Build a third photo set, *unseen*: photographs in neither train nor eval.

Wave 1's colorizer met its colorfulness bar on the eval photos and missed it on photos it
had never seen, and session 3's defaults, chosen on the 10 training photos the training
run held out, met their bars there and missed them on eval. Ten photos are too few to
choose decoding defaults on. This script builds a second selection set, from photos that
neither the training run nor the eval protocol has touched: the photographs among the
Ubuntu Touch (Lomiri) wallpapers that Debian 12 packages, each with its Creative Commons
license from the package's ``debian/copyright``.

The photos are not redistributable with chroma (CC BY-SA, attribution): they are fetched
from the Debian archive with ``apt-get download`` (a package registry), never committed,
and written to ``photos_unseen/`` (git-ignored) with a ``MANIFEST.tsv`` like the shared
sets'. They are for choosing defaults (held out from train), never for training.

Run: ``python benchmarks/unseen_photos.py [--out photos_unseen]``; it needs apt-get and
the Debian archive. Without them it says so and stops.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LONG_SIDE = 1024  # as the shared sets
# (package, file under usr/share/backgrounds, license from debian/copyright); the
# abstract renderings of those packages (and of ukui-wallpapers) are left out by hand
PHOTOS = [
    ("lomiri-wallpapers-16.04", "Bridge_by_Sander_Klootwijk.jpg", "CC-BY-SA-4.0"),
    ("lomiri-wallpapers-16.04", "Dragonfly_by_Bolly.jpg", "CC-BY-SA-4.0"),
    ("lomiri-wallpapers-16.04", "Picture_0B_by_freespace.jpg", "CC-BY-4.0"),
    ("lomiri-wallpapers-16.04", "Picture_1A_by_freespace.jpg", "CC-BY-4.0"),
    ("lomiri-wallpapers-16.04", "Wine_by_Jakkub_Mede.jpg", "see debian/copyright"),
    ("lomiri-wallpapers-16.04", "aitzgorri_by_Aitzol_Berasategi.jpg", "CC-BY-4.0"),
    ("lomiri-wallpapers-16.04", "analogpattern_by_Peter_Nerlich.jpg", "CC-BY-SA-4.0"),
    ("lomiri-wallpapers-16.04", "free_by_Peter_Nerlich.jpg", "CC-BY-SA-4.0"),
    ("lomiri-wallpapers-16.04", "friends_by_Aitzol_Berasategi.jpg", "CC-BY-4.0"),
    ("lomiri-wallpapers-16.04", "greentock_by_Peter_Nerlich.jpg", "CC-BY-SA-4.0"),
    ("lomiri-wallpapers-16.04", "life_by_Aitzol_Berasategi.jpg", "CC-BY-4.0"),
    ("lomiri-wallpapers-16.04", "picosdeeuropa_by_Aitzol_Berasategi.jpg", "CC-BY-4.0"),
    ("lomiri-wallpapers-16.04", "seeding_by_Clements_Engelhardt.jpg", "CC0-1.0"),
    ("lomiri-wallpapers-16.04", "sunset_by_Aitzol_Berasategi.jpg", "CC-BY-4.0"),
    ("lomiri-wallpapers-20.04", "Infinite-Sea_by_Aury88.jpg", "see debian/copyright"),
    ("lomiri-wallpapers-20.04", "Kleiber_by_Lukas_Baubkus.jpg", "see debian/copyright"),
]


def _license(copyright_text: str, name: str) -> str | None:
    """The ``License:`` line of the ``Files:`` stanza that names *name*."""
    for stanza in copyright_text.split("\n\n"):
        lines = stanza.splitlines()
        if lines and lines[0].startswith("Files:") and name in lines[0]:
            for line in lines:
                if line.startswith("License:"):
                    return line.split(":", 1)[1].strip()
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "photos_unseen")
    args = ap.parse_args(argv)
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        sys.exit("apt-get / dpkg-deb not found: the unseen photos come from the Debian archive")
    from PIL import Image

    packages = sorted({p for p, _, _ in PHOTOS})
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run(["apt-get", "download", *packages], cwd=tmp,
                             capture_output=True, text=True)
        if run.returncode:
            sys.exit("apt-get download failed (no Debian archive here?): "
                     + run.stderr.strip().splitlines()[-1])
        versions = {}
        for deb in Path(tmp).glob("*.deb"):
            pkg, version = deb.name.split("_")[:2]
            versions[pkg] = version
            subprocess.run(["dpkg-deb", "-x", str(deb), str(Path(tmp) / pkg)], check=True)
        args.out.mkdir(parents=True, exist_ok=True)
        rows = ["file\tsource_package\tlicense\toriginal_size\tsize\tnote"]
        for pkg, name, fallback in PHOTOS:
            root = Path(tmp) / pkg
            src = root / "usr/share/backgrounds" / name
            doc = next((root / "usr/share/doc").glob("*/copyright"))
            lic = _license(doc.read_text(errors="replace"), name) or fallback
            img = Image.open(src).convert("RGB")
            w, h = img.size
            s = LONG_SIDE / max(w, h)
            small = img.resize((round(w * s), round(h * s)), Image.LANCZOS)
            dest = args.out / f"{pkg}__{name}"
            small.save(dest, quality=95)
            rows.append(f"{dest.name}\t{pkg} {versions[pkg]} (Debian 12)\t{lic} "
                        f"(per debian/copyright)\t{w}x{h}\t{small.width}x{small.height}\t")
        (args.out / "MANIFEST.tsv").write_text("\n".join(rows) + "\n")
    print(f"{len(PHOTOS)} photos in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
