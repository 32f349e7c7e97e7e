"""``vectimus policy|pack|rule|mode``: inspect, test and tune the policies that govern the agent.

Settings go to the project's ``.vectimus/config.toml`` by default (``--user`` for
``~/.vectimus/config.toml``), edited with tomlkit so comments survive. An untrusted project's
config can only tighten: loosening edits made there are reported as ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Column, Table

from vectimus.cli import group
from vectimus.cli.output import console, escape, fail, print_json, warn

policy_app = group("List, show, lint, test and update policies.")
pack_app = group("List, enable and disable policy packs.")
rule_app = group("Disable, enable or set the enforcement of one policy.")

PROJECT_OPT = typer.Option(None, "--project", metavar="DIR", help="Project directory (default: the git top level).")
USER_OPT = typer.Option(False, "--user", help="Edit ~/.vectimus/config.toml instead of the project's config.")
JSON_OPT = typer.Option(False, "--json", help="Print as JSON.")


def _root(project: Optional[Path]) -> Path:
    from vectimus.install import project_root

    return project_root(project or Path.cwd())


def _loaded(root: Path):
    from vectimus.config import ConfigError, load_config
    from vectimus.policies import PolicyError, load_policy_set

    try:
        config = load_config(root)
        return config, load_policy_set(root, config)
    except (ConfigError, PolicyError) as exc:
        fail(str(exc))


def _all_packs(root: Path):
    from vectimus.plugins import collect
    from vectimus.policies import active_packs

    return active_packs([p for source in collect("register_pack_sources") for p in source.packs(root)])


def _edit(root: Path, user: bool, mutate) -> None:
    """Apply ``mutate`` to the chosen config file, then say if the project ignores it."""
    from vectimus.config import ConfigError, load_config
    from vectimus.config_edit import edit_project_config, edit_toml
    from vectimus.locations import project_config, user_config

    if user:
        edit_toml(user_config(), mutate)
        console.print(f"updated {user_config()}", markup=False)
    else:
        edit_project_config(root, mutate)
        console.print(f"updated {project_config(root)}", markup=False)
    try:
        config = load_config(root)
    except ConfigError as exc:
        fail(f"the edited configuration does not load: {exc}")
    if config.ignored:
        warn("this project's config is not trusted, so these settings are ignored: "
             f"{', '.join(config.ignored)} (use --user, or trust the project)")


# -- policy ----------------------------------------------------------------------------------

@policy_app.command("list")
def list_policies(project: Optional[Path] = PROJECT_OPT, json_out: bool = JSON_OPT) -> None:
    """Every active policy: id, pack, enforcement (after config) and description."""
    config, policy_set = _loaded(_root(project))
    rows = []
    for pid, policy in sorted(policy_set.policies.items()):
        level = config.rule_enforcement(pid, policy.enforcement)
        rows.append({"id": pid, "pack": policy.pack, "enforcement": level or "disabled",
                     "declared": policy.enforcement, "description": policy.description})
    if json_out:
        print_json(rows)
        return
    grid = Table(Column("id", no_wrap=True), Column("pack", no_wrap=True),
                 Column("enforcement", no_wrap=True), "description")
    for row in rows:
        level = row["enforcement"]
        style = {"deny": "red", "ask": "yellow", "observe": "cyan"}.get(level, "dim")
        grid.add_row(escape(row["id"]), escape(row["pack"]), f"[{style}]{level}[/{style}]", escape(row["description"]))
    console.print(grid)
    console.print(f"{len(rows)} policies, mode={config.mode}")


@policy_app.command("show")
def show(policy_id: str = typer.Argument(..., metavar="ID", help="The policy id, e.g. vectimus-destruct-001."),
         project: Optional[Path] = PROJECT_OPT, json_out: bool = JSON_OPT) -> None:
    """A policy's source, annotations and examples."""
    from vectimus.examples import pack_examples
    from vectimus.policy_check import policy_source

    config, policy_set = _loaded(_root(project))
    policy = policy_set.policies.get(policy_id)
    if policy is None:
        fail(f"no active policy {policy_id} (see `vectimus policy list`)")
    source = policy_source(Path(policy.file).read_text(encoding="utf-8")).get(policy_id, "")
    pack = next((p for p in policy_set.packs if p.name == policy.pack), None)
    examples = [e for e in pack_examples(pack.path) if e.policy == policy_id] if pack else []
    data = {"id": policy_id, "pack": policy.pack, "file": policy.file, "annotations": policy.annotations,
            "enforcement": config.rule_enforcement(policy_id, policy.enforcement) or "disabled",
            "source": source,
            "examples": {k: [e.label for e in examples if e.expect == k] for k in ("block", "allow")}}
    if json_out:
        print_json(data)
        return
    console.print(f"[bold]{escape(policy_id)}[/bold]  pack={escape(policy.pack)}  enforcement={data['enforcement']}")
    for key, value in policy.annotations.items():
        if key != "id":
            console.print(f"  [bold]{escape(key)}[/bold]: {escape(str(value))}")
    console.print(f"\n[dim]{escape(policy.file)}[/dim]")
    console.print(source, markup=False, highlight=False, soft_wrap=True)
    for kind in ("block", "allow"):
        console.print(f"\n[bold]must {kind}[/bold]")
        for label in data["examples"][kind]:
            console.print(f"  {label}", markup=False, highlight=False, soft_wrap=True)


@policy_app.command("lint")
def lint_cmd(path: Optional[Path] = typer.Argument(None, metavar="PATH", help="A pack directory or a directory of packs (default: the bundled packs)."),
             json_out: bool = JSON_OPT) -> None:
    """Check packs: schema validation, unique ids, required annotations, examples for every policy."""
    from vectimus.policies import PolicyError
    from vectimus.policy_check import find_packs, lint

    try:
        packs = find_packs(path)
    except PolicyError as exc:
        fail(str(exc))
    problems = lint(packs, alongside_bundled=path is not None)
    if json_out:
        print_json({"packs": [p.name for p in packs], "problems": problems, "ok": not problems})
    else:
        for problem in problems:
            console.print(f"[red]✗[/red] {escape(problem)}", highlight=False)
        console.print(f"{len(packs)} packs checked: " + ("[green]no problems[/green]" if not problems
                                                         else f"[red]{len(problems)} problems[/red]"))
    if problems:
        raise typer.Exit(1)


@policy_app.command("test")
def test_cmd(path: Optional[Path] = typer.Argument(None, metavar="PATH", help="A pack directory or a directory of packs (default: the bundled packs)."),
             jobs: int = typer.Option(4, "--jobs", "-j", metavar="N", help="Hook calls run in parallel."),
             verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every example, not only failures."),
             json_out: bool = JSON_OPT) -> None:
    """Run every must-block / must-allow example through the real hook of a throwaway project."""
    from vectimus.policies import PolicyError
    from vectimus.policy_check import find_packs, run_examples

    try:
        packs = find_packs(path)
        results = run_examples(packs, jobs=jobs)
    except PolicyError as exc:
        fail(str(exc))
    failed = [r for r in results if r.problem]
    if json_out:
        print_json({"total": len(results), "failed": len(failed), "results": [r.as_dict() for r in results]})
    else:
        for r in results:
            if r.problem or verbose:
                mark = "[red]✗[/red]" if r.problem else "[green]✓[/green]"
                console.print(f"{mark} {escape(r.example.policy)} {r.example.expect}: ", end="")
                console.print(r.example.label.replace("\n", "⏎")[:100], markup=False, highlight=False, end="")
                console.print(f"  → {r.decision}" + (f"  ({r.problem})" if r.problem else ""),
                              markup=False, highlight=False)
        console.print(f"{len(results)} examples from {len(packs)} packs: "
                      + (f"[red]{len(failed)} failed[/red]" if failed else "[green]all passed[/green]"))
    if failed or not results:
        raise typer.Exit(1)


@policy_app.command("update")
def update_cmd(url: Optional[str] = typer.Option(None, "--url", metavar="URL", help="Bundle URL (default: [update] url in the user config)."),
               public_key: Optional[str] = typer.Option(None, "--public-key", metavar="KEY", help="Pinned Ed25519 public key, base64 or PEM (default: [update] public_key)."),
               json_out: bool = JSON_OPT) -> None:
    """Fetch a signed pack bundle, verify it against the pinned key, and install it."""
    import tomllib

    from vectimus.locations import user_config
    from vectimus.policy_update import UpdateError, update

    try:
        settings = tomllib.loads(user_config().read_text(encoding="utf-8")).get("update", {})
    except FileNotFoundError:
        settings = {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        fail(f"cannot read {user_config()}: {exc}")
    try:
        result = update(url or settings.get("url", ""), public_key or settings.get("public_key", ""))
    except UpdateError as exc:
        if json_out:
            print_json({"ok": False, "error": str(exc), "changed": False})
            raise typer.Exit(1)
        fail(f"update failed, the current packs are kept: {exc}")
    if json_out:
        print_json({"ok": True, "changed": result.changed, "sequence": result.sequence,
                    "packs": list(result.packs), "path": str(result.path), "message": result.message})
        return
    console.print(f"[green]✓[/green] {escape(result.message)}: {escape(', '.join(result.packs))}")


# -- pack ------------------------------------------------------------------------------------

@pack_app.command("list")
def pack_list(project: Optional[Path] = PROJECT_OPT, json_out: bool = JSON_OPT) -> None:
    """Every pack from every source, and whether it is enabled here."""
    from vectimus.policies import pack_enabled

    root = _root(project)
    config, _ = _loaded(root)
    rows = [{"name": p.name, "origin": p.origin, "enabled": pack_enabled(p, config),
             "description": p.description, "path": str(p.path)} for p in _all_packs(root)]
    if json_out:
        print_json(rows)
        return
    grid = Table("pack", "source", "enabled", "description")
    for row in rows:
        grid.add_row(escape(row["name"]), escape(row["origin"]), "[green]yes[/green]" if row["enabled"] else "[dim]no[/dim]",
                     escape(row["description"]))
    console.print(grid)


def _set_pack(name: str, enable: bool, root: Path, user: bool) -> None:
    from vectimus.config_edit import table

    if name not in {p.name for p in _all_packs(root)}:
        fail(f"no pack named {name} (see `vectimus pack list`)")

    def mutate(doc):
        packs = table(doc, "packs")
        for key in ("enabled", "disabled"):
            values = [v for v in packs.get(key, []) if v != name]
            if key == ("enabled" if enable else "disabled"):
                values.append(name)
            packs[key] = values

    _edit(root, user, mutate)


@pack_app.command("enable")
def pack_enable(name: str, project: Optional[Path] = PROJECT_OPT, user: bool = USER_OPT) -> None:
    """Enable a pack."""
    _set_pack(name, True, _root(project), user)


@pack_app.command("disable")
def pack_disable(name: str, project: Optional[Path] = PROJECT_OPT, user: bool = USER_OPT) -> None:
    """Disable a pack."""
    _set_pack(name, False, _root(project), user)


# -- rule ------------------------------------------------------------------------------------

def _set_rule(policy_id: str, root: Path, user: bool, **values) -> None:
    from vectimus.config_edit import table

    _, policy_set = _loaded(root)
    if policy_id not in policy_set.policies:
        warn(f"{policy_id} is not an active policy here")

    def mutate(doc):
        rule = table(doc, "rules", policy_id)
        for key, value in values.items():
            if value is None:
                rule.pop(key, None)
            else:
                rule[key] = value

    _edit(root, user, mutate)


@rule_app.command("disable")
def rule_disable(policy_id: str, project: Optional[Path] = PROJECT_OPT, user: bool = USER_OPT) -> None:
    """Switch one policy off."""
    _set_rule(policy_id, _root(project), user, enabled=False)


@rule_app.command("enable")
def rule_enable(policy_id: str, project: Optional[Path] = PROJECT_OPT, user: bool = USER_OPT) -> None:
    """Switch one policy back on."""
    _set_rule(policy_id, _root(project), user, enabled=True)


@rule_app.command("enforce")
def rule_enforce(policy_id: str,
                 level: str = typer.Option(..., "--level", "-l", metavar="LEVEL", help="deny | ask | observe"),
                 project: Optional[Path] = PROJECT_OPT, user: bool = USER_OPT) -> None:
    """Set how one policy is enforced: deny, ask (a human approves) or observe (log only)."""
    from vectimus.config import ENFORCEMENTS

    if level not in ENFORCEMENTS:
        fail(f"--level must be one of {', '.join(ENFORCEMENTS)}")
    _set_rule(policy_id, _root(project), user, enforcement=level)


# -- mode ------------------------------------------------------------------------------------

def mode(value: str = typer.Argument(..., metavar="observe|enforce", help="observe: record what would be denied and allow it."),
         project: Optional[Path] = PROJECT_OPT, user: bool = USER_OPT) -> None:
    """Switch between enforcing the policies and observing (monitor mode)."""
    from vectimus.config import MODES

    if value not in MODES:
        fail(f"mode must be one of {', '.join(MODES)}")

    def mutate(doc):
        doc["mode"] = value

    _edit(_root(project), user, mutate)


def register(cli: typer.Typer) -> None:
    cli.add_typer(policy_app, name="policy")
    cli.add_typer(pack_app, name="pack")
    cli.add_typer(rule_app, name="rule")
    cli.command("mode")(mode)
