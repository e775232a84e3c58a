"""``python -m chroma``: the command line (see :mod:`chroma.cli`)."""

import sys

from chroma.cli import main

if __name__ == "__main__":
    sys.exit(main())
