"""``vectimus init``, ``remove`` and ``status``: put Vectimus into a project and show its state."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from vectimus.cli.context import PROJECT_OPT, project_root
from vectimus.cli.output import console, err_console, escape, fail, print_json


def init(
    ci: bool = typer.Option(False, "--ci", help="Unattended: no prompts, every installed adapter, identity 'agent'."),
    agent: list[str] = typer.Option([], "--agent", "-a", metavar="NAME", help="Only these agents (repeatable)."),
    allow_mcp: bool = typer.Option(False, "--allow-mcp", help="Allow the MCP servers declared in the project."),
    project: Path | None = PROJECT_OPT,
    json_out: bool = typer.Option(False, "--json", help="Print what was done as JSON."),
) -> None:
    """Install the hooks of the agents whose adapters are installed.

    On a terminal it offers the agents it detects here and asks about each MCP server they declare;
    `--ci` and `--agent` ask nothing.
    """
    from vectimus.cli import init_questions as ask
    from vectimus.install import init_project
    from vectimus.plugins import agents

    root = project_root(project)
    home = Path.home()
    found = agents()
    if agent:
        unknown = sorted(set(agent) - {a.name for a in found})
        if unknown:
            fail(f"no adapter installed for: {', '.join(unknown)} (pip install vectimus-{unknown[0]})")
        found = [a for a in found if a.name in agent]
    if not found:
        fail("no agent adapters are installed: pip install vectimus-claude "
             "(or -codex, -copilot, -cursor, -gemini, -droid, -opencode)")
    interactive = not ci and not agent
    if interactive:
        if not sys.stdin.isatty():
            fail("no terminal to ask on: use `vectimus init --ci` or name agents with --agent")
        found = ask.choose_agents(found, root, home)
    servers = ask.declared_servers(root, home, found)
    mcp_allowed: list[str] | None
    if allow_mcp:
        mcp_allowed = sorted({s.name for s in servers if s.valid})
    elif interactive:
        mcp_allowed = ask.choose_servers(servers, set(_allowed_servers(root)))
    else:
        mcp_allowed = [] if ci else None
    result = init_project(root, found, ci=ci, mcp_allowed=mcp_allowed)
    if result.key:
        _summarise_key(result.key)
    if json_out:
        print_json({"project": str(root), "agents": result.agents, "mcp_allowed": result.mcp_allowed,
                    "files": [str(f) for f in result.files], "notes": result.notes, "key": result.key})
        return
    console.print(f"[bold]Vectimus[/bold] installed in {escape(str(root))}")
    for name in result.agents:
        console.print(f"  [green]✓[/green] {escape(name)}")
    for path in result.files:
        console.print(f"  wrote {path}", markup=False)
    for note in result.notes:
        console.print(note, markup=False, highlight=False)
    if result.key:
        console.print(f"Job signing key {result.key}\n  an anchor: this job's receipts verify with "
                      f"`vectimus verify --key {result.key}`", markup=False, highlight=False, soft_wrap=True)
    ask.next_steps(result.agents, ask.not_allowed(servers, _allowed_servers(root)))


def _summarise_key(fingerprint: str) -> None:
    """Write the job key's fingerprint to the GitHub step summary, where the agent (started later) cannot change it."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary:
        return
    text = (f"\n### Vectimus: this job's signing key\n\n`{fingerprint}`\n\n"
            "Recorded by `vectimus init --ci` before the agent started. Only this key may sign the job's receipts: "
            f"`vectimus verify … --key {fingerprint}` (the session's summary gives the whole command).\n")
    try:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        err_console.print(f"warning: cannot write the job summary {summary}: {exc}", markup=False)


def _allowed_servers(root: Path) -> list[str]:
    """The MCP servers allowed here as the hook resolves them ([] when the config does not load)."""
    from vectimus.mcp_discovery import allowed_servers

    try:
        return allowed_servers(root)
    except ValueError:
        return []


def remove(
    project: Path | None = PROJECT_OPT,
) -> None:
    """Remove the hooks init installed; receipts, keys and config stay."""
    from vectimus.install import remove_project
    from vectimus.plugins import agents

    root = project_root(project)
    changed = remove_project(root, agents())
    if not changed:
        console.print(f"No Vectimus hooks were installed in {root}", markup=False)
    for path in changed:
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        if path.exists():
            console.print(f"  removed the Vectimus hooks from {shown}", soft_wrap=True, markup=False)
        else:
            console.print(f"  deleted {shown} (it held only Vectimus hooks)", soft_wrap=True, markup=False)


def status(
    project: Path | None = PROJECT_OPT,
    json_out: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Show the configuration, hooks and policy packs in force here."""
    from vectimus.cli.tuning import temporary_overrides
    from vectimus.config import load_config
    from vectimus.install import command_runs
    from vectimus.plugins import agents
    from vectimus.policies import load_policy_set
    from vectimus.sink_status import sink_statuses

    root = project_root(project)
    config = load_config(root)
    policy_set = load_policy_set(root, config)
    hooks = {a.name: a.installed_commands(root) for a in agents()}
    sinks = sink_statuses(root, os.environ, config.data)
    data: dict[str, Any] = {
        "project": str(root),
        "mode": config.mode, "ci": config.ci, "identity_type": config.identity_type,
        "groups": list(config.groups), "trusted": config.trusted, "config_files": list(config.sources),
        "ignored_from_project": list(config.ignored),
        "hooks": {name: [{"command": c, "runs": command_runs(c)} for c in cmds] for name, cmds in hooks.items()},
        "packs": sorted({p.name for p in policy_set.packs}), "policies": len(policy_set.policies),
        "policy_digest": policy_set.digest, "mcp_allowed": list(config.mcp_allowed), "sinks": sinks,
        "temporary_overrides": temporary_overrides(config),
    }
    if json_out:
        print_json(data)
        return
    console.print(f"[bold]Project[/bold] {escape(str(root))}  mode=[bold]{config.mode}[/bold] ci={config.ci} "
                  f"identity={config.identity_type} groups={escape(','.join(config.groups)) or '-'}")
    if config.ignored:
        console.print(f"[yellow]Ignored from the untrusted project config:[/yellow] {escape(', '.join(config.ignored))}")
    grid = Table("agent", "hook", "runs")
    for name, cmds in hooks.items():
        for c in cmds or [""]:
            grid.add_row(escape(name), escape(c) or "[dim]not installed[/dim]", ("yes" if command_runs(c) else "[red]no[/red]") if c else "")
    console.print(grid)
    console.print(f"{len(policy_set.policies)} policies from packs: {', '.join(data['packs'])}", markup=False)
    for name, state in sinks.items():
        mark = "[green]✓[/green]" if state.get("ok") else "[red]✗[/red]"
        console.print(f"{mark} receipt sink {name}: {escape(str(state.get('summary', '')))}", soft_wrap=True)
    for row in data["temporary_overrides"]:
        note = "" if row["active"] else f", expired: `vectimus rule reset {row['policy']}` removes it"
        console.print(f"Temporary: {row['policy']} {row['sets']} {row['shown']}{note}", markup=False,
                      highlight=False, soft_wrap=True)


def trust(
    project: Path | None = PROJECT_OPT,
    yes: bool = typer.Option(False, "--yes", help="Trust without asking."),
    revoke: bool = typer.Option(False, "--revoke", help="Stop trusting the project's config."),
) -> None:
    """Review the project's own config and trust it as it is now."""
    from vectimus.config import load_config
    from vectimus.config_edit import trust_project, untrust_project
    from vectimus.locations import project_config

    root = project_root(project)
    if revoke:
        untrust_project(root)
        console.print(f"No longer trusting {project_config(root)}", markup=False)
        return
    path = project_config(root)
    if not path.exists():
        fail(f"{path} does not exist: there is nothing to trust")
    config = load_config(root)
    if config.trusted:
        console.print(f"{path} is already trusted as it is", markup=False)
        return
    if config.ignored:
        console.print(f"Trusting it lets {escape(str(path))} loosen: [bold]{escape(', '.join(config.ignored))}[/bold]")
    console.print(path.read_text(encoding="utf-8"), markup=False, highlight=False)
    if not yes and not typer.confirm(f"Trust {path} as shown?", default=False):
        raise typer.Exit(1)
    trust_project(root)
    console.print(f"Trusted {path} (until it changes)", markup=False)


def register(cli: typer.Typer) -> None:
    cli.command()(init)
    cli.command()(remove)
    cli.command()(status)
    cli.command()(trust)
