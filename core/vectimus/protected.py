"""What the agent must not change: every agent's governance files, and Vectimus itself.

Both lists live here, so where they come from can change (agents' files declared by their
adapters, say) without touching how a path is classified (``paths.classify`` reads them):

- governance files: what configures an agent or Vectimus (hook settings, MCP servers, rules),
  relative to the project, to the home directory, or absolute;
- Vectimus itself: the installation this process runs (its package, the site-packages directories
  it imports from with their ``.pth`` files, the interpreter's prefixes, every Vectimus plugin
  package loaded), the user's Vectimus home (config, keys, logs), its runtime directory (the
  evaluator's socket and the session ledgers) and the project's ``.vectimus/`` (receipts, keys).

Standard library only: used on the hot path.
"""

from __future__ import annotations

import os
import sys

# Project-relative files and directories (a trailing "/" means everything below) that configure
# an agent or Vectimus itself: hooks, settings, MCP servers, rules.
GOVERNANCE_PROJECT = (
    ".claude/settings.json", ".claude/settings.local.json", ".claude/agents/", ".claude/commands/",
    ".claude/skills/", ".claude/hooks/", ".mcp.json",
    ".cursor/hooks.json", ".cursor/mcp.json", ".cursor/rules/", ".cursorrules",
    ".github/hooks/", ".github/copilot/", ".github/agents/", ".github/mcp.json",
    ".vscode/settings.json", ".vscode/mcp.json",
    ".gemini/", ".codex/config.toml", ".codex/hooks.json", ".factory/", ".opencode/",
    "opencode.json", "opencode.jsonc", ".vectimus/", ".github/copilot-instructions.md",
)
GOVERNANCE_HOME = (
    ".claude/settings.json", ".claude/settings.local.json", ".claude.json", ".claude/agents/",
    ".claude/commands/", ".claude/skills/", ".claude/hooks/",
    ".cursor/hooks.json", ".cursor/mcp.json", ".copilot/", ".gemini/settings.json",
    ".gemini/trusted_hooks.json", ".gemini/extensions/", ".codex/config.toml", ".codex/hooks.json",
    ".factory/", ".config/opencode/", ".vectimus/", ".config/vectimus/",
)
GOVERNANCE_ABSOLUTE = ("/etc/claude-code/", "/etc/cursor/", "/etc/github-copilot/", "/etc/gemini-cli/",
                       "/etc/codex/", "/etc/vectimus/", "/library/application support/claudecode/")
# Project-relative: the project's receipts, public keys and config.
VECTIMUS_PROJECT = (".vectimus/",)

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


def prefixes() -> tuple[str, ...]:
    """The interpreter's prefixes (a virtualenv, a pyenv or uv Python); ``/usr`` is one too, where
    ``paths`` leaves it to the system-directory rules. Resolved once: they are this process's own."""
    if not _prefixes:
        _prefixes.append(_usable((sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix)))
    return _prefixes[0]


_prefixes: list[tuple[str, ...]] = []


def user_dirs(env) -> tuple[str, ...]:
    """The user's Vectimus home and runtime directory for a call made with environment ``env``."""
    from vectimus.daemon.runtime import runtime_dir, vectimus_home

    return _usable([vectimus_home(env), runtime_dir(env)])


def _usable(dirs) -> tuple[str, ...]:
    """Absolute, resolved, de-duplicated; never ``/`` (a prefix of ``/`` would protect everything)."""
    out: list[str] = []
    for raw in dirs:
        if not raw or not os.path.isabs(raw):
            continue
        path = os.path.realpath(raw)
        if path != "/" and path not in out:
            out.append(path)
    return tuple(out)
