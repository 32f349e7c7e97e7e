"""``python -I -m vectimus.daemon``: the resident evaluator in the foreground (see ``server``)."""

import sys

from vectimus.daemon.server import main

sys.exit(main())
