"""``vectimus doctor``: prove each installed hook is still there and still blocks.

For every agent ``vectimus init`` installed in the project: its hook entry must be in the agent's
config, the installed command's program must exist, and the exact installed command, run the way
the agent runs it, must answer the adapter's canary event (a call every default policy set denies)
with a deny. The canary is a real call through the real hook, so it leaves a receipt, marked
``synthetic`` (reports show canaries apart from the agent's calls), as does every hook call an
adapter's own checks make (OpenCode's plugin loaded as OpenCode loads it); doctor then seals the log.
"""

from __future__ import annotations

import json
import os
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import typer

from vectimus.cli.context import PROJECT_OPT, project_root
from vectimus.cli.output import console, escape, print_json

CANARY_TIMEOUT = 30
SYNTHETIC = "VECTIMUS_SYNTHETIC"  # set for the hook: its receipt is a canary's, not an agent's call
DENY_KEYS = ("permissionDecision", "permission", "decision")


@dataclass
class Check:
    """One thing doctor looked at."""

    agent: str
    name: str
    ok: bool
    detail: str = ""
    warning: bool = False  # not a failure, but a weakness the user must know about

    def as_dict(self) -> dict:
        return {"agent": self.agent, "check": self.name, "ok": self.ok, "detail": self.detail,
                "warning": self.warning}


@dataclass
class Diagnosis:
    project: Path
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, agent: str, name: str, ok: bool, detail: str = "", *, warning: bool = False) -> bool:
        self.checks.append(Check(agent, name, ok, detail, warning))
        return ok


def denies(stdout: str, exit_code: int) -> bool:
    """Whether a hook's answer is a deny, in any agent's format (exit 2, or a deny/block field)."""
    if exit_code == 2:
        return True
    try:
        data = json.loads(stdout) if stdout.strip() else None
    except ValueError:
        return False

    def walk(value) -> bool:
        if isinstance(value, dict):
            return any((k in DENY_KEYS and v in ("deny", "block")) or walk(v) for k, v in value.items())
        return False

    return walk(data)


def run_canary(command: str, event: dict, project: Path) -> subprocess.CompletedProcess:
    """Run the installed hook command through the shell, from the project, with the canary on stdin.

    ``VECTIMUS_SYNTHETIC=doctor`` marks its receipt as a canary rather than an agent's call.
    """
    return subprocess.run(command, shell=True, input=json.dumps(event), capture_output=True, text=True,
                          cwd=project, timeout=CANARY_TIMEOUT, env={**os.environ, SYNTHETIC: "doctor"})


@contextmanager
def synthetic():
    """Mark every hook call made inside (by an adapter's own checks) as doctor's canary."""
    before = os.environ.get(SYNTHETIC)
    os.environ[SYNTHETIC] = "doctor"
    try:
        yield
    finally:
        if before is None:
            del os.environ[SYNTHETIC]
        else:
            os.environ[SYNTHETIC] = before


def seal(diagnosis: Diagnosis, config) -> None:
    """Seal the canaries' receipts with a checkpoint, so they never leave the log unsealed."""
    from vectimus.locations import user_home
    from vectimus.provenance import origin
    from vectimus.receipts.chain import checkpoint

    try:
        checkpoint(diagnosis.project, home=user_home(), config=config.data, reason="doctor",
                   origin=origin(os.environ, diagnosis.project, config))
    except Exception as exc:
        diagnosis.add("-", "receipts sealed", False, f"cannot seal the canaries' receipts: {exc}")


def check_agent(diagnosis: Diagnosis, adapter, project: Path) -> None:
    """The checks for one installed agent."""
    from vectimus.install import command_runs

    name = adapter.name
    try:
        commands = adapter.installed_commands(project)
    except Exception as exc:
        diagnosis.add(name, "config entry", False, f"cannot read the agent's config: {exc}")
        return
    if not diagnosis.add(name, "config entry", bool(commands),
                         f"{len(commands)} hook command(s)" if commands
                         else "the hook entry is gone from the agent's config: run `vectimus init` again"):
        return
    for command in dict.fromkeys(commands):
        if not diagnosis.add(name, "command exists", command_runs(command), command):
            continue
        try:
            done = run_canary(command, adapter.canary_event(project), project)
        except subprocess.TimeoutExpired:
            diagnosis.add(name, "canary denied", False, f"no answer within {CANARY_TIMEOUT}s: {command}")
            continue
        blocked = denies(done.stdout, done.returncode)
        detail = (f"denied: {done.stdout.strip()[:160] or done.stderr.strip()[:160]}" if blocked else
                  f"NOT denied (exit {done.returncode}, stdout {done.stdout.strip()[:120]!r}, "
                  f"stderr {done.stderr.strip()[:120]!r})")
        diagnosis.add(name, "canary denied", blocked, detail)
    with synthetic():
        found = adapter.diagnose(project)
    for check, ok, detail in found:
        diagnosis.add(name, check, ok, detail)
    if adapter.fails_open:
        diagnosis.add(name, "fails closed", True, f"NO: {adapter.fails_open}", warning=True)


def diagnose(project: Path) -> Diagnosis:
    """Every check for the project."""
    from vectimus.config import ConfigError, load_config
    from vectimus.plugins import agents as installed_agents
    from vectimus.policies import PolicyError, load_policy_set
    from vectimus.sink_status import sink_statuses

    diagnosis = Diagnosis(project)
    try:
        config = load_config(project)
        policies = load_policy_set(project, config)
    except (ConfigError, PolicyError) as exc:
        diagnosis.add("-", "config and policies", False, str(exc))
        return diagnosis
    diagnosis.add("-", "config and policies", True,
                  f"{len(policies.policies)} policies, mode {config.mode}, ci {config.ci}")
    agents = list(config.agents)
    if not diagnosis.add("-", "hooks installed", bool(agents),
                         ", ".join(agents) if agents else "no agent hook installed here: run `vectimus init`"):
        return diagnosis
    adapters = {a.name: a for a in installed_agents()}
    for name in agents:
        if name not in adapters:
            diagnosis.add(name, "adapter installed", False, f"pip install vectimus-{name}")
            continue
        check_agent(diagnosis, adapters[name], project)
    for name, state in sink_statuses(project, os.environ, config.data, probe=True).items():
        diagnosis.add("-", f"receipt sink {name}", bool(state.get("ok")), str(state.get("summary", "")))
    seal(diagnosis, config)
    return diagnosis


def doctor(
    project: Path | None = PROJECT_OPT,
    json_out: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
) -> None:
    """Check that every installed hook is in place and really denies.

    Exit 1 on any problem.
    """
    diagnosis = diagnose(project_root(project))
    if json_out:
        print_json({"project": str(diagnosis.project), "ok": diagnosis.ok,
                    "checks": [c.as_dict() for c in diagnosis.checks]})
    else:
        _show(diagnosis)
    if not diagnosis.ok:
        raise typer.Exit(1)


def _show(diagnosis: Diagnosis) -> None:
    from rich.table import Table

    table = Table("", "agent", "check", "detail", title=f"vectimus doctor — {escape(str(diagnosis.project))}")
    for c in diagnosis.checks:
        mark = "[yellow]![/yellow]" if c.warning else "[green]✓[/green]" if c.ok else "[red]✗[/red]"
        table.add_row(mark, escape(c.agent), c.name, escape(c.detail))
    console.print(table)
    for c in diagnosis.checks:
        if c.warning:
            console.print(f"[yellow]! {c.agent}[/yellow]: {escape(c.detail)}", soft_wrap=True)
    bad = [c for c in diagnosis.checks if not c.ok]
    if bad:
        console.print(f"[red]✗ {len(bad)} problem(s)[/red]: the hooks above marked ✗ do not protect this project")
    else:
        console.print("[green]✓ every installed hook is in place and denies the canary[/green]")


def register(cli: typer.Typer) -> None:
    cli.command()(doctor)
