"""Configuration: defaults < ``~/.vectimus/config.toml`` < ``<project>/.vectimus/config.toml`` < environment.

A project's own config (a cloned repository's, say) may only tighten what the user's config
allows, unless the user's config trusts that project: ``[trust] projects`` lists project paths
with the SHA-256 of the project config the user trusted. Reading uses the standard library
(``tomllib``, through ``vectimus.toml_cache``) because the hook reads config on every call; edits go
through ``config_edit``.
"""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path
from typing import Any, Literal, get_args

from vectimus.errors import VectimusError
from vectimus.locations import project_config, user_config
from vectimus.sha256 import sha256
from vectimus.toml_cache import TomlError, loads

Enforcement = Literal["observe", "ask", "deny"]
ENFORCEMENTS: tuple[Enforcement, ...] = get_args(Enforcement)  # weakest to strongest
Mode = Literal["observe", "enforce"]
MODES: tuple[Mode, ...] = get_args(Mode)
IdentityType = Literal["human", "agent"]
IDENTITY_TYPES: tuple[IdentityType, ...] = get_args(IdentityType)
# Scalar settings an untrusted project may set only to these (stricter) values.
TIGHTER = {"mode": "enforce", "ci": True, "identity_type": "agent"}

DEFAULTS: dict[str, Any] = {
    "mode": "enforce",           # enforce | observe (record what would be denied, allow it)
    "identity_type": "human",    # human | agent
    "groups": [],                # reach Cedar as principal.groups
    "ci": False,                 # an unattended run: ask becomes deny
    "agents": [],                # adapters `vectimus init` installed here
    "packs": {"disabled": [], "enabled": []},
    "rules": {},                 # "<policy id>" = {enforcement = "deny|ask|observe", enabled = bool,
                                 #   temporary = {enabled or enforcement, until = <offset datetime>}}
                                 # (from an untrusted project: floor = the lowest level allowed)
    "mcp": {"allowed": []},      # MCP servers the agent may call
    "receipts": {"enabled": True, "checkpoint_every": 64},
    "daemon": {"enabled": True, "idle_timeout": 900},
    "trust": {"projects": {}},   # user config only: "<path>" = "<sha256 of its config.toml>"
}


def config_value(config, dotted: str, default: Any = None) -> Any:
    """``config["a"]["b"]`` for ``"a.b"`` in a plain table (what a receipt sink's ``ctx.config`` is),
    else ``default``. Core code reads a ``Config`` through its properties (given one, this reads
    its table)."""
    value: Any = config.data if isinstance(config, Config) else config
    for part in dotted.split("."):
        getter = getattr(value, "get", None)
        value = getter(part) if callable(getter) else None
        if value is None:
            return default
    return value


class ConfigError(VectimusError, ValueError):
    """A config file cannot be read or holds a value of the wrong type."""


class Config:
    """The resolved configuration for one project, read through its typed properties
    (``config.mode``, ``config.mcp_allowed`` …); ``data`` is the merged table (a plugin's own
    settings are its table there)."""

    __slots__ = ("data", "project", "trusted", "sources", "ignored")

    def __init__(self, data: dict, project: Path, trusted: bool = False, sources: tuple[str, ...] = (),
                 ignored: tuple[str, ...] = ()) -> None:
        self.data = data
        self.project = project
        self.trusted = trusted
        self.sources = sources        # the files read, lowest precedence first
        self.ignored = ignored        # loosening keys of an untrusted project, not applied

    def __repr__(self) -> str:
        return f"Config(project={str(self.project)!r}, trusted={self.trusted}, sources={self.sources})"

    @property
    def mode(self) -> Mode:
        """``enforce``, or ``observe`` (record what would be denied, allow it)."""
        return self.data["mode"]

    @property
    def ci(self) -> bool:
        """An unattended run: nobody can answer an ask."""
        return bool(self.data["ci"])

    @property
    def identity_type(self) -> IdentityType:
        """``principal.identity_type`` in Cedar."""
        return self.data["identity_type"]

    @property
    def groups(self) -> tuple[str, ...]:
        """``principal.groups`` in Cedar."""
        return tuple(self.data["groups"])

    @property
    def principal_attrs(self) -> dict:
        """The principal's attributes, as Cedar gets them and receipts record them (a new dict)."""
        return {"identity_type": self.identity_type, "groups": list(self.groups)}

    @property
    def agents(self) -> tuple[str, ...]:
        """The agents ``vectimus init`` installed hooks for here."""
        return tuple(self.data["agents"])

    @property
    def mcp_allowed(self) -> tuple[str, ...]:
        """The MCP servers agents may call."""
        return tuple(self.data["mcp"]["allowed"])

    @property
    def packs_enabled(self) -> tuple[str, ...]:
        """Opt-in packs switched on."""
        return tuple(self.data["packs"]["enabled"])

    @property
    def packs_disabled(self) -> tuple[str, ...]:
        """Bundled packs switched off."""
        return tuple(self.data["packs"]["disabled"])

    @property
    def rules(self) -> dict[str, dict]:
        """Per-policy settings by policy id (``rule_enforcement`` resolves one)."""
        return self.data["rules"]

    @property
    def daemon_enabled(self) -> bool:
        """Whether hooks may use (and start) the resident evaluator."""
        return bool(self.data["daemon"]["enabled"])

    @property
    def daemon_idle_timeout(self) -> float:
        """Seconds the resident evaluator waits idle before it exits."""
        return float(self.data["daemon"]["idle_timeout"])

    @property
    def receipts_enabled(self) -> bool:
        """Whether decisions are recorded in the project's signed log."""
        return bool(self.data["receipts"]["enabled"])

    def rule_enforcement(self, policy_id: str, default: Enforcement) -> Enforcement | None:
        """The enforcement level of a policy after config, or None when it is disabled.

        A ``temporary`` override counts until its ``until`` time, checked at every call (so a
        resident evaluator honours the expiry without reloading).
        """
        setting = self.data["rules"].get(policy_id) or {}
        temporary = setting.get("temporary")
        if temporary and temporary["until"].timestamp() > time.time():
            setting = {**setting, **temporary}
        if setting.get("enabled") is False:
            return None
        level = setting.get("enforcement", default)
        floor = setting.get("floor")
        if floor and ENFORCEMENTS.index(floor) > ENFORCEMENTS.index(level):
            level = floor
        return level


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            text = fh.read().decode()
        return loads(text)
    except FileNotFoundError:
        return {}
    except (OSError, TomlError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


def _merge(base: dict, layer: dict) -> dict:
    out = dict(base)
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _check(data: dict, origin: str) -> None:
    def bad(key: str, want: str) -> ConfigError:
        return ConfigError(f"{origin}: {key} must be {want}")

    if data.get("mode") not in MODES:
        raise bad("mode", " or ".join(MODES))
    if data.get("identity_type") not in IDENTITY_TYPES:
        raise bad("identity_type", " or ".join(IDENTITY_TYPES))
    if not isinstance(data.get("ci"), bool):
        raise bad("ci", "true or false")
    for key in ("groups", "agents"):
        if not isinstance(data.get(key), list) or not all(isinstance(x, str) for x in data[key]):
            raise bad(key, "a list of strings")
    for table, key in (("packs", "disabled"), ("packs", "enabled"), ("mcp", "allowed")):
        value = data.get(table, {}).get(key) if isinstance(data.get(table), dict) else None
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise bad(f"{table}.{key}", "a list of strings")
    rules = data.get("rules")
    if not isinstance(rules, dict):
        raise bad("rules", "a table")
    for rule_id, setting in rules.items():
        if not isinstance(setting, dict):
            raise bad(f"rules.{rule_id}", "a table")
        if "enforcement" in setting and setting["enforcement"] not in ENFORCEMENTS:
            raise bad(f"rules.{rule_id}.enforcement", " or ".join(ENFORCEMENTS))
        if "enabled" in setting and not isinstance(setting["enabled"], bool):
            raise bad(f"rules.{rule_id}.enabled", "true or false")
        if "temporary" in setting:
            _check_temporary(setting["temporary"], f"rules.{rule_id}.temporary", bad)


def _check_temporary(value, key: str, bad) -> None:
    from datetime import datetime

    if not isinstance(value, dict):
        raise bad(key, "a table")
    until = value.get("until")
    if not isinstance(until, datetime) or until.tzinfo is None:
        raise bad(f"{key}.until", "a date-time with its offset (2026-01-31T17:00:00Z)")
    if value.get("enforcement", "deny") not in ENFORCEMENTS:
        raise bad(f"{key}.enforcement", " or ".join(ENFORCEMENTS))
    if not isinstance(value.get("enabled", True), bool):
        raise bad(f"{key}.enabled", "true or false")


def config_digest(path: Path) -> str:
    """SHA-256 of a config file's bytes ('' when it does not exist)."""
    try:
        return sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


def _tighten_only(base: dict, project: dict) -> tuple[dict, list[str]]:
    """Apply an untrusted project layer: keep what tightens, report what would loosen."""
    out = copy.deepcopy(base)
    ignored: list[str] = []
    for key, value in project.items():
        if key in TIGHTER:
            if value == TIGHTER[key]:
                out[key] = value
            elif value != out[key]:
                ignored.append(key)
        elif key == "agents":
            out["agents"] = value
        elif key == "packs" and isinstance(value, dict):
            out["packs"]["enabled"] = sorted({*out["packs"]["enabled"], *value.get("enabled", [])})
            if value.get("disabled"):
                ignored.append("packs.disabled")
        elif key == "rules" and isinstance(value, dict):
            for rule_id, setting in value.items():
                mine = dict(out["rules"].get(rule_id, {}))
                if not isinstance(setting, dict):
                    continue
                if setting.get("enabled") is True:
                    mine["enabled"] = True
                elif setting.get("enabled") is False:
                    ignored.append(f"rules.{rule_id}.enabled")
                if "temporary" in setting:
                    ignored.append(f"rules.{rule_id}.temporary")
                if setting.get("enforcement") in ENFORCEMENTS:
                    mine["floor"] = setting["enforcement"]  # may raise the level, never lower it
                out["rules"][rule_id] = mine
        elif key in ("daemon",) and isinstance(value, dict):
            out[key] = _merge(out[key], value)
        elif key == "trust":
            ignored.append("trust")
        else:
            ignored.append(key)
    return out, ignored


def _env_layer(env: dict[str, str]) -> dict:
    layer: dict[str, Any] = {}
    if env.get("VECTIMUS_GROUPS") is not None:
        layer["groups"] = [g.strip() for g in env["VECTIMUS_GROUPS"].split(",") if g.strip()]
    if env.get("VECTIMUS_IDENTITY_TYPE"):
        layer["identity_type"] = env["VECTIMUS_IDENTITY_TYPE"].strip().lower()
    if env.get("VECTIMUS_MODE"):
        layer["mode"] = env["VECTIMUS_MODE"].strip().lower()
    if env.get("CI", "").lower() in ("1", "true", "yes") or env.get("GITHUB_ACTIONS") == "true":
        layer["ci"] = True
    return layer


def load_config(project: Path, env: dict[str, str] | None = None) -> Config:
    """Resolve the configuration for ``project``; raise ConfigError for anything unreadable."""
    env = dict(os.environ) if env is None else env
    project = Path(project)
    user_path = user_config(env)
    project_path = project_config(project)
    user = _read_toml(user_path)
    proj = _read_toml(project_path)
    data = _merge(DEFAULTS, user)
    _check(data, str(user_path))
    sources = [str(p) for p, layer in ((user_path, user), (project_path, proj)) if layer]
    trusted_digest = (data.get("trust", {}).get("projects") or {}).get(str(project.resolve()))
    trusted = bool(proj) and trusted_digest == config_digest(project_path)
    ignored: list[str] = []
    if trusted or not proj:
        data = _merge(data, {k: v for k, v in proj.items() if k != "trust"})
    else:
        data, ignored = _tighten_only(data, proj)
    _check(data, str(project_path))
    data = _merge(data, _env_layer(env))
    _check(data, "environment")
    return Config(data=data, project=project, trusted=trusted, sources=tuple(sources),
                  ignored=tuple(ignored))
