"""Plugin discovery: the built-ins and every ``vectimus`` entry point, through the same hooks.

A plugin implements a hook by defining a function with the hook's name (``@hookimpl`` is
optional, for pluggy's ordering options), so a plugin module need not import pluggy.

The CLI uses pluggy (``get_plugin_manager``). The hook's hot path must not import pluggy or scan
entry points per call, so discovery is cached: for each hook, the modules implementing it. A hook
process imports just those modules and calls their ``register_*`` functions directly
(``collect``). The cache is keyed by the Python environment and invalidated when a
``site-packages`` directory changes (a distribution installed or removed).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
from pathlib import Path

ENTRY_POINT_GROUP = "vectimus"
HOOKS = ("register_agents", "register_pack_sources", "register_receipt_sinks", "register_commands")

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
        _pm = pm
        _write_cache(_modules_by_hook(pm))
    return _pm


def _load_named_entry_points(pm, names: set[str]) -> None:
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in names:
            pm.register(ep.load(), name=ep.name)


def _modules_by_hook(pm) -> dict:
    """For each hook the modules implementing it, and for each agent name its adapter's module."""
    found: dict = {hook: [] for hook in HOOKS}
    agents: dict[str, str] = {}
    for plugin in pm.get_plugins():
        module = getattr(plugin, "__name__", None)
        if not module or not hasattr(plugin, "__file__"):
            continue  # only modules can be re-imported by name on the hot path
        for hook in HOOKS:
            if hasattr(plugin, hook):
                found[hook].append(module)
        if hasattr(plugin, "register_agents"):
            adapters: list = []
            plugin.register_agents(register=adapters.append)
            agents.update({a.name: module for a in adapters})
    found["agents"] = agents
    return found


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

    key = hashlib.sha256(sys.prefix.encode()).hexdigest()[:16]
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


def _write_cache(modules: dict[str, list[str]]) -> None:
    path = cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"stamp": _stamp(), "modules": modules}))
        os.replace(tmp, path)
        _read.clear()
    except OSError:
        pass  # a read-only home only costs speed


_read: dict = {}  # (cache file, stamp) -> its parsed content, so one hook call reads it once


def _cached(key: str, kind: type):
    path, stamp = cache_path(), _stamp()
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
    value = data.get("modules", {}).get(key)
    return value if isinstance(value, kind) else None


def collect(hook: str) -> list:
    """Everything plugins register through ``hook``, without pluggy when the cache is fresh."""
    items: list = []
    modules = _cached(hook, list)
    if modules is not None:
        try:
            for name in modules:
                getattr(importlib.import_module(name), hook)(register=items.append)
            return items
        except Exception:  # a stale or broken cache entry: fall back to full discovery
            items.clear()
    getattr(get_plugin_manager().hook, hook)(register=items.append)
    return items


def find_agent(name: str):
    """The adapter for agent ``name``, importing only its plugin module when the cache is fresh."""
    module = (_cached("agents", dict) or {}).get(name)
    if isinstance(module, str):
        try:
            found: list = []
            importlib.import_module(module).register_agents(register=found.append)
            adapter = next((a for a in found if a.name == name), None)
            if adapter is not None:
                return adapter
        except Exception:
            pass  # a stale cache: fall back to full discovery
    return next((a for a in collect("register_agents") if a.name == name), None)
