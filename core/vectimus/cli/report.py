"""``vectimus report [PATH]``: render a verified receipt log as Markdown, JSON or an HTML audit page."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from vectimus.cli.output import err_console


def report(
    path: Optional[Path] = typer.Argument(None, help="Receipts directory or receipt file "
                                                    "(default: this project's .vectimus/receipts/)."),
    keys: Optional[Path] = typer.Option(None, "--keys", help="Directory of trusted *.pub keys "
                                                            "(default: keys/ beside the receipts directory)."),
    fmt: str = typer.Option("markdown", "--format", "-f", help="markdown, json or html."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
    session: Optional[str] = typer.Option(None, "--session", help="Only this session's decisions."),
    sealed: bool = typer.Option(False, "--sealed", help="Count receipts after the last checkpoint as a failure."),
) -> None:
    """Verify the receipts, then render them; exit 1 when verification fails (the report says why)."""
    from vectimus.report import FORMATS, load, render

    if fmt not in FORMATS:
        err_console.print(f"[red]error:[/red] --format must be one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    if path is None:
        from vectimus.install import project_root

        cwd = project_root(Path.cwd())
    else:
        cwd = Path.cwd()
    log = load(path, keys, cwd=cwd, sealed=sealed)
    if session is not None:
        log = log.only_session(session)
    text = render(log, fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {output}")
    if not log.verified:
        err_console.print("[red]✗ the receipts did not verify[/red]: see the report's verification section")
        raise typer.Exit(1)


def register(cli: typer.Typer) -> None:
    cli.command()(report)
