"""Shared output helpers for CLI commands: rich for people, ``--json`` for scripts."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def print_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (no rich markup)."""
    print(json.dumps(data, indent=2, default=str))


def fail(message: str, code: int = 1) -> None:
    """Print an error on stderr and exit with ``code``."""
    import typer

    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)
