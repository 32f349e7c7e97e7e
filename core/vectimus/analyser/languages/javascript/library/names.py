"""Module specifiers and the names JavaScript code reaches the platform by."""

from __future__ import annotations

# Module specifiers with another name for the same functions.
MODULES = {"fs/promises": "fs.promises", "fs-extra": "fs", "graceful-fs": "fs", "node-fetch": "fetch",
           "cross-fetch": "fetch", "isomorphic-fetch": "fetch", "child-process-promise": "child_process",
           "path/posix": "path", "timers/promises": "timers", "bun": "Bun", "zx/globals": "zx",
           "rimraf": "rimraf", "del": "rimraf", "execa": "execa", "shelljs": "shelljs"}


GLOBALS = {"require", "process", "console", "Buffer", "fetch", "eval", "Function", "Deno", "Bun", "atob",
           "btoa", "JSON", "Object", "String", "decodeURIComponent", "unescape", "decodeURI", "module",
           "WebSocket", "globalThis", "global", "window", "self", "setTimeout", "setInterval",
           "setImmediate", "queueMicrotask", "Promise", "Reflect", "parseInt", "parseFloat", "Number"}


GLOBAL_OBJECTS = ("globalThis.", "global.", "window.", "self.")
RUNTIMES = {"node", "deno", "bun"}
RUNTIME_MODULES = {"Deno", "Bun"}


def module_name(name: str | None) -> str | None:
    """``node:fs`` -> ``fs``, ``fs/promises`` -> ``fs.promises``."""
    if name is None:
        return None
    if name.startswith("node:"):
        name = name[5:]
    if name.startswith("npm:") or name.startswith("jsr:"):
        name = name[4:].rsplit("@", 1)[0] if name.count("@") > (1 if name[4:].startswith("@") else 0) else name[4:]
    return MODULES.get(name, name)


# platform functions and classes, whose ``constructor`` is ``Function``
FUNCTIONS = frozenset(("Object", "Array", "String", "Number", "Boolean", "Function", "Function.prototype", "Promise",
                       "Symbol", "RegExp", "Date", "Error", "Map", "Set", "require", "eval",
                       "fetch", "setTimeout", "setInterval", "Buffer"))


def canonical(qual: str) -> str:
    """A qualified name with the global object and aliases taken off."""
    for prefix in GLOBAL_OBJECTS:
        while qual.startswith(prefix):
            qual = qual[len(prefix):]
    for alias in ("process.mainModule.require", "module.require", "require.main.require",
                  "process.mainModule.constructor._load", "module.constructor._load", "module.Module._load",
                  "module._load", "require.main.constructor._load", "module.Module.prototype.require"):
        if qual == alias:
            return "require"
    head, _, last = qual.rpartition(".")
    if last == "constructor" and (head in FUNCTIONS or head.endswith(".constructor")):
        return "Function"  # Object.constructor, process.constructor.constructor
    if qual.startswith("fs.promises.default."):
        qual = "fs.promises." + qual[len("fs.promises.default."):]
    if qual.startswith("fs.default."):
        qual = "fs." + qual[len("fs.default."):]
    return qual
