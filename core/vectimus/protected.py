"""What the agent must not change: every agent's governance files, and Vectimus itself.

``paths.classify`` reads both from here:

- governance files: what configures an agent or Vectimus (hook settings, MCP servers, rules), as
  the installed adapters declare them (``governance_files``), and agent instruction files
  (``instruction_files``), gathered by plugin discovery into its cache;
- Vectimus itself: the installation this process runs (its package, the site-packages directories
  it imports from with their ``.pth`` files, the interpreter's prefixes, every Vectimus plugin
  package loaded), the user's Vectimus home (config, keys, logs), its runtime directory (the
  evaluator's socket and the session ledgers) and the project's ``.vectimus/`` (receipts, keys).

Standard library only: used on the hot path.
"""

from __future__ import annotations

import functools
import os
import posixpath
import sys

from vectimus.records import Record

from vectimus import world

# Vectimus's own configuration; every agent's files come from its adapter's ``governance_files``.
OWN_GOVERNANCE = (".vectimus/", "~/.vectimus/", "~/.config/vectimus/", "/etc/vectimus/")
# Project-relative: the project's receipts, public keys and config.
VECTIMUS_PROJECT = (".vectimus/",)


class Declared(Record):
    """Files and directories (a trailing "/" means everything below), lower-cased, by where they are."""

    project: tuple[str, ...] = ()    # relative to the project
    home: tuple[str, ...] = ()       # relative to the home directory
    absolute: tuple[str, ...] = ()
    names: tuple[str, ...] = ()      # a bare file name: that name in any directory


class Protected(Record):
    """What the installed adapters (and Vectimus) declare an agent must not change."""

    governance: Declared        # hook settings, MCP servers, rules: never written by the agent
    instructions: Declared      # instructions an agent reads at start-up (CLAUDE.md, AGENTS.md)


def declared(entries, *, anywhere: bool = False) -> Declared:
    """Sort ``entries`` as adapters write them: ``~/…`` in the home, ``/…`` absolute, anything else
    relative to the project; with ``anywhere``, a bare file name also counts in every directory."""
    project: list[str] = []
    home: list[str] = []
    absolute: list[str] = []
    names: list[str] = []
    for entry in entries:
        entry = entry.lower()
        if entry.startswith("~/"):
            home.append(entry[2:])
        elif entry.startswith("/"):
            absolute.append(entry)
        else:
            project.append(entry)
            if anywhere and "/" not in entry:
                names.append(entry)
    return Declared(*(tuple(dict.fromkeys(group)) for group in (project, home, absolute, names)))


_protected: dict = {}


def protected() -> Protected:
    """The governance and instruction files of every installed adapter, with Vectimus's own
    (``plugins.declared_files``: read from the discovery cache, never importing an adapter)."""
    from vectimus.plugins import declared_files

    files = declared_files()
    key = tuple(tuple(f for _, f in files[attr]) for attr in ("governance_files", "instruction_files"))
    found = _protected.get(key)
    if found is None:
        _protected.clear()
        found = _protected[key] = Protected(declared((*key[0], *OWN_GOVERNANCE)),
                                            declared(key[1], anywhere=True))
    return found


def below(directory: str, project: str, home: str, files: Declared, own: tuple[str, ...] = ()) -> list[str]:
    """The governance files (``files``) and Vectimus directories (``own``) inside ``directory``
    that exist: deleting, moving or locking the directory does it to them (``rm -rf .claude``)."""
    prefix = directory.rstrip("/") + "/"
    found = [posixpath.join(base, entry.rstrip("/")) for base, entries in
             ((project, files.project + VECTIMUS_PROJECT), (home, files.home)) for entry in entries]
    found += [entry.rstrip("/") for entry in files.absolute] + list(own)
    return [path for path in dict.fromkeys(found) if path.startswith(prefix) and world.lexists(path)]


_installation: dict[frozenset, tuple[str, ...]] = {}


def installation() -> tuple[str, ...]:
    """The directories (resolved) of the Vectimus installation this process runs.

    The package directory (``hook_script.py`` is in it), every ``vectimus_*`` plugin package
    loaded and the site-packages directories on ``sys.path`` (their ``.pth`` files run at
    start-up). Cached per set of loaded plugin packages.
    """
    plugins = frozenset(name for name in sys.modules if name.startswith("vectimus_") and "." not in name)
    found = _installation.get(plugins)
    if found is None:
        import vectimus

        dirs = [os.path.dirname(os.path.abspath(vectimus.__file__))]
        for name in sorted(plugins):
            path = getattr(sys.modules[name], "__file__", None)
            if path:
                dirs.append(os.path.dirname(os.path.abspath(path)))
        dirs.extend(p for p in sys.path if p.endswith(("site-packages", "dist-packages")))
        found = _installation[plugins] = _usable(dirs)
    return found


@functools.cache
def prefixes() -> tuple[str, ...]:
    """The interpreter's prefixes (a virtualenv, a pyenv or uv Python); ``/usr`` is one too, where
    ``paths`` leaves it to the system-directory rules. Resolved once: they are this process's own."""
    return _usable((sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix))


def user_dirs(env) -> tuple[str, ...]:
    """The user's Vectimus home and runtime directory for a call made with environment ``env``."""
    from vectimus.daemon.runtime import runtime_dir
    from vectimus.layout import vectimus_home

    return _usable([vectimus_home(env), runtime_dir(env)])


def _usable(dirs) -> tuple[str, ...]:
    """Absolute, resolved, de-duplicated; never ``/`` (a prefix of ``/`` would protect everything)."""
    out: list[str] = []
    for raw in dirs:
        if not raw or not os.path.isabs(raw):
            continue
        path = world.realpath(raw)
        if path != "/" and path not in out:
            out.append(path)
    return tuple(out)
