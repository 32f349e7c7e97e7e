"""What an agent adapter is: the base class every adapter (built in or third party) extends.

An adapter knows one agent's hook protocol: it turns the agent's stdin event into a ``ToolCall``
(or a ``SessionEvent``), renders a ``Decision`` the way the agent expects, and installs / removes
the hook in the agent's own config files. Standard library only: used on the hot path.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vectimus import atomic, wording
from vectimus.errors import VectimusError
from vectimus.layout import find_project_root  # noqa: F401  (adapters import it from here)
from vectimus.model import Decision, ToolCall
from vectimus.records import Record


class AdapterError(VectimusError, ValueError):
    """The event cannot be understood; the hook answers deny with this message."""


class SessionEvent(Record):
    """An event that is not a tool call (session end, stop): nothing to decide, only to record."""

    agent: str
    event: str
    cwd: str
    project_dir: str
    session_id: str = ""


class HookOutput(Record):
    """What the hook process prints and how it exits."""

    stdout: str = ""
    exit_code: int = 0
    stderr: str = ""


class AgentAdapter:
    """Base class for agent adapters. Subclasses set ``name`` and implement the methods."""

    name: str = ""
    display_name: str = ""
    #: Whether the agent can put an ``ask`` to a person; if not, ask is answered as deny.
    supports_ask: bool = True
    #: Files and directories (ending in "/") the agent must never write: its hook settings, MCP
    #: servers, rules. Relative to the project, starting with ``~/`` (the home), or absolute.
    governance_files: tuple[str, ...] = ()
    #: Instructions the agent reads at start-up (writing them asks first), written the same way;
    #: a bare name (``AGENTS.md``) counts in every directory.
    instruction_files: tuple[str, ...] = ()
    #: Files (relative to the project, or starting with ``~/``) where MCP servers are declared:
    #: JSON with ``mcpServers``, ``servers`` or ``mcp`` tables (and ``~/.claude.json``'s
    #: ``projects``), or TOML with ``mcp_servers``.
    mcp_config_files: tuple[str, ...] = ()
    #: How a failure of the installed hook itself (a crash, a timeout, garbage on stdout) can
    #: still let a call run, in one sentence; "" when every such failure ends in a deny.
    #: ``vectimus doctor`` shows it as a warning.
    fails_open: str = ""

    def parse(self, event: Any, env: dict[str, str]) -> ToolCall | SessionEvent:
        """Turn the decoded stdin event into a ToolCall; raise AdapterError when malformed."""
        raise NotImplementedError

    def render(self, decision: Decision, call: ToolCall | None) -> HookOutput:
        """Render a decision (``call`` is None when the event could not be parsed)."""
        raise NotImplementedError

    def install(self, project: Path, command: str, *, ci: bool) -> list[Path]:
        """Install ``command`` as this agent's hook in the project; return the files written."""
        raise NotImplementedError

    def uninstall(self, project: Path) -> list[Path]:
        """Remove what ``install`` wrote, leaving everything else; return the files changed."""
        raise NotImplementedError

    def installed_commands(self, project: Path) -> list[str]:
        """The Vectimus hook commands currently installed for this agent in the project."""
        raise NotImplementedError

    def detect(self, project: Path, home: Path) -> bool:
        """True when this agent appears to be used here (its config directory exists)."""
        return False

    def canary_event(self, project: Path) -> dict:
        """An event this agent would send for a call every default policy set denies."""
        raise NotImplementedError

    def diagnose(self, project: Path) -> list[tuple[str, bool, str]]:
        """Checks of this agent's own for ``vectimus doctor``: ``(check, ok, detail)`` each."""
        return []


def is_vectimus_command(command: Any) -> bool:
    """True for a hook command Vectimus installed (``vectimus hook`` or ``…/vectimus/hook_script.py``)."""
    return isinstance(command, str) and "vectimus" in command and (" hook" in command or "hook_script.py" in command)


def read_json_config(path: Path) -> dict:
    """Read an agent's JSON config file; a missing file is ``{}``, anything not an object is an error."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        return {}
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return data


def write_json_config(path: Path, data: dict) -> None:
    """Write an agent's JSON config atomically, two-space indented, ending in a newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write(path, json.dumps(data, indent=2) + "\n")


def require_str(mapping: dict, key: str, what: str) -> str:
    """``mapping[key]`` as a non-empty string, or AdapterError naming ``what`` is missing."""
    value = mapping.get(key)
    if not isinstance(value, str) or not value:
        raise AdapterError(f"{what} without a {key!r} string")
    return value


def add_matcher_hook(config: dict, event: str, command: str, *, matcher: str | None = "*",
                     timeout: int = 30, fields: dict | None = None, wrapped: bool = True) -> None:
    """Put ``command`` in a Claude-style ``hooks.<event>`` matcher group, replacing an older one of ours.

    ``fields`` are further keys of the hook entry (``onFailure``, a name); ``wrapped=False`` puts
    the events at the top level of ``config`` (Factory Droid's ``hooks.json``). Other hooks and
    groups are kept; running it twice changes nothing.
    """
    hooks = _hooks_table(config, wrapped, create=True)
    if hooks is None:  # create=True makes the table or raises
        raise ValueError("'hooks' is not a JSON object")
    groups = hooks.setdefault(event, [])
    if not isinstance(groups, list):
        raise ValueError(f"'{event}' hooks are not a JSON array")
    entry = {"type": "command", "command": command, "timeout": timeout, **(fields or {})}
    for group in groups:
        for i, hook in enumerate(group.get("hooks", []) if isinstance(group, dict) else []):
            if isinstance(hook, dict) and is_vectimus_command(hook.get("command")):
                group["hooks"][i] = {**hook, **entry}
                return
    group = {"hooks": [entry]}
    if matcher is not None:
        group = {"matcher": matcher, **group}
    groups.append(group)


def _hooks_table(config: dict, wrapped: bool, *, create: bool = False) -> dict | None:
    """The object whose keys are hook events: ``config["hooks"]``, or ``config`` itself."""
    if not wrapped:
        return config
    hooks = config.setdefault("hooks", {}) if create else config.get("hooks")
    if create and not isinstance(hooks, dict):
        raise ValueError("'hooks' is not a JSON object")
    return hooks if isinstance(hooks, dict) else None


def remove_matcher_hooks(config: dict, *, wrapped: bool = True) -> bool:
    """Remove every Vectimus command from a Claude-style ``hooks`` table; True if anything changed."""
    def keep(groups: list) -> list:
        kept_groups = []
        for group in groups:
            inner = group.get("hooks") if isinstance(group, dict) else None
            if isinstance(inner, list):
                kept = [h for h in inner if not (isinstance(h, dict) and is_vectimus_command(h.get("command")))]
                if len(kept) != len(inner):
                    if not kept:
                        continue  # the group held only Vectimus commands
                    group = {**group, "hooks": kept}
            kept_groups.append(group)
        return kept_groups

    return _prune_hooks(config, keep, wrapped=wrapped)


def matcher_hook_commands(config: dict, event: str, *, wrapped: bool = True) -> list[str]:
    """The Vectimus commands in a Claude-style ``hooks.<event>`` table."""
    found = []
    for group in (_hooks_table(config, wrapped) or {}).get(event) or []:
        for hook in (group.get("hooks") or []) if isinstance(group, dict) else []:
            if isinstance(hook, dict) and is_vectimus_command(hook.get("command")):
                found.append(hook["command"])
    return found


def decode_json_object(value: Any, what: str, *, lenient: bool = False) -> dict:
    """A tool input an agent may send as an object or as a JSON string (``""``/None = ``{}``).

    Anything else is an AdapterError, or with ``lenient`` (unknown tools, which are evaluated on
    what can be known rather than refused for their shape) ``{"input": value}``.
    """
    if value is None or value == "":
        return {}
    decoded = value
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            if lenient:
                return {"input": value}
            raise AdapterError(f"{what} is not valid JSON") from None
    if isinstance(decoded, dict):
        return decoded
    if lenient:
        return {"input": decoded}
    raise AdapterError(f"{what} is not a JSON object")


def add_flat_hook(config: dict, event: str, entry: dict, *, key: str = "command") -> None:
    """Put ``entry`` in a flat ``hooks.<event>`` list (Cursor, Copilot), replacing an older one of ours.

    ``key`` names the entry field holding the command. Other entries are kept; idempotent.
    """
    hooks = config.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise ValueError("'hooks' is not a JSON object")
    entries = hooks.setdefault(event, [])
    if not isinstance(entries, list):
        raise ValueError(f"'hooks.{event}' is not a JSON array")
    for i, hook in enumerate(entries):
        if isinstance(hook, dict) and is_vectimus_command(hook.get(key)):
            entries[i] = entry
            return
    entries.append(entry)


def remove_flat_hooks(config: dict, *, key: str = "command") -> bool:
    """Remove every Vectimus entry from flat ``hooks.<event>`` lists; True if anything changed."""
    return _prune_hooks(config, lambda entries: [
        h for h in entries if not (isinstance(h, dict) and is_vectimus_command(h.get(key)))])


def _prune_hooks(config: dict, keep: Callable[[list], list], *, wrapped: bool = True) -> bool:
    """Replace each event's list by ``keep(list)``, dropping events (and a ``hooks`` table) left
    empty; True if anything changed."""
    hooks = _hooks_table(config, wrapped)
    if hooks is None:
        return False
    changed = False
    for event in list(hooks):
        entries = hooks[event]
        if not isinstance(entries, list):
            continue
        kept = keep(entries)
        if kept != entries:
            changed = True
            if kept:
                hooks[event] = kept
            else:
                del hooks[event]
    if wrapped and not hooks:
        del config["hooks"]
    return changed


def flat_hook_commands(config: dict, event: str, *, key: str = "command") -> list[str]:
    """The Vectimus commands in a flat ``hooks.<event>`` list."""
    hooks = config.get("hooks")
    entries = hooks.get(event) if isinstance(hooks, dict) else None
    return [h[key] for h in entries or [] if isinstance(h, dict) and is_vectimus_command(h.get(key))]


def uninstall_json_hooks(path: Path, remove, *, leftover: frozenset[str] = frozenset({"version"})) -> list[Path]:
    """Apply ``remove(config) -> changed`` to the JSON config at ``path`` and save it.

    The file is deleted when only ``leftover`` keys remain (it then held nothing but our hooks).
    Returns ``[path]`` when something changed, else ``[]``.
    """
    config = read_json_config(path)
    if not remove(config):
        return []
    if set(config) - leftover:
        write_json_config(path, config)
    else:
        path.unlink()
    return [path]


def pre_tool_use_output(decision: str, reason: str) -> dict:
    """Claude-style ``hookSpecificOutput`` answer to ``PreToolUse`` (Claude Code, Codex, VS Code)."""
    return {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": decision,
                                   "permissionDecisionReason": reason}}


def render_deny_only(decision: Decision, denied: Callable[[str], dict], allowed: str = "") -> HookOutput:
    """The answer of an agent that cannot ask: ``allowed`` on stdout when the call may run, else
    the JSON ``denied(reason)`` (an ``ask`` is answered as deny, and its reason says so)."""
    if decision.decision not in ("deny", "ask"):
        return HookOutput(stdout=allowed)
    return HookOutput(stdout=json.dumps(denied(wording.told(decision.decision, decision.reason, "deny"))))


class MatcherHooksAdapter(AgentAdapter):
    """An adapter for an agent that reads Claude-style matcher groups from one JSON file."""

    #: The project-relative JSON file holding the agent's ``hooks`` table.
    hooks_file: str = ""
    #: Files earlier versions installed into: still read by ``installed_commands`` and cleaned by
    #: ``uninstall`` (install leaves them alone: one may be tracked by git).
    former_hooks_files: tuple[str, ...] = ()
    #: Each event the hook is installed for, with its matcher (None: the event takes none).
    hook_events: dict[str, str | None] = {"PreToolUse": "*"}
    #: Events that carry a tool call (the first one is where installed commands are looked up).
    tool_events: tuple[str, ...] = ("PreToolUse",)
    #: Events that end a session (answered by sealing the receipt log).
    session_events: tuple[str, ...] = ("SessionEnd", "Stop")
    #: False when the file holds the events at its top level, without a ``hooks`` key.
    wrapped: bool = True
    #: The hook timeout, in the unit the agent reads.
    timeout: int = 30
    #: The environment variable in which the agent names the project for its hooks, if any.
    project_dir_env: str = ""

    def hook_fields(self, event: str) -> dict:
        """Further keys of the hook entry for ``event`` (fail-closed switches, a name)."""
        return {}

    def event_cwd(self, event: dict, env: dict[str, str]) -> str:
        """The call's working directory: the event's, else the project the agent names."""
        cwd = event.get("cwd")
        if isinstance(cwd, str) and cwd:
            return cwd
        hint = self.project_hint(env)
        if hint:
            return hint
        raise AdapterError(f"{event.get('hook_event_name') or 'hook'} event without a cwd")

    def project_hint(self, env: dict[str, str]) -> str | None:
        """The project directory the agent names in the hook's environment, if any."""
        return env.get(self.project_dir_env) if self.project_dir_env else None

    def parse_envelope(self, event, env: dict[str, str]) -> SessionEvent | tuple[str, dict]:
        """Check a Claude-style event: a SessionEvent, or the tool name and the ToolCall fields."""
        if not isinstance(event, dict):
            raise AdapterError("hook input is not a JSON object")
        name = event.get("hook_event_name")
        cwd = self.event_cwd(event, env)
        project = find_project_root(cwd, self.project_hint(env))
        session = str(event.get("session_id") or "")
        if name in self.session_events:
            return SessionEvent(agent=self.name, event=name, cwd=cwd, project_dir=project, session_id=session)
        if name not in self.tool_events:
            raise AdapterError(f"unsupported hook event {name!r}")
        tool = event.get("tool_name")
        if not isinstance(tool, str) or not tool:
            raise AdapterError(f"{name} event without a tool_name")
        return tool, dict(cwd=cwd or project, project_dir=project, event=name, session_id=session,
                          tool_use_id=str(event.get("tool_use_id") or ""),
                          permission_mode=str(event.get("permission_mode") or ""), raw=event)

    def _remove(self, config: dict) -> bool:
        return remove_matcher_hooks(config, wrapped=self.wrapped)

    def install(self, project, command, *, ci):
        path = project / self.hooks_file
        config = read_json_config(path)
        for event, matcher in self.hook_events.items():
            add_matcher_hook(config, event, command, matcher=matcher, timeout=self.timeout,
                             fields=self.hook_fields(event), wrapped=self.wrapped)
        write_json_config(path, config)
        return [path]

    def uninstall(self, project):
        return [f for name in (self.hooks_file, *self.former_hooks_files)
                for f in uninstall_json_hooks(project / name, self._remove)]

    def installed_commands(self, project):
        return [c for name in (self.hooks_file, *self.former_hooks_files)
                for c in matcher_hook_commands(read_json_config(project / name), self.tool_events[0],
                                               wrapped=self.wrapped)]
