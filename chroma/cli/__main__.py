"""``python -m chroma.cli``: the same as ``python -m chroma``."""

import sys

from chroma.cli import main

if __name__ == "__main__":
    sys.exit(main())
