"""``vectimus pack|rule|mode``: tune which policies apply and how, in a config file.

Settings go to the project's ``.vectimus/config.toml`` by default (``--user`` for
``~/.vectimus/config.toml``), edited with tomlkit so comments survive. A name no pack defines is
refused unless ``--force``. After every edit the configuration is resolved again, and when the
edit is not in effect (an untrusted project's loosening, a layer or the environment that takes
precedence) the command says why.
"""

from __future__ import annotations

import difflib
import os
from datetime import datetime, UTC
from pathlib import Path
from collections.abc import Callable

import typer

from vectimus.cli import group
from vectimus.cli.context import PROJECT_OPT, all_packs, known_policies, parse_duration, project_root, resolved
from vectimus.cli.output import console, escape, fail, print_json, warn

pack_app = group("List, enable and disable policy packs.")
rule_app = group("Disable, enable, reset or set the level of one policy.")

USER_OPT = typer.Option(False, "--user", help="Edit ~/.vectimus/config.toml instead of the project's config.")
FORCE_OPT = typer.Option(False, "--force", help="Write the setting even though no installed pack defines the name.")
FOR_OPT = typer.Option(None, "--for", metavar="DURATION",
                       help="Only for this long (30m, 2h, 1d, 1h30m); then the rule's other settings apply again.")
ID_ARG = typer.Argument(..., metavar="ID", help="The policy id, e.g. vectimus-git-002.")


def _unknown(kind: str, name: str, known, listing: str) -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.85)
    hint = f"did you mean {' or '.join(close)}?" if close else f"see `{listing}`"
    return f"no {kind} named {name} ({hint}). Use --force to write it anyway."


def _file(root: Path, user: bool) -> Path:
    from vectimus.locations import project_config, user_config

    return user_config() if user else project_config(root)


def _layer(path: Path) -> dict:
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def not_in_effect(root: Path, user: bool, key: str, config) -> str:
    """Why a setting written at ``key`` (dotted) in the chosen file is not what resolves."""
    from vectimus.locations import project_config

    if not user and any(key == i or key.startswith(f"{i}.") or i.startswith(f"{key}.") for i in config.ignored):
        return ("this project's config is not trusted, so it may only tighten and this is ignored "
                "(use --user, or review and `vectimus trust` it)")
    if key == "mode" and os.environ.get("VECTIMUS_MODE"):
        return f"VECTIMUS_MODE={os.environ['VECTIMUS_MODE']} in the environment takes precedence"
    node: object = _layer(project_config(root))
    for part in key.split(".") if user else ():
        node = node.get(part) if isinstance(node, dict) else None
    if user and node is not None:
        return f"{project_config(root)} sets {key} too, and the project's config takes precedence"
    rule = (config.rules.get(key.split(".", 1)[1]) or {}) if key.startswith("rules.") else {}
    temporary = rule.get("temporary")
    if temporary and temporary["until"] > datetime.now(UTC):
        return (f"a temporary override applies{_when(temporary['until'])} "
                "(`vectimus rule enable` or `rule reset` ends it)")
    if rule.get("floor"):
        return "this project's config raises the rule's level, and an untrusted project may tighten"
    return "another setting takes precedence (see `vectimus status`)"


def edit(root: Path, user: bool, key: str, mutate: Callable, holds: Callable, done: str) -> None:
    """Write ``mutate`` to the chosen config, then check ``holds(config, policy_set)`` as resolved.

    ``done`` says what was set; when it does not hold, a warning says why it is not in effect.
    """
    from vectimus.config import ConfigError, load_config
    from vectimus.config_edit import edit_project_config, edit_toml
    from vectimus.policies import PolicyError, load_policy_set

    path = _file(root, user)
    if user:
        edit_toml(path, mutate)
    else:
        edit_project_config(root, mutate)
    console.print(f"{done} (in {path})", markup=False, highlight=False, soft_wrap=True)
    try:
        config = load_config(root)
        policy_set = load_policy_set(root, config)
    except (ConfigError, PolicyError) as exc:
        fail(f"the edited configuration does not load: {exc}")
    if not holds(config, policy_set):
        warn(f"written, but not in effect: {not_in_effect(root, user, key, config)}")


def temporary_overrides(config) -> list[dict]:
    """Every temporary rule override in the resolved config: what it sets, until when, whether it still counts."""
    now = datetime.now(UTC)
    rows = []
    for policy_id, rule in sorted(config.rules.items()):
        temporary = (rule or {}).get("temporary")
        if temporary:
            sets = "disabled" if temporary.get("enabled") is False else temporary.get("enforcement", "enabled")
            rows.append({"policy": policy_id, "sets": sets, "until": temporary["until"].isoformat(),
                         "active": temporary["until"] > now, "shown": _when(temporary["until"]).strip()})
    return rows


# -- pack ------------------------------------------------------------------------------------

@pack_app.command("list")
def pack_list(project: Path | None = PROJECT_OPT,
              json_out: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Every pack from every source, and whether it is enabled here."""
    from rich.table import Table

    from vectimus.policies import pack_enabled

    root = project_root(project)
    config, _ = resolved(root)
    rows = [{"name": p.name, "origin": p.origin, "enabled": pack_enabled(p, config),
             "description": p.description, "path": str(p.path)} for p in all_packs(root)]
    if json_out:
        print_json(rows)
        return
    grid = Table("pack", "source", "enabled", "description")
    for row in rows:
        grid.add_row(escape(row["name"]), escape(row["origin"]),
                     "[green]yes[/green]" if row["enabled"] else "[dim]no[/dim]", escape(row["description"]))
    console.print(grid)


def _set_pack(name: str, enable: bool, root: Path, user: bool, force: bool) -> None:
    from vectimus.config_edit import table
    from vectimus.policies import pack_enabled

    packs = [p for p in all_packs(root) if p.name == name]
    if not packs and not force:
        fail(_unknown("pack", name, {p.name for p in all_packs(root)}, "vectimus pack list"))
    if not enable and packs and all(p.origin == "project" for p in packs):
        fail(f"{name} is this project's own pack ({packs[0].path}): a project's packs are always on "
             "and can only add forbids; delete that directory to drop it")

    def mutate(doc):
        section = table(doc, "packs")
        for key in ("enabled", "disabled"):
            values = [v for v in section.get(key, []) if v != name]
            if key == ("enabled" if enable else "disabled"):
                values.append(name)
            section[key] = values

    def holds(config, _policy_set) -> bool:
        return all(pack_enabled(p, config) is enable for p in packs if p.origin != "project")

    edit(root, user, f"packs.{'enabled' if enable else 'disabled'}", mutate, holds,
         f"pack {name}: {'enabled' if enable else 'disabled'}")


@pack_app.command("enable")
def pack_enable(name: str = typer.Argument(..., metavar="NAME", help="The pack's name (`vectimus pack list`)."),
                project: Path | None = PROJECT_OPT, user: bool = USER_OPT, force: bool = FORCE_OPT) -> None:
    """Enable a pack."""
    _set_pack(name, True, project_root(project), user, force)


@pack_app.command("disable")
def pack_disable(name: str = typer.Argument(..., metavar="NAME", help="The pack's name (`vectimus pack list`)."),
                 project: Path | None = PROJECT_OPT, user: bool = USER_OPT, force: bool = FORCE_OPT) -> None:
    """Disable a pack."""
    _set_pack(name, False, project_root(project), user, force)


# -- rule ------------------------------------------------------------------------------------

def _set_rule(policy_id: str, root: Path, user: bool, force: bool, values: dict, done: str,
              holds: Callable[[str | None], bool], *, until: datetime | None = None,
              clear_temporary: bool = False) -> None:
    """Write ``values`` (or, with ``until``, a temporary override of them) for one rule."""
    import tomlkit

    from vectimus.config_edit import table

    known = known_policies(root)
    if policy_id not in known and not force:
        fail(_unknown("policy", policy_id, known, "vectimus policy list"))

    def mutate(doc):
        rule = table(doc, "rules", policy_id)
        if until is not None:
            temporary = tomlkit.inline_table()
            temporary.update({**values, "until": until})
            rule["temporary"] = temporary
            return
        for key, value in values.items():
            rule[key] = value
        if clear_temporary:
            rule.pop("temporary", None)

    def check(config, policy_set) -> bool:
        policy = known.get(policy_id)
        return policy is None or holds(config.rule_enforcement(policy_id, policy.enforcement))

    edit(root, user, f"rules.{policy_id}", mutate, check, done)
    policy = known.get(policy_id)
    if policy is not None and policy_id not in resolved(root)[1].policies:
        console.print(f"note: its pack {policy.pack} is not enabled here; the setting applies once it is "
                      f"(vectimus pack enable {policy.pack})", markup=False, highlight=False)


def _until(duration: str | None) -> datetime | None:
    if duration is None:
        return None
    return (datetime.now(UTC) + parse_duration(duration, "--for")).replace(microsecond=0)


def _when(until: datetime | None) -> str:
    """`` until 14:30 UTC`` (today) or `` until 2026-02-01 14:30 UTC``, in local time; '' for None."""
    if until is None:
        return ""
    local = until.astimezone()
    day = "" if local.date() == datetime.now().astimezone().date() else local.strftime("%Y-%m-%d ")
    return f" until {day}{local.strftime('%H:%M %Z')}"


@rule_app.command("disable")
def rule_disable(policy_id: str = ID_ARG, duration: str | None = FOR_OPT, project: Path | None = PROJECT_OPT,
                 user: bool = USER_OPT, force: bool = FORCE_OPT) -> None:
    """Switch one policy off (for good, or --for a while)."""
    until = _until(duration)
    _set_rule(policy_id, project_root(project), user, force, {"enabled": False}, f"{policy_id}: disabled{_when(until)}",
              lambda level: level is None, until=until)


@rule_app.command("enable")
def rule_enable(policy_id: str = ID_ARG, project: Path | None = PROJECT_OPT, user: bool = USER_OPT,
                force: bool = FORCE_OPT) -> None:
    """Switch one policy back on (ending any temporary override)."""
    _set_rule(policy_id, project_root(project), user, force, {"enabled": True}, f"{policy_id}: enabled",
              lambda level: level is not None, clear_temporary=True)


@rule_app.command("enforce")
def rule_enforce(policy_id: str = ID_ARG,
                 level: str = typer.Option(..., "--level", "-l", metavar="LEVEL", help="deny | ask | observe"),
                 duration: str | None = FOR_OPT, project: Path | None = PROJECT_OPT, user: bool = USER_OPT,
                 force: bool = FORCE_OPT) -> None:
    """Set one policy's level: deny, ask or observe.

    Ask: a person approves each call. Observe: recorded and allowed.
    """
    from vectimus.config import ENFORCEMENTS

    if level not in ENFORCEMENTS:
        fail(f"--level must be one of {', '.join(ENFORCEMENTS)}")
    until = _until(duration)
    _set_rule(policy_id, project_root(project), user, force, {"enforcement": level}, f"{policy_id}: {level}{_when(until)}",
              lambda effective: effective == level, until=until)


@rule_app.command("reset")
def rule_reset(policy_id: str = ID_ARG, project: Path | None = PROJECT_OPT, user: bool = USER_OPT) -> None:
    """Drop one policy's settings: back to its pack's level."""
    root = project_root(project)
    path = _file(root, user)
    known = known_policies(root)
    if policy_id not in (_layer(path).get("rules") or {}):
        if policy_id not in known:
            fail(_unknown("policy", policy_id, known, "vectimus policy list").partition(". Use --force")[0])
        console.print(f"{policy_id}: nothing to reset in {path}", markup=False, highlight=False)
        return

    def mutate(doc):
        rules = doc.get("rules")
        if rules is not None and policy_id in rules:
            del rules[policy_id]

    def holds(config, _policy_set) -> bool:
        policy = known.get(policy_id)
        return policy is None or config.rule_enforcement(policy_id, policy.enforcement) == policy.enforcement

    declared = known[policy_id].enforcement if policy_id in known else "its pack's level"
    edit(root, user, f"rules.{policy_id}", mutate, holds, f"{policy_id}: reset to {declared}")


# -- mode ------------------------------------------------------------------------------------

def mode_source(root: Path, config) -> str:
    """Where the resolved mode comes from."""
    from vectimus.locations import project_config, user_config

    if os.environ.get("VECTIMUS_MODE"):
        return "VECTIMUS_MODE in the environment"
    if "mode" in _layer(project_config(root)) and "mode" not in config.ignored:
        return str(project_config(root))
    if "mode" in _layer(user_config()):
        return str(user_config())
    return "the default"


def mode(value: str | None = typer.Argument(None, metavar="[observe|enforce]",
                                               help="observe: record what would be denied and allow it. "
                                                    "Without it: show the mode."),
         project: Path | None = PROJECT_OPT, user: bool = USER_OPT,
         json_out: bool = typer.Option(False, "--json", help="Show the mode as JSON.")) -> None:
    """Show the mode, or switch between enforce and observe.

    Observe (monitor mode) records what would have been denied and allows it.
    """
    from vectimus.config import MODES

    root = project_root(project)
    if value is None:
        config, _ = resolved(root)
        if json_out:
            print_json({"mode": config.mode, "from": mode_source(root, config)})
        else:
            console.print(f"{config.mode} (from {mode_source(root, config)})", markup=False, highlight=False)
        return
    if value not in MODES:
        fail(f"mode must be one of {', '.join(MODES)}")

    def mutate(doc):
        doc["mode"] = value

    edit(root, user, "mode", mutate, lambda config, _: config.mode == value, f"mode: {value}")


def register(cli: typer.Typer) -> None:
    cli.add_typer(pack_app, name="pack")
    cli.add_typer(rule_app, name="rule")
    cli.command("mode")(mode)
