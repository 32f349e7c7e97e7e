"""The ``vectimus`` console script: ``vectimus hook`` goes straight to the stdlib-only client.

``vectimus hook --help`` is the one ``hook`` spelling that goes to the CLI, for its help text.
"""

import sys


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "hook" and "--help" not in sys.argv and "-h" not in sys.argv:
        return hook(sys.argv[2:])
    from vectimus.cli import main as cli_main

    return cli_main()


def hook(argv: list[str]) -> int:
    """One hook call, as a short-lived process: no cyclic GC, and no interpreter teardown.

    The process lives for one decision, so collecting cycles is wasted work, and so is tearing
    down the modules evaluation imported (about a tenth of an in-process call). Every file the
    hook writes is closed before ``vectimus.hook.client.main`` returns and its answer is flushed, so
    leaving through ``os._exit`` loses nothing.
    """
    import gc
    import os

    gc.disable()
    from vectimus.hook.client import main as hook_main

    code = hook_main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
