"""Shared output helpers for CLI commands: rich for people, ``--json`` for scripts.

Text that comes from data (names, paths, reasons, config keys such as ``[mcp]``) goes through
``escape`` before it is put in a rich markup string, or is printed with ``markup=False``.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)

__all__ = ["console", "err_console", "error", "escape", "fail", "print_json", "warn"]


def print_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (no rich markup)."""
    print(json.dumps(data, indent=2, default=str))


def warn(message: str) -> None:
    """A warning on stderr; ``message`` is plain text (never markup)."""
    err_console.print(f"[yellow]warning:[/yellow] {escape(message)}", highlight=False, soft_wrap=True)


def error(message: str) -> None:
    """Print an error on stderr; ``message`` is plain text (never markup)."""
    err_console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error on stderr (``message`` is plain text, never markup) and exit with ``code``.

    An error a lower layer raised as a ``VectimusError`` needs no catching: ``vectimus.cli.main``
    reports it the same way."""
    import typer

    error(message)
    raise typer.Exit(code)
