"""``vectimus mcp``: list the MCP servers the agents would start, allow or deny them by name."""

from __future__ import annotations

from pathlib import Path

import typer

from vectimus.cli import group
from vectimus.cli.context import project_root
from vectimus.cli.output import console, err_console, fail, print_json, warn

ProjectOption = typer.Option(None, "--project", "-C", metavar="DIR", help="Project directory (default: the one around the current directory).")


def list_servers(
    project: Path | None = ProjectOption,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the MCP servers declared here and which are allowed.

    Every MCP server declared for this project, where, and whether agents may call it.
    """
    from rich.markup import escape
    from rich.table import Table

    from vectimus import mcp_discovery

    root = project_root(project)
    problems: list[str] = []
    servers = mcp_discovery.discover(root, problems=problems)
    try:
        allowed = set(mcp_discovery.allowed_servers(root))
    except ValueError as exc:
        fail(str(exc))
    for problem in problems:
        err_console.print(f"[yellow]warning:[/yellow] could not read {escape(problem)}")
    if as_json:
        print_json([{"name": s.name, "declared_in": s.declared_in, "agent": s.agent,
                     "command": s.command, "args": list(s.args), "url": s.url,
                     "enabled": s.enabled, "valid": s.valid,
                     "allowed": s.name in allowed and s.valid} for s in servers])
        return
    if not servers:
        console.print("No MCP servers declared for this project.")
        return
    table = Table("server", "where declared", "command / url", "allowed?")
    for s in servers:
        if not s.valid:
            verdict = "[red]no (invalid name)[/red]"
        elif s.name in allowed:
            verdict = "[green]yes[/green]"
        else:
            verdict = "[red]no[/red]"
        name = escape(s.name) if s.enabled else f"{escape(s.name)} [dim](disabled)[/dim]"
        table.add_row(name, escape(s.declared_in), escape(s.target), verdict)
    console.print(table)


def allow(names: list[str] = typer.Argument(..., metavar="NAME...", help="Server names."),
          project: Path | None = ProjectOption,
          force: bool = typer.Option(False, "--force", help="Allow names no agent config here declares.")) -> None:
    """Let agents call these MCP servers.

    Adds them to [mcp] allowed in .vectimus/config.toml.
    """
    _edit("allow", names, project, force)


def deny(names: list[str] = typer.Argument(..., metavar="NAME...", help="Server names."),
         project: Path | None = ProjectOption) -> None:
    """Stop agents calling these MCP servers.

    Removes them from [mcp] allowed.
    """
    _edit("deny", names, project, force=True)


def _edit(verb: str, names: list[str], project: Path | None, force: bool) -> None:
    from vectimus import mcp_discovery

    root = project_root(project)
    try:
        for name in names:
            mcp_discovery.validate_name(name)
    except ValueError as exc:
        fail(str(exc))
    declared = sorted({s.name for s in mcp_discovery.discover(root) if s.valid})
    unknown = [n for n in names if n not in declared]
    if unknown and not force:
        fail(f"no MCP server named {', '.join(unknown)} is declared for this project "
             f"(declared: {', '.join(declared) or 'none'}; see `vectimus mcp list`). Use --force to allow it anyway.")
    try:
        allowed = getattr(mcp_discovery, verb)(root, names)
    except ValueError as exc:
        fail(str(exc))
    shown = ", ".join(allowed) if allowed else "(none)"
    console.print(f"{mcp_discovery.config_path(root)}: allowed MCP servers: {shown}", markup=False, soft_wrap=True)
    if verb == "allow":
        try:
            effective = set(mcp_discovery.allowed_servers(root))
        except ValueError as exc:
            fail(f"the edited configuration does not load: {exc}")
        if not set(names) <= effective:
            warn("written, but not in effect: this project's config is not trusted, so the servers it allows "
                 "stay denied (review it and run `vectimus trust`, or allow them in ~/.vectimus/config.toml)")


def register(cli: typer.Typer) -> None:
    app = group("MCP servers: discover them and choose which ones agents may call.")
    app.command("list")(list_servers)
    app.command()(allow)
    app.command()(deny)
    cli.add_typer(app, name="mcp")
