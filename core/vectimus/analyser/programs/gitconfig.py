"""Git's configuration as a git command sees it, read, never by running git: the repository
(``git_dirs``: the work tree, git dir and common dir, worktrees and ``GIT_DIR`` followed), the
files git reads (``~/.gitconfig``, ``~/.config/git/config``, the repository's ``config``, their
``[include]``s, ten levels deep as git follows them), ``GIT_CONFIG_*`` and ``-c`` settings.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import os

from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word
from vectimus import world

MAX_INCLUDES = 10


class Config:
    """Git configuration, last value wins: ``get`` a value, ``section`` the names under a prefix."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def set(self, key: str, value: str) -> None:
        section, _, name = key.rpartition(".")
        head, dot, sub = section.partition(".")
        self.values[f"{head.lower()}{dot}{sub}.{name.lower()}"] = value

    def get(self, key: str) -> str | None:
        return self.values.get(key)


def parse_config(text: str, config: Config, source: str = "") -> list[str]:
    """Add git-config ``text`` to ``config``; return the files it includes (``include.path``)."""
    section = ""
    includes = []
    for raw in _logical(text):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            end = line.find("]")
            header = line[1:end] if end > 0 else line[1:]
            if '"' in header:
                name, _, sub = header.partition('"')
                section = f"{name.strip().lower()}.{_unquote(sub.rsplit(chr(34), 1)[0])}"
            else:
                section = header.strip().lower()
            line = line[end + 1:].strip() if end > 0 else ""
            if not line or line[0] in "#;":
                continue
        name, eq, value = line.partition("=")
        key = f"{section}.{name.strip()}"
        value = _value(value) if eq else "true"
        config.set(key, value)
        lowered = key.lower()
        if _includes(lowered):
            includes.append(value)
    return includes


def _logical(text: str):
    """Lines with backslash-newline continuations joined."""
    pending = ""
    for line in text.split("\n"):
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending += line[:-1]
            continue
        yield pending + line
        pending = ""
    if pending:
        yield pending


def _value(text: str) -> str:
    """A config value: quotes removed, escapes resolved, a comment outside quotes dropped."""
    out, quoted, i = [], False, 0
    text = text.strip()
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append({"n": "\n", "t": "\t", "b": "\b"}.get(text[i + 1], text[i + 1]))
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch in "#;" and not quoted:
            break
        else:
            out.append(ch)
        i += 1
    return "".join(out).strip()


def _unquote(text: str) -> str:
    return text.replace('\\"', '"').replace("\\\\", "\\")


# -- the repository -------------------------------------------------------------------------

def git_dirs(an: Analysis, cmd: Cmd, given: Word | None) -> tuple[str, str, str] | None:
    """(work tree, git dir, common dir) of the repository ``cmd`` runs in, or None outside one."""
    from vectimus.analyser.facts import env

    given = given or env.value(cmd, "GIT_DIR")
    if given is not None:
        if given.dynamic:
            return None
        git_dir = an.resolve(given, cmd.scope)
        return os.path.dirname(git_dir), git_dir, _common(git_dir)
    if cmd.scope.cwd_dynamic:
        return None
    folder = cmd.scope.places.cwd
    for _ in range(64):
        dot = os.path.join(folder, ".git")
        if world.isdir(dot):
            return folder, dot, _common(dot)
        if world.isfile(dot):
            text, _ = runs.read(an, dot)
            if text and text.startswith("gitdir:"):
                git_dir = os.path.normpath(os.path.join(folder, text[7:].strip()))
                return folder, git_dir, _common(git_dir)
            return None
        if folder == "/":
            return None
        folder = os.path.dirname(folder)
    return None


def _common(git_dir: str) -> str:
    try:
        text = world.read_text(os.path.join(git_dir, "commondir"), 4096)
    except (OSError, ValueError):
        return git_dir
    return os.path.normpath(os.path.join(git_dir, text.strip()))


def load_config(an: Analysis, cmd: Cmd, head, common: str | None) -> Config:
    """The configuration a git command sees: system, global (with the HOME, XDG_CONFIG_HOME and
    GIT_CONFIG_SYSTEM/GLOBAL the command sets), repository, GIT_CONFIG_*, then ``-c``."""
    from vectimus.analyser.facts import env

    config = Config()
    home = (env.value(cmd, "HOME") or Word(an.places.home)).text  # (a HOME the command sets: its .gitconfig)
    xdg = env.value(cmd, "XDG_CONFIG_HOME") or Word(an.env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"))
    files = [] if env.value(cmd, "GIT_CONFIG_NOSYSTEM") else [env.value(cmd, "GIT_CONFIG_SYSTEM")
                                                              or Word("/etc/gitconfig")]
    files += [Word(os.path.join(xdg.text, "git", "config"), xdg.dynamic),
              env.value(cmd, "GIT_CONFIG_GLOBAL") or Word(os.path.join(home, ".gitconfig"))]
    if common is not None:
        files.append(Word(os.path.join(common, "config")))
    for word in files:
        if not word.dynamic:
            _read_config(an, cmd, an.resolve(word, cmd.scope), config, 0)
    count = env.value(cmd, "GIT_CONFIG_COUNT")
    if count is not None and count.text.isdigit():
        for i in range(min(int(count.text), 64)):
            key, value = env.value(cmd, f"GIT_CONFIG_KEY_{i}"), env.value(cmd, f"GIT_CONFIG_VALUE_{i}")
            if key is not None and value is not None:
                config.set(key.text, value.text)
    for word in head.all("c"):
        key, eq, value = word.text.partition("=")
        config.set(key, value if eq else "true")
        if eq and _includes(key) and not word.dynamic:  # git reads the file there and then
            _read_config(an, cmd, an.resolve(Word(value), cmd.scope), config, 1)
    return config


def _includes(key: str) -> bool:
    """``include.path`` / ``includeIf.<condition>.path``: a file of settings read in place."""
    key = key.lower()
    return key == "include.path" or (key.startswith("includeif.") and key.endswith(".path"))


def _read_config(an: Analysis, cmd: Cmd, path: str, config: Config, depth: int) -> None:
    if depth > MAX_INCLUDES:  # git follows 10 levels; a setting past what is read must not go unseen
        raise Unanalysable(f"git config includes nested more than {MAX_INCLUDES} deep")
    text, _ = runs.read(an, path) if world.exists(path) or path in an.pending else (None, "")
    if text is None:
        return
    for include in parse_config(text, config, path):
        target = include if include.startswith(("/", "~")) else os.path.join(os.path.dirname(path), include)
        _read_config(an, cmd, an.resolve(Word(target), cmd.scope), config, depth + 1)
