"""``vectimus hook``: listed in ``--help`` with its own help text.

The hook itself never runs through typer: ``vectimus.entry`` hands every ``vectimus hook`` call
except ``--help`` straight to the standard-library client, before this module could be imported.
"""

from __future__ import annotations

import typer


def hook(agent: str = typer.Option(..., "--agent", metavar="NAME",
                                   help="The agent whose event arrives on stdin (claude, codex, cursor, copilot, …).")) -> None:
    """The hook an agent runs before every tool call.

    One event as JSON on stdin; the agent's answer on stdout and in the exit code. `vectimus init` installs it (as `python -I -S …/hook_script.py`, the same code without the
    console script). Feed it an event by hand to see what the agent would be told:
    `vectimus hook --agent claude < event.json`. Anything it cannot decide is a deny (exit 2).
    """
    from vectimus.hook.client import run

    run(["--agent", agent])


def register(cli: typer.Typer) -> None:
    cli.command()(hook)
