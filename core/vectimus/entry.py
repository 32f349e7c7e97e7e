"""The ``vectimus`` console script: ``vectimus hook`` goes straight to the stdlib-only client."""

import sys


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "hook":
        from vectimus.hook_client import main as hook_main

        return hook_main(sys.argv[2:])
    from vectimus.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
