"""What interactive ``vectimus init`` asks, and what every ``init`` says at the end.

It offers the agents it detects here (any other installed adapter can be named), asks about each
MCP server those agents declare (an MCP server not allowed is denied at every call), and ends with
the next steps. ``init --ci`` and ``init --agent`` ask nothing.
"""

from __future__ import annotations

from pathlib import Path

import typer

from vectimus.cli.output import console, escape, fail


def choose_agents(adapters: list, root: Path, home: Path) -> list:
    """The adapters to install: the detected ones unless the person names others."""
    detected = [a for a in adapters if a.detect(root, home)]
    console.print("Agents with an adapter installed:")
    for a in adapters:
        mark = "[green]detected here[/green]" if a in detected else "[dim]not detected[/dim]"
        console.print(f"  {escape(a.name):<10} {escape(a.display_name or a.name):<16} {mark}")
    default = ",".join(a.name for a in detected or adapters)
    answer = typer.prompt("Protect which agents (comma-separated names)", default=default)
    names = [n.strip() for n in answer.replace(" ", ",").split(",") if n.strip()]
    unknown = sorted(set(names) - {a.name for a in adapters})
    if unknown:
        fail(f"no adapter installed for: {', '.join(unknown)} (choose from {', '.join(a.name for a in adapters)})")
    if not names:
        fail("no agent chosen: nothing to install")
    return [a for a in adapters if a.name in names]


def declared_servers(root: Path, home: Path, agents: list) -> list:
    """The MCP servers the chosen agents declare for this project (user-wide declarations included)."""
    from vectimus.mcp_discovery import discover

    return discover(root, home, agents=tuple(a.name for a in agents))


def choose_servers(servers: list, allowed: set[str]) -> list[str]:
    """Ask about each declared MCP server not yet allowed; the names the person allows."""
    chosen: list[str] = []
    asked: set[str] = set()
    for server in servers:
        if server.name in allowed or server.name in asked:
            continue
        asked.add(server.name)
        if not server.valid:
            console.print(f"MCP server {server.name!r} in {server.declared_in} cannot be allowed (invalid name)",
                          markup=False, highlight=False)
            continue
        off = "" if server.enabled else ", disabled there"
        if typer.confirm(f"Allow MCP server {server.name} ({server.declared_in}: {server.target or '?'}{off})?",
                         default=False):
            chosen.append(server.name)
    return chosen


def not_allowed(servers: list, allowed: list[str]) -> list[str]:
    """Declared MCP servers whose calls will be denied."""
    return sorted({s.name for s in servers if s.name not in allowed})


def next_steps(agents: list[str], denied_servers: list[str]) -> None:
    """What to do after init."""
    console.print("\n[bold]Next[/bold]")
    steps = [("vectimus doctor", "check each hook is in place and really denies"),
             ("vectimus status", "what is in force here: mode, packs, hooks"),
             ("vectimus explain -- 'COMMAND'", "how a command would be judged (runs nothing)")]
    if denied_servers:
        steps.append(("vectimus mcp allow NAME", f"let the agent call {', '.join(denied_servers)} (denied until then)"))
    steps.append(("vectimus report", "what the agent did, once it has run"))
    width = max(len(cmd) for cmd, _ in steps)
    for cmd, what in steps:
        console.print(f"  {cmd:<{width}}  {what}", markup=False, highlight=False, soft_wrap=True)
    if agents:
        console.print(f"Start {', '.join(agents)} here: every tool call now goes through Vectimus.",
                      markup=False, highlight=False, soft_wrap=True)
