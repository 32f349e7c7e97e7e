"""``vectimus daemon start|stop|status``: the resident evaluator that keeps hook calls fast."""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer

from vectimus.cli import group
from vectimus.cli.output import console, escape, fail, print_json

app = group("The resident evaluator that keeps hook calls fast.")


def _env() -> dict[str, str]:
    from vectimus.daemon import runtime

    if not runtime.supported():
        fail("the resident evaluator needs Linux (unix sockets with SO_PEERCRED); hooks evaluate in-process")
    return dict(os.environ)


def _show(current, json_out: bool) -> None:
    if json_out:
        print_json(current._asdict())
        return
    if current.running:
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(current.started)) if current.started else "?"
        state = "[green]running[/green]" if current.accepting else "[yellow]running, not accepting[/yellow]"
        console.print(f"Vectimus daemon {state}: pid {current.pid}, since {since}")
    else:
        console.print("Vectimus daemon [dim]not running[/dim] (hooks evaluate in-process)")
    console.print(f"  socket {escape(str(current.socket))}")
    console.print(f"  log    {escape(str(current.log))}")


@app.command()
def start(
    project: Path | None = typer.Option(None, "--project", metavar="DIR", help="Project whose config gives [daemon] settings."),
    json_out: bool = typer.Option(False, "--json", help="Print the status as JSON."),
) -> None:
    """Start the daemon in the background.

    Hooks also start it on their first call.
    """
    from vectimus.config import load_config
    from vectimus.daemon import lifecycle
    from vectimus.cli.context import project_root

    env = _env()
    config = load_config(project_root(project), env)
    if not config.daemon_enabled:
        fail("the daemon is disabled by config ([daemon] enabled = false)")
    try:
        current = lifecycle.start(env, config.daemon_idle_timeout)
    except OSError as exc:
        fail(f"cannot start the daemon: {exc}")
    if not current.accepting:
        fail(f"the daemon did not start; see {current.log}")
    _show(current, json_out)


@app.command()
def stop() -> None:
    """Stop the daemon.

    A signal to the pid in its pidfile; the socket cannot stop it.
    """
    from vectimus.daemon import lifecycle

    try:
        pid = lifecycle.stop(_env())
    except OSError as exc:
        fail(f"cannot stop the daemon: {exc}")
    console.print(f"Stopped the Vectimus daemon (pid {pid})" if pid else "The Vectimus daemon was not running")


@app.command()
def status(json_out: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Show whether the daemon runs, its pid, socket and log."""
    from vectimus.daemon import lifecycle

    try:
        current = lifecycle.status(_env())
    except OSError as exc:
        fail(f"cannot use the runtime directory: {exc}")
    _show(current, json_out)


def register(cli: typer.Typer) -> None:
    cli.add_typer(app, name="daemon")
