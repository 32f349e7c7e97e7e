"""``vectimus plugins``: what is installed, from which distribution, implementing which hooks."""

from __future__ import annotations

import typer
from rich.table import Table

from vectimus.cli.output import console, escape, print_json


def plugins(json_out: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """List the plugins loaded (built in and installed) and their hooks."""
    from vectimus.plugins import plugins_info

    rows = plugins_info()
    if json_out:
        print_json(rows)
        return
    grid = Table("name", "distribution", "version", "hooks")
    for row in rows:
        grid.add_row(*(escape(str(v)) for v in (row["name"], row["distribution"], row["version"], ", ".join(row["hooks"]))))
    console.print(grid)


def register(cli: typer.Typer) -> None:
    cli.command()(plugins)
