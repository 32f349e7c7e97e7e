"""The ``vectimus`` command-line interface (typer + rich; never imported on the hook path).

Commands live in one module each under ``vectimus.cli``; every module has a
``register(cli)`` function, called from the built-in plugin's ``register_commands`` hook,
the same hook third-party plugins use to add commands.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="vectimus",
    help="Govern what AI coding agents may do: Cedar policies on every tool call, signed receipts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def build_app() -> typer.Typer:
    """The root app with every plugin's commands added."""
    from vectimus.plugins import get_plugin_manager

    get_plugin_manager().hook.register_commands(cli=app)
    return app


def main() -> int:
    """Entry point for every ``vectimus`` command except ``hook``."""
    build_app()(prog_name="vectimus")
    return 0
