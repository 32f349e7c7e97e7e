"""The file the installed hook command runs: ``python -I -S …/vectimus/hook_script.py --agent NAME``.

``-S`` skips ``site``, a few milliseconds of every tool call: this file puts the directory its
package is installed in on ``sys.path`` itself, which is all the resident evaluator's client needs,
and ``vectimus.hook.client`` runs ``site`` (``.pth`` files, editable installs) only when it must evaluate
in-process. ``-I`` keeps the agent's ``PYTHON*`` variables and the user's site-packages out.
``vectimus hook --agent NAME`` does the same through the console script, with ``site``.
"""

import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from vectimus.hook.client import run

    run(sys.argv[1:])
