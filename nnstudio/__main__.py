"""``python -m nnstudio``: the same as the ``nnstudio`` command."""

import sys

from .cli import main

sys.exit(main())
