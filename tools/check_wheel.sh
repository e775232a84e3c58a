#!/usr/bin/env bash
# Install chroma as a new user would, from the wheel, in a new virtual environment outside
# the checkout, and use it (issue 18, first "Done when"):
#
#   1. build the wheel (`pip wheel . --no-deps`) from this checkout;
#   2. scan every file in it for machine paths (/work/, /home/, /tmp/): none may appear;
#   3. in a fresh venv, `pip install -c constraints.txt "chroma-image[neural,bench]"`
#      (by name, from the folder holding the wheel; constraints.txt pins the CPU torch);
#   4. `pip show chroma-image` (name, version, license), then `chroma warmup` (the install
#      step the README names: the common kernels compiled into Numba's cache);
#   5. from a folder outside the checkout: `chroma demo`, `chroma colorize` on a photo and
#      `chroma bench --quick` (set CHECK_WHEEL_BENCH_ONLY=PATTERN for an `--only` subset).
#
# Usage: tools/check_wheel.sh [PHOTO]
#   PHOTO   an image of your own to colorize (default: a grayscale copy of data/coffee.png)
# Environment: PYTHON (default python3), CHECK_WHEEL_DIR (default: a new mktemp -d folder),
#   CHECK_WHEEL_BENCH_ONLY (default: unset, the whole --quick run).
# Each step prints its wall time; the script stops at the first failing step (exit 1).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
WORK=${CHECK_WHEEL_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/chroma-wheel.XXXXXX")}
PHOTO=${1:-}

case "$WORK/" in
  "$ROOT"/*) echo "check_wheel: CHECK_WHEEL_DIR must lie outside the checkout ($ROOT)" >&2
             exit 2 ;;
esac
if [[ -n "$PHOTO" && ! -f "$PHOTO" ]]; then
  echo "check_wheel: no such photo: $PHOTO" >&2
  exit 2
fi
mkdir -p "$WORK"
echo "check_wheel: working in $WORK ($(uptime))"

step() {  # step NAME COMMAND...: run, print the wall time, stop on failure
  local name=$1
  shift
  local t0 t1
  t0=$(date +%s.%N)
  if ! "$@"; then
    echo "check_wheel: FAILED: $name" >&2
    exit 1
  fi
  t1=$(date +%s.%N)
  printf 'check_wheel: %-28s ok  %7.1f s\n' "$name" "$(echo "$t1 - $t0" | bc)"
}

build_wheel() {
  rm -rf "$WORK/wheels"
  local had_build=0
  [[ -e "$ROOT/build" ]] && had_build=1
  "$PYTHON" -m pip wheel --no-deps --no-build-isolation -q -w "$WORK/wheels" "$ROOT" \
    > "$WORK/wheel.log" 2>&1 \
    || "$PYTHON" -m pip wheel --no-deps -q -w "$WORK/wheels" "$ROOT" >> "$WORK/wheel.log" 2>&1
  # setuptools builds in <checkout>/build; leave the checkout as it was
  if [[ $had_build == 0 ]]; then rm -rf "$ROOT/build"; fi
  ls "$WORK"/wheels/chroma_image-*.whl
}

scan_wheel() {  # no file in the wheel may name a machine path
  "$PYTHON" - "$WORK"/wheels/chroma_image-*.whl <<'EOF'
import re, sys, zipfile
pattern = re.compile(rb"/(?:work|home|tmp)/[\w.-]+")
hits = []
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for name in wheel.namelist():
        for m in pattern.finditer(wheel.read(name)):
            hits.append(f"{name}: {m.group().decode(errors='replace')}")
print(f"{len(wheel.namelist())} files scanned, {len(hits)} machine paths")
print("\n".join(hits[:20]))
sys.exit(1 if hits else 0)
EOF
}

make_venv() {
  rm -rf "$WORK/venv"
  "$PYTHON" -m venv "$WORK/venv"
  # the pip a venv starts with may predate metadata 2.4 (`pip show` then leaves License
  # empty: the SPDX License-Expression field is shown by newer pips)
  "$WORK/venv/bin/python" -m pip install -q --upgrade pip
  "$WORK/venv/bin/python" -m pip --version
}

install_by_name() {
  # by name, from the folder that holds the wheel; the package index supplies the rest
  "$WORK/venv/bin/python" -m pip install -q --find-links "$WORK/wheels" \
    -c "$ROOT/constraints.txt" "chroma-image[neural,bench]" > "$WORK/install.log" 2>&1 \
    || { tail -20 "$WORK/install.log"; return 1; }
  "$WORK/venv/bin/python" -c "import torch; print('torch', torch.__version__)"
}

show() {
  "$WORK/venv/bin/python" -m pip show chroma-image | tee "$WORK/pip-show.txt"
  grep -qE '^License(-Expression)?: BSD-3-Clause' "$WORK/pip-show.txt"
}

warmup() {
  (cd "$WORK/use" && "$WORK/venv/bin/chroma" warmup --quiet)
}

run_demo() {
  (cd "$WORK/use" && "$WORK/venv/bin/chroma" demo -o demo > demo.log 2>&1) \
    || { tail -20 "$WORK/use/demo.log"; return 1; }
  tail -1 "$WORK/use/demo.log"
  test -f "$WORK/use/demo/index.html"
}

colorize() {
  local photo=$PHOTO
  if [[ -z "$photo" ]]; then
    photo="$WORK/use/gray.png"
    "$WORK/venv/bin/python" -c "
import sys, numpy as np
from chroma.io import read_image, write_image
rgb = read_image(sys.argv[1])
write_image(sys.argv[2], (rgb @ np.array([0.299, 0.587, 0.114])).astype(np.uint8))
" "$ROOT/data/coffee.png" "$photo"
  fi
  (cd "$WORK/use" && "$WORK/venv/bin/chroma" colorize "$photo" -o colorized.png)
  test -s "$WORK/use/colorized.png"
}

bench_quick() {
  local only=()
  if [[ -n "${CHECK_WHEEL_BENCH_ONLY:-}" ]]; then only=(--only "$CHECK_WHEEL_BENCH_ONLY"); fi
  (cd "$WORK/use" && "$WORK/venv/bin/chroma" bench --quick "${only[@]}" --out bench \
     > bench.log 2>&1) || { tail -20 "$WORK/use/bench.log"; return 1; }
  tail -1 "$WORK/use/bench.log"
  test -f "$WORK/use/bench/report.md"
}

step "build the wheel" build_wheel
step "no machine paths in it" scan_wheel
step "new venv" make_venv
step "install chroma-image[neural,bench]" install_by_name
step "pip show" show
mkdir -p "$WORK/use"
step "chroma warmup" warmup
step "chroma demo" run_demo
step "chroma colorize" colorize
step "chroma bench --quick" bench_quick
echo "check_wheel: all steps passed ($WORK; $(uptime))"
