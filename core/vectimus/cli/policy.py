"""``vectimus policy``: list, show, lint, test and update the policies that govern the agent.

Tuning them (packs, rules, mode) is ``vectimus.cli.tuning``.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich import box
from rich.table import Column, Table

from vectimus.cli import group
from vectimus.cli.context import JSON_OPT, PROJECT_OPT, project_root, resolved
from vectimus.cli.output import console, escape, fail, print_json

policy_app = group("List, show, lint, test and update policies.")

# -- policy ----------------------------------------------------------------------------------

@policy_app.command("list")
def list_policies(project: Path | None = PROJECT_OPT, json_out: bool = JSON_OPT) -> None:
    """Every active policy: id, pack, level and description.

    The level is the enforcement after config (temporary overrides marked *).
    """
    from vectimus.cli.tuning import temporary_overrides

    config, policy_set = resolved(project_root(project))
    temporary = {row["policy"]: row for row in temporary_overrides(config) if row["active"]}
    rows = []
    for pid, policy in sorted(policy_set.policies.items()):
        level = config.rule_enforcement(pid, policy.enforcement)
        rows.append({"id": pid, "pack": policy.pack, "enforcement": level or "disabled",
                     "declared": policy.enforcement, "description": policy.description,
                     "until": temporary[pid]["until"] if pid in temporary else None})
    if json_out:
        print_json(rows)
        return
    grid = Table(Column("id", no_wrap=True), Column("pack", no_wrap=True),
                 Column("level", no_wrap=True), "description", box=box.SIMPLE_HEAD)
    for row in rows:
        level = row["enforcement"]
        style = {"deny": "red", "ask": "yellow", "observe": "cyan"}.get(level, "dim")
        mark = "*" if row["until"] else ""
        grid.add_row(escape(row["id"]), escape(row["pack"]), f"[{style}]{level}[/{style}]{mark}", escape(row["description"]))
    console.print(grid)
    for pid, row in temporary.items():
        console.print(f"* {pid}: {row['sets']} {row['shown']} (temporary)", markup=False, highlight=False)
    console.print(f"{len(rows)} policies, mode={config.mode}")


@policy_app.command("show")
def show(policy_id: str = typer.Argument(..., metavar="ID", help="The policy id, e.g. vectimus-destruct-001."),
         project: Path | None = PROJECT_OPT, json_out: bool = JSON_OPT) -> None:
    """One policy: what it blocks, incident, controls, source.

    Its incident and the compliance controls it maps to, its Cedar source and its examples.
    """
    from vectimus.controls import FRAMEWORKS, OTHER, controls_of
    from vectimus.examples import pack_examples
    from vectimus.policy_source import policy_chunks

    config, policy_set = resolved(project_root(project))
    policy = policy_set.policies.get(policy_id)
    if policy is None:
        fail(f"no active policy {policy_id} (see `vectimus policy list`)")
    chunk = next((c for c in policy_chunks(Path(policy.file).read_text(encoding="utf-8")) if c.id == policy_id), None)
    pack = next((p for p in policy_set.packs if p.name == policy.pack), None)
    examples = [e for e in pack_examples(pack.path) if e.policy == policy_id] if pack else []
    notes = policy.annotations
    data = {"id": policy_id, "pack": policy.pack, "file": policy.file, "line": chunk.line if chunk else None,
            "enforcement": config.rule_enforcement(policy_id, policy.enforcement) or "disabled",
            "declared": policy.enforcement, "description": policy.description,
            "suggested_alternative": notes.get("suggested_alternative", ""), "incident": notes.get("incident", ""),
            "controls": controls_of(notes), "annotations": notes, "source": chunk.text if chunk else "",
            "examples": {k: [e.label for e in examples if e.expect == k] for k in ("block", "allow")}}
    if json_out:
        print_json(data)
        return
    level = data["enforcement"] + ("" if data["enforcement"] == policy.enforcement else f" (pack: {policy.enforcement})")
    console.print(f"[bold]{escape(policy_id)}[/bold]  pack {escape(policy.pack)}  {escape(level)}")
    shown = {"id", "description", "suggested_alternative", "incident", "enforcement", OTHER, *FRAMEWORKS}
    rows = [("blocks", policy.description), ("instead", data["suggested_alternative"]),
            ("incident", data["incident"]), ("controls", " · ".join(data["controls"])),
            *((key, str(value)) for key, value in notes.items() if key not in shown),
            ("source", f"{policy.file}:{data['line']}" if chunk else policy.file)]
    for key, value in rows:
        if value:
            console.print(f"  [bold]{key}[/bold]: {escape(value)}", highlight=False, soft_wrap=True)
    console.print()
    console.print(data["source"], markup=False, highlight=False, soft_wrap=True)
    for kind in ("block", "allow"):
        console.print(f"\n[bold]must {kind}[/bold]")
        for label in data["examples"][kind]:
            console.print(f"  {label}", markup=False, highlight=False, soft_wrap=True)


@policy_app.command("lint")
def lint_cmd(path: Path | None = typer.Argument(None, metavar="PATH", help="A pack directory or a directory of packs (default: the bundled packs)."),
             json_out: bool = JSON_OPT) -> None:
    """Check packs: every problem at once, by @id and file:line.

    Syntax, required annotations, control ids, schema, duplicate ids, evaluation errors, examples.
    """
    from vectimus.policy_check import find_packs
    from vectimus.policy_lint import lint

    packs = find_packs(path)
    problems = lint(packs, alongside_bundled=path is not None)
    if json_out:
        print_json({"packs": [p.name for p in packs], "problems": [p.as_dict() for p in problems],
                    "ok": not problems})
    else:
        for problem in problems:
            console.print(f"[red]✗[/red] {escape(str(problem))}", highlight=False, soft_wrap=True)
        policies = sum(1 for pack in packs for _ in pack.policy_files())
        console.print(f"{len(packs)} packs ({policies} files) checked: "
                      + ("[green]no problems[/green]" if not problems else f"[red]{len(problems)} problems[/red]"))
    if problems:
        raise typer.Exit(1)


@policy_app.command("test")
def test_cmd(path: Path | None = typer.Argument(None, metavar="PATH", help="A pack directory or a directory of packs (default: the bundled packs)."),
             jobs: int = typer.Option(4, "--jobs", "-j", metavar="N", help="Hook calls run in parallel."),
             verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every example, not only failures."),
             json_out: bool = JSON_OPT) -> None:
    """Run every example of a pack through a real hook.

    Every must-block / must-allow example, through the installed hook of a throwaway project.
    """
    from vectimus.policy_check import find_packs, run_examples

    packs = find_packs(path)
    results = run_examples(packs, jobs=jobs)
    failed = [r for r in results if r.problem]
    if json_out:
        print_json({"total": len(results), "failed": len(failed), "results": [r.as_dict() for r in results]})
    else:
        for r in results:
            if r.problem or verbose:
                mark = "[red]✗[/red]" if r.problem else "[green]✓[/green]"
                line = (f"{r.where}: {r.example.policy} {r.example.expect}: "
                        f"{r.example.label.replace(chr(10), '⏎')[:100]}  → {r.decision}"
                        + (f"  ({r.problem})" if r.problem else ""))
                console.print(f"{mark} {escape(line)}", highlight=False, soft_wrap=True)
        console.print(f"{len(results)} examples from {len(packs)} packs: "
                      + (f"[red]{len(failed)} failed[/red]" if failed else "[green]all passed[/green]"))
    if failed or not results:
        raise typer.Exit(1)


@policy_app.command("update")
def update_cmd(url: str | None = typer.Option(None, "--url", metavar="URL", help="Bundle URL (default: [update] url in the user config)."),
               public_key: str | None = typer.Option(None, "--public-key", metavar="KEY", help="Pinned Ed25519 public key, base64 or PEM (default: [update] public_key)."),
               json_out: bool = JSON_OPT) -> None:
    """Fetch a signed pack bundle, verify it, install it.

    Verified against the pinned Ed25519 key before anything changes.
    """
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
            raise typer.Exit(1) from None
        fail(f"update failed, the current packs are kept: {exc}")
    if json_out:
        print_json({"ok": True, "changed": result.changed, "sequence": result.sequence,
                    "packs": list(result.packs), "path": str(result.path), "message": result.message})
        return
    console.print(f"[green]✓[/green] {escape(result.message)}: {escape(', '.join(result.packs))}")


def register(cli: typer.Typer) -> None:
    cli.add_typer(policy_app, name="policy")
