"""``vectimus explain``: what the analyser sees in a call, and what each action was decided."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.tree import Tree

from vectimus.cli.output import console, fail, print_json

COLOURS = {"allow": "green", "observe": "cyan", "ask": "yellow", "deny": "red"}


def _facts(action) -> dict:
    """The facts of an action that differ from their defaults (what a policy could test)."""
    shown: dict[str, Any] = {}
    for name, value in action._asdict().items():
        if name in ("kind", "resource"):
            continue
        if hasattr(value, "_asdict"):  # a facts record (target, net, pkg, mcp)
            inner = {k: v for k, v in value._asdict().items() if v not in ("", 0, False, (), [])}
            if inner:
                shown[name] = inner
        elif value not in ("", False, (), None):
            shown[name] = list(value) if isinstance(value, tuple) else value
    return shown


def explain(
    ctx: typer.Context,
    command: str | None = typer.Argument(None, metavar="COMMAND", help="A shell command (after --), as the agent's shell tool would send it."),
    agent: str = typer.Option("claude", "--agent", "-a", metavar="NAME", help="Read this agent's event JSON from stdin instead."),
    cwd: Path | None = typer.Option(None, "--cwd", metavar="DIR", help="Working directory of the call (default: here)."),
    json_out: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Show how a call is analysed and judged, without recording it.

    The actions and facts the analyser finds in the call, and the decision each gets.
    `vectimus explain -- 'rm -rf ~'` explains a shell command; `vectimus explain --agent claude
    < event.json` explains a hook event as that agent sends it. Nothing is recorded: no receipt
    is written for an explanation.
    """
    if command is None and sys.stdin.isatty():  # nothing given, and nobody will type an event
        console.print(ctx.get_help(), markup=False, highlight=False)
        raise typer.Exit(0)
    from vectimus.adapter import AdapterError, SessionEvent
    from vectimus.engine import Trace
    from vectimus.hook.evaluate import Evaluation
    from vectimus.hook.respond import decode_event
    from vectimus.plugins import find_agent

    env = dict(os.environ)
    where = str((cwd or Path.cwd()).resolve())
    adapter = find_agent(agent)
    if adapter is None:
        fail(f"no adapter installed for agent {agent!r}")
    if command is not None:
        claude = find_agent("claude")
        if claude is None:
            fail("--command is sent as Claude Code's Bash tool: install vectimus-claude")
        adapter, event = claude, {
            "session_id": "explain", "cwd": where, "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": {"command": command}, "tool_use_id": "explain", "permission_mode": "default"}
    else:
        event = decode_event(sys.stdin.buffer.read())
    try:
        call = adapter.parse(event, env)
    except AdapterError as exc:
        fail(f"the hook would deny this event: {exc}")
    if isinstance(call, SessionEvent):
        fail(f"{call.event} is a session event: nothing to decide")
    evaluation = Evaluation(call.project_dir, env)
    trace = Trace()
    decision = evaluation.engine.decide(call, env, can_ask=adapter.supports_ask, trace=trace, remember=False)
    actions = [{"kind": r["action"], "resource": r["resource"], "decision": r["decision"],
                "policies": r["policies"], "errors": r["errors"]} for r in trace.requests]
    if json_out:
        facts = [_facts(v.action) for v in decision.verdicts]
        print_json({"decision": decision.decision, "reason": decision.reason, "policies": list(decision.policies),
                    "actions": [{**a, "facts": f} for a, f in zip(actions, facts)] if facts else actions})
        return
    colour = COLOURS[decision.decision]
    tree = Tree(f"[bold {colour}]{decision.decision}[/]  {escape(call.tool)}: "
                f"{escape(call.command or ' '.join(call.paths) or call.url or call.mcp_tool or '')}")
    if decision.reason:
        tree.add(f"[dim]{escape(decision.reason)}[/dim]")
    for verdict in decision.verdicts:
        a = verdict.action
        c = COLOURS[verdict.decision]
        node = tree.add(f"[{c}]{verdict.decision}[/]  [bold]{a.kind}[/bold] {escape(a.resource)}"
                        + (f"  ← {', '.join(verdict.policies)}" if verdict.policies else ""))
        for key, value in _facts(a).items():
            node.add(f"{key}: {escape(json.dumps(value))}")
    if not decision.verdicts and not decision.errors:
        tree.add("[dim]no actions: nothing outside the agent itself happens[/dim]")
    console.print(tree)


def register(cli: typer.Typer) -> None:
    cli.command()(explain)
