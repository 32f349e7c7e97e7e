"""The ``vectimus`` console script: ``vectimus hook`` goes straight to the stdlib-only client.

``vectimus hook --help`` is the one ``hook`` spelling that goes to the CLI, for its help text.
"""

import sys


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "hook" and "--help" not in sys.argv and "-h" not in sys.argv:
        from vectimus.hook.client import run

        return run(sys.argv[2:])
    from vectimus.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
