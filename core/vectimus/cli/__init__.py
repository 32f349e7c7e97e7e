"""The ``vectimus`` command-line interface (typer + rich; never imported on the hook path).

Commands live in one module each under ``vectimus.cli``; every module has a
``register(cli)`` function, called from the built-in plugin's ``register_commands`` hook,
the same hook third-party plugins use to add commands.

Help is plain text (``rich_markup_mode=None``): rich markup would eat ``[mcp]`` or ``[update]``
in help strings, and typer's rich tables label every flag ``<bool>``.
"""

from __future__ import annotations

import typer


def group(help: str, **settings) -> typer.Typer:
    """A command group, as every ``vectimus`` group is made: plain help, usage when called bare."""
    return typer.Typer(help=help, no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                       pretty_exceptions_enable=False,
                       context_settings={"help_option_names": ["-h", "--help"]}, **settings)


app = group("Govern what AI coding agents may do: Cedar policies on every tool call, signed receipts.",
            name="vectimus")


def _show_version(value: bool) -> None:
    if not value:
        return
    from vectimus import __version__
    from vectimus.plugins import plugins_info

    print(f"vectimus {__version__}")
    for row in plugins_info():
        if not row["distribution"].startswith("vectimus (built in)"):
            print(f"  {row['distribution']} {row['version']}")
    raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version,
                                       help="Print the version of vectimus and of each installed plugin.")) -> None:
    """Govern what AI coding agents may do: Cedar policies on every tool call, signed receipts."""


def build_app() -> typer.Typer:
    """The root app with every plugin's commands added."""
    from vectimus.plugins import get_plugin_manager

    get_plugin_manager().hook.register_commands(cli=app)
    return app


def main() -> int:
    """Entry point for every ``vectimus`` command except ``hook`` (``vectimus hook --help`` comes here).

    A ``VectimusError`` from any command is reported here, as ``error: <message>``, and sets the
    exit code: commands raise it rather than catch it.
    """
    from vectimus.errors import VectimusError

    try:
        build_app()(prog_name="vectimus")
    except VectimusError as exc:
        from vectimus.cli.output import error

        error(str(exc))
        return exc.exit_code
    return 0
