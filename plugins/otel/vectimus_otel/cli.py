"""``vectimus otel status|flush``: what the spool holds, and exporting it now (e.g. a CI job's last step)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from vectimus.cli.output import console, fail, print_json

app = typer.Typer(help="OpenTelemetry export of decisions (vectimus-otel).", no_args_is_help=True)


def _context(project: Path | None):
    from vectimus.cli.context import project_root
    from vectimus.config import load_config
    from vectimus.locations import user_home
    from vectimus.sinks import SinkContext

    root = project_root(project)
    env = dict(os.environ)
    config = load_config(root, env)
    return SinkContext(root, user_home(env), config.data, env)


def _show(state: dict, json_out: bool) -> None:
    if json_out:
        print_json(state)
    else:
        mark = "[green]✓[/green]" if state["ok"] else "[red]✗[/red]"
        console.print(f"{mark} {state['summary']}", highlight=False, soft_wrap=True)
    if not state["ok"]:
        raise typer.Exit(1)


@app.command()
def status(
    project: Path | None = typer.Option(None, "--project", help="Project whose config applies."),
    json_out: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Decisions spooled, sent, dropped and pending, and the last export's outcome; exit 1 on a problem."""
    from vectimus_otel.sink import OtelSink

    _show(OtelSink().status(_context(project)), json_out)


@app.command()
def flush(
    project: Path | None = typer.Option(None, "--project", help="Project whose config applies."),
    timeout: float | None = typer.Option(None, "--timeout", help="Seconds to spend at most "
                                                                      "(default: otel.flush_timeout, 5)."),
    json_out: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Export what is spooled now, then show the counts; exit 1 when something is left or failed."""
    from vectimus_otel.export import flush as export_now
    from vectimus_otel.settings import resolve
    from vectimus_otel.sink import OtelSink
    from vectimus_otel.spool import Spool

    ctx = _context(project)
    settings = resolve(ctx.env, ctx.config)
    if not settings.active:
        fail(settings.problem or "OTEL_EXPORTER_OTLP_ENDPOINT is not set: nothing to export to")
    outcome = export_now(Spool(ctx.home), settings, timeout or settings.flush_timeout)
    state = OtelSink().status(ctx)
    state["ok"] = state["ok"] and not outcome.error and not state["pending"]
    _show(state, json_out)


def register(cli: typer.Typer) -> None:
    cli.add_typer(app, name="otel")
