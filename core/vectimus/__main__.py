"""``python -m vectimus``: the same as the ``vectimus`` command."""

import sys

from vectimus.entry import main

sys.exit(main())
