"""Environment knobs: variables set on a command that change what it runs or switch checks off.

``knobs(cmd)`` names the knobs a command sets (``BASH_ENV=x bash …``, ``env LD_PRELOAD=… ls``,
``export NODE_OPTIONS=…; npm test``); they become ``context.env`` on its exec action. What a knob
points at (the file ``BASH_ENV`` names, a program found through a ``PATH`` that puts a project
directory first) is read and analysed by ``runs``; ``value`` and ``path_dirs`` give it the values.
Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus import paths
from vectimus.analyser.context import Cmd, Word

# Variables that make a program run other code, load other libraries or configuration, or change
# how Vectimus itself behaves. A family is reported under one name (``VECTIMUS_*``).
KNOBS = frozenset((
    "BASH_ENV", "ENV", "PROMPT_COMMAND", "SHELLOPTS", "BASHOPTS",
    "LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES", "DYLD_LIBRARY_PATH",
    "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONINSPECT",
    "NODE_OPTIONS", "NODE_PATH", "RUBYOPT", "RUBYLIB", "PERL5OPT", "PERL5LIB", "PERLLIB",
    "GIT_SSH_COMMAND", "GIT_SSH", "GIT_EXEC_PATH", "GIT_EXTERNAL_DIFF", "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR", "GIT_PAGER", "GIT_ASKPASS", "SSH_ASKPASS", "GIT_PROXY_COMMAND",
    "GIT_TEMPLATE_DIR", "GIT_DIR", "GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_PARAMETERS", "EDITOR", "VISUAL", "PAGER", "LESSOPEN", "LESS", "MAKEFLAGS", "MAKEFILES",
    "GCONV_PATH", "DYLD_FRAMEWORK_PATH", "PYTHONBREAKPOINT", "PYTHONWARNINGS", "PERL5DB", "FCEDIT", "BROWSER",
    "SYSTEMD_PAGER", "MANPAGER", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "PATH",
))
FAMILIES = (("VECTIMUS_", "VECTIMUS_*"), ("GIT_CONFIG_KEY_", "GIT_CONFIG_*"),
            ("GIT_CONFIG_VALUE_", "GIT_CONFIG_*"), ("GIT_CONFIG_COUNT", "GIT_CONFIG_*"),
            ("npm_config_", "npm_config_*"), ("NPM_CONFIG_", "npm_config_*"))


def assigned(cmd: Cmd) -> dict[str, Word]:
    """What the command's environment sets: variables known in its shell, then its own assignments."""
    found = {name: word for name, word in cmd.scope.vars.items() if _knob(name)}
    found.update(cmd.env)
    return found


def value(cmd: Cmd, name: str) -> Word | None:
    """The value of ``name`` in the command's environment, when it is set there."""
    for key, word in reversed(cmd.env):
        if key == name:
            return word
    return cmd.scope.vars.get(name)


def values(cmd: Cmd, name: str) -> list[Word]:
    """Every value ``name`` may hold in the command's environment: its value, or each value a
    conditional set it to (``make lib && export LD_LIBRARY_PATH=lib; ls``)."""
    if name in cmd.scope.choices and not any(key == name for key, _ in cmd.env):
        return [w for w in cmd.scope.choices[name] if w is not None]
    word = value(cmd, name)
    return [word] if word is not None else []


def knobs(cmd: Cmd) -> tuple[str, ...]:
    """The knobs ``cmd`` sets, sorted (``PATH`` only when it puts a non-system directory first)."""
    if not cmd.env and not cmd.scope.vars:
        return ()
    out = set()
    for name, word in assigned(cmd).items():
        knob = _knob(name)
        if knob == "PATH" and not path_dirs(cmd, word):
            continue
        if knob:
            out.add(knob)
    return tuple(sorted(out))


def _knob(name: str) -> str | None:
    if name in KNOBS:
        return name
    for prefix, family in FAMILIES:
        if name.startswith(prefix):
            return family
    return None


def path_dirs(cmd: Cmd, word: Word) -> list[str]:
    """The directories a ``PATH`` value searches before the inherited ``$PATH`` or a system directory.

    ``PATH="$PWD/bin:$PATH"`` gives ``[<cwd>/bin]``; an empty entry is the current directory.
    Only these can hold a program the agent put there; unresolved entries end the list.
    """
    out = []
    places = cmd.scope.places
    for entry in word.text.split(":"):
        if "$" in entry or "`" in entry:
            break
        path = paths.resolve(entry or ".", places) if not cmd.scope.cwd_dynamic or entry.startswith("/") else ""
        facts = paths.classify(path, places) if path else None
        if facts is None or facts.is_system:
            break
        if not facts.is_vectimus:  # Vectimus's own installation is protected: nothing was put there
            out.append(path)
    return out
