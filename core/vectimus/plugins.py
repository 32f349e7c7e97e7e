"""Plugin discovery: the built-ins and every ``vectimus`` entry point, through the same hooks.

A plugin implements a hook by defining a function with the hook's name (``@hookimpl`` is
optional, for pluggy's ordering options), so a plugin module need not import pluggy.

Callers use the typed accessors: ``agents()``, ``find_agent(name)``, ``pack_sources()``,
``receipt_sinks()`` and ``declared_files()`` (the files adapters declare: governance,
instructions, MCP configs). The CLI adds its commands through pluggy (``get_plugin_manager``).
The hook's hot path must not import pluggy or scan entry points per call, so discovery is cached:
for each hook the modules implementing it, for each agent its adapter's module, and the files
every adapter declares. A hook process imports just the modules it needs and calls their
``register_*`` functions directly. The cache is keyed by the Python environment and invalidated
when a ``site-packages`` directory changes (a distribution installed or removed) or
``VECTIMUS_LOAD_PLUGINS`` does.

``VECTIMUS_LOAD_PLUGINS=a,b`` loads only the entry points named ``a`` and ``b`` (empty: none)
besides the built-ins; ``VECTIMUS_TRACE_PLUGINS=1`` writes every plugin call, and every module
the cached path imports with its import time, to stderr.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from vectimus import atomic
from vectimus.sha256 import sha256

if TYPE_CHECKING:
    from vectimus.adapter import AgentAdapter
    from vectimus.policies import PackSource
    from vectimus.sinks import ReceiptSink

ENTRY_POINT_GROUP = "vectimus"
HOOKS = ("register_agents", "register_pack_sources", "register_receipt_sinks", "register_commands")
#: The adapter attributes gathered into the cache, as ``declared_files()`` returns them.
DECLARED = ("governance_files", "instruction_files", "mcp_config_files")

# Built-in plugins: they register through the same hooks as third-party ones.
DEFAULT_PLUGINS = (
    "vectimus.builtins",
)

_pm = None


def get_plugin_manager():
    """The process-wide pluggy PluginManager with built-ins and entry points loaded."""
    global _pm
    if _pm is None:
        import pluggy

        from vectimus import hookspecs

        class PluginManager(pluggy.PluginManager):
            def parse_hookimpl_opts(self, plugin, name):
                opts = super().parse_hookimpl_opts(plugin, name)
                if opts is None and name in HOOKS and callable(getattr(plugin, name, None)):
                    opts = {}
                return opts

        pm = PluginManager(ENTRY_POINT_GROUP)
        pm.add_hookspecs(hookspecs)
        for name in DEFAULT_PLUGINS:
            pm.register(importlib.import_module(name), name=name)
        allowed = os.environ.get("VECTIMUS_LOAD_PLUGINS")
        if allowed is None:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        else:
            _load_named_entry_points(pm, {n.strip() for n in allowed.split(",") if n.strip()})
        if _tracing():  # every hook call through pluggy too (the CLI's commands, discovery)
            pm.trace.root.setwriter(lambda text: sys.stderr.write(f"vectimus plugins: {text}"))
            pm.enable_tracing()
        _pm = pm
        _write_cache(_discovered(pm))
    return _pm


def _load_named_entry_points(pm, names: set[str]) -> None:
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in names:
            pm.register(ep.load(), name=ep.name)


def _discovered(pm) -> dict:
    """What the hot path needs from discovery: for each hook the modules implementing it, for each
    agent name its adapter's module, and the files the adapters declare."""
    found: dict = {hook: [] for hook in HOOKS}
    agents: dict[str, str] = {}
    declared: dict[str, list] = {attr: [] for attr in DECLARED}
    for plugin in pm.get_plugins():
        module = getattr(plugin, "__name__", None)
        if not module or not hasattr(plugin, "__file__"):
            _warn_not_a_module(pm.get_name(plugin))  # only modules can be re-imported by name
            continue
        for hook in HOOKS:
            if hasattr(plugin, hook):
                found[hook].append(module)
        if hasattr(plugin, "register_agents"):
            adapters: list = []
            plugin.register_agents(register=adapters.append)
            for adapter in adapters:
                agents[adapter.name] = module
                for attr in DECLARED:
                    declared[attr].extend([adapter.name, str(f)] for f in getattr(adapter, attr, ()))
    return {"modules": found, "agents": agents, "files": declared}


_warned: set[str] = set()


def _warn_not_a_module(name: str) -> None:
    """Say once per process that plugin ``name`` is ignored: the hook path imports plugins by
    module name, so an object registered as a plugin can never serve it."""
    if name not in _warned:
        _warned.add(name)
        sys.stderr.write(f"vectimus: plugin {name!r} is not a module and is ignored: a plugin "
                         "must be a module that defines the register_* hooks\n")


def plugins_info() -> list[dict]:
    """Every loaded plugin with its distribution, version and hooks (for ``vectimus plugins``)."""
    pm = get_plugin_manager()
    dists = {plugin: dist for plugin, dist in pm.list_plugin_distinfo()}
    rows = []
    for plugin in pm.get_plugins():
        dist = dists.get(plugin)
        rows.append({
            "name": pm.get_name(plugin),
            "module": getattr(plugin, "__name__", repr(plugin)),
            "distribution": dist.project_name if dist else "vectimus (built in)",
            "version": dist.version if dist else _own_version(),
            "hooks": sorted(h.name for h in pm.get_hookcallers(plugin) or ()),
        })
    return sorted(rows, key=lambda r: r["name"])


def _own_version() -> str:
    from vectimus import __version__

    return __version__


# --------------------------------------------------------------------------- hot path

def cache_path() -> Path:
    """Where discovery is cached for this Python environment."""
    from vectimus.locations import user_home

    key = sha256(sys.prefix.encode()).hexdigest()[:16]
    return user_home() / "cache" / f"plugins-{key}.json"


def _stamp() -> list:
    stamp: list = [os.environ.get("VECTIMUS_LOAD_PLUGINS")]
    for entry in sys.path:
        if entry.endswith("site-packages"):
            try:
                stamp.append([entry, os.stat(entry).st_mtime_ns])
            except OSError:
                pass
    return stamp


_memory: dict = {}  # this process's own discovery, when it ran one (the cache file may be unwritable)


def _write_cache(discovered: dict) -> None:
    stamped = {"stamp": _stamp(), **discovered}
    _memory.clear()
    _memory.update(stamped)
    _read.clear()
    path = cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write(path, json.dumps(stamped))
    except OSError:
        pass  # a read-only home only costs speed


_read: dict = {}  # (cache file, stamp) -> its parsed content, so one hook call reads it once


def _cached(section: str, key: str | None, kind: type):
    """``section[key]`` (or the whole section) of this environment's discovery, None when stale."""
    stamp = _stamp()
    if _memory and _memory["stamp"] == stamp:
        data = _memory
    else:
        path = cache_path()
        memo_key = (str(path), json.dumps(stamp))
        if memo_key not in _read:
            try:
                _read.clear()
                _read[memo_key] = json.loads(path.read_text())
            except (OSError, ValueError):
                return None
        data = _read[memo_key]
        if not isinstance(data, dict) or data.get("stamp") != stamp:
            return None
    value = data.get(section)
    if key is not None:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, kind) else None


def _tracing() -> bool:
    return bool(os.environ.get("VECTIMUS_TRACE_PLUGINS"))


def _trace(text: str) -> None:
    sys.stderr.write(f"vectimus plugins: {text}\n")


def _traced(hook: str, register: Callable[[Any], None], how: str) -> Callable[[Any], None]:
    if not _tracing():
        return register

    def traced(thing: Any) -> None:
        cls = type(thing)
        _trace(f"{hook} ({how}): {cls.__module__}.{cls.__qualname__} {getattr(thing, 'name', '')!r}")
        register(thing)
    return traced


def _import(module: str):
    if not _tracing():
        return importlib.import_module(module)
    import time

    start = time.perf_counter()
    found = importlib.import_module(module)
    _trace(f"import {module} ({(time.perf_counter() - start) * 1000:.1f} ms)")
    return found


def _collect(hook: str) -> list:
    """Everything plugins register through ``hook``, without pluggy when the cache is fresh
    (the typed accessors ``agents()``, ``pack_sources()``, ``receipt_sinks()`` call it)."""
    items: list = []
    modules = _cached("modules", hook, list)
    if modules is not None:
        try:
            register = _traced(hook, items.append, "cached")
            for name in modules:
                getattr(_import(name), hook)(register=register)
            return items
        except Exception:  # a stale or broken cache entry: fall back to full discovery
            items.clear()
    getattr(get_plugin_manager().hook, hook)(register=_traced(hook, items.append, "discovered"))
    return items


def agents() -> list[AgentAdapter]:
    """Every installed agent adapter, by name."""
    return sorted(_collect("register_agents"), key=lambda a: a.name)


def pack_sources() -> list[PackSource]:
    """Every policy-pack source, the built-in ones first."""
    return _collect("register_pack_sources")


def receipt_sinks() -> list[ReceiptSink]:
    """Every receipt sink, the built-in local chain first."""
    return _collect("register_receipt_sinks")


def find_agent(name: str) -> AgentAdapter | None:
    """The adapter for agent ``name``, importing only its plugin module when the cache is fresh."""
    module = _cached("agents", name, str)
    if module is not None:
        try:
            found: list = []
            _import(module).register_agents(register=_traced("register_agents", found.append, "cached"))
            adapter = next((a for a in found if a.name == name), None)
            if adapter is not None:
                return adapter
        except Exception:
            pass  # a stale cache: fall back to full discovery
    return next((a for a in _collect("register_agents") if a.name == name), None)


def declared_files() -> dict[str, list[tuple[str, str]]]:
    """The files every installed adapter declares, as ``{attribute: [(agent, file), …]}`` for each
    of ``DECLARED`` (``governance_files``, ``instruction_files``, ``mcp_config_files``), read from
    the discovery cache; a stale cache runs discovery once."""
    files = _cached("files", None, dict)
    if files is None:  # stale or missing: discover (once per process) and write the cache again
        discovered = _discovered(get_plugin_manager())
        _write_cache(discovered)
        files = discovered["files"]
    return {attr: [(str(pair[0]), str(pair[1])) for pair in files.get(attr, ())
                   if isinstance(pair, list) and len(pair) == 2] for attr in DECLARED}
