"""Environment managers that run the project's code before the command they are asked for.

- ``direnv exec DIR CMD``: the ``.envrc`` nearest DIR (bash) is sourced first (``direnv allow`` is the
  agent's own to run, so an ``.envrc`` is read as allowed).
- mise (and rtx, its former name): its configuration files, from the command's directory (or
  ``-C DIR``) up to the project and the user's ``~/.config/mise/config.toml``, hold ``[env]``
  entries run as mise loads the environment (``_.source = "script.sh"``, a template's
  ``{{exec(command='…')}}``) for ``mise exec|x|run|env|watch`` and a task; ``[tasks]`` that
  ``mise run TASK`` (``r``, ``tasks run``, or ``mise TASK`` itself) runs with their ``depends``,
  ``depends_post`` and ``file``, and the executable files of ``mise-tasks/`` (``.mise/tasks/`` …);
  ``[hooks]`` ``preinstall``/``postinstall`` that ``mise install`` runs. ``mise trust`` is the
  agent's own to run too: an untrusted file is read as trusted.
Standard library only (tomllib, imported when mise runs).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word

MISE_OPTS = argv.opts("-C --cd -E --env -j --jobs -o --output -t --tool -c --continue-on-error")
MISE_FILES = (".config/mise/config.toml", ".config/mise/mise.toml", ".config/mise.toml", "mise/config.toml",
              ".mise/config.toml", ".rtx.toml", "mise.toml", ".mise.toml", "mise.local.toml", ".mise.local.toml")
TASK_DIRS = ("mise-tasks", ".mise-tasks", "mise/tasks", ".mise/tasks", ".config/mise/tasks")
LOADS_ENV = frozenset(("exec", "x", "run", "r", "env", "e", "watch", "w", "tasks", "hook-env", "shell", "sh"))
OWN = frozenset(("activate", "alias", "backends", "bin-paths", "cache", "completion", "config", "deactivate", "doctor",
                 "en", "exec", "x", "fmt", "generate", "implode", "install", "i", "install-into", "latest", "link",
                 "ls", "list", "ls-remote", "outdated", "plugins", "p", "prune", "registry", "reshim", "search",
                 "self-update", "set", "settings", "shell", "sh", "sync", "tasks", "t", "test-tool", "tool",
                 "trust", "uninstall", "unset", "unuse", "upgrade", "up", "usage", "use", "u", "version",
                 "watch", "w", "where", "which", "run", "r", "env", "e", "hook-env", "help", "edit", "lock", "mcp",
                 "tool-stub", "completions"))
MAX_TASKS = 64
_EXEC = re.compile(r"exec\(\s*command\s*=\s*(?:\"((?:[^\"\\]|\\.)*)\"|'([^']*)')")


def peel(cmd: Cmd, an: Analysis, name: str, base) -> object:
    """``direnv``/``mise``/``rtx``: what they load and run first; then ``base`` (the environment
    runner's peel) for the command they run, or None when the tool ran everything itself."""
    if name == "direnv":
        inner = base(cmd, an, name)
        words = [w for w in cmd.words[1:] if not w.text.startswith("-")]
        if inner and len(words) > 1 and not words[1].dynamic:
            envrc(an, cmd, words[1])
        return inner
    p = argv.parse(cmd.words[1:], MISE_OPTS, stop_at_operand=True)
    if not p.operands or p.operands[0].dynamic:
        return False
    sub, rest = p.operands[0].text, p.operands[1:]
    moved = cmd.moved(p.all("C", "cd"))
    if sub == "tasks" and rest and rest[0].text in ("run", "r"):
        sub, rest = "run", rest[1:]
    if sub in LOADS_ENV or sub not in OWN or sub in ("install", "i"):
        configs = _configs(an, moved)
        if sub in ("install", "i"):
            for path, data in configs:
                _hooks(an, cmd, path, data)
            return False
        for path, data in configs:
            _env(an, cmd, path, data)
        if sub in ("run", "r") or sub not in OWN:
            _tasks(an, moved, configs, rest if sub in ("run", "r") else p.operands)
            return None
    return base(cmd, an, name) if sub in ("exec", "x") else False


def envrc(an: Analysis, cmd: Cmd, folder: Word) -> None:
    """The ``.envrc`` nearest ``folder``, sourced by bash."""
    from vectimus.analyser.programs.tasks import nearest

    path = nearest(an, cmd.moved([folder]), (".envrc",))
    if path:
        runs.run_file(an, cmd, Word(path), runner="shell", label=f"direnv {runs.display(an, path)}")


def _configs(an: Analysis, cmd: Cmd) -> list[tuple[str, dict]]:
    """(path, table) of each mise configuration file that applies in ``cmd``'s directory."""
    import tomllib

    if cmd.scope.cwd_dynamic:
        return []
    folders, folder, project = [], cmd.scope.places.cwd, an.places.project
    while True:
        folders.append(folder)
        if folder in (project, "/") or not folder.startswith(project.rstrip("/") + "/") or len(folders) > 32:
            break
        folder = folder.rsplit("/", 1)[0] or "/"
    paths = [f"{an.places.home}/.config/mise/config.toml"]
    paths += [f"{f.rstrip('/')}/{name}" for f in reversed(folders) for name in MISE_FILES]
    out = []
    for path in dict.fromkeys(paths):
        text, _ = runs.read(an, path)
        if not text:
            continue
        try:
            data = tomllib.loads(text.removeprefix("\ufeff"))
        except (tomllib.TOMLDecodeError, RecursionError):
            if any(key in text for key in ("[tasks", "[env", "[hooks", "_.source", "exec(")):
                runs.unread(an, cmd, path, runs.display(an, path), runs.by_agent(an, path), "a mise file that is not TOML")
            continue
        out.append((path, data))
    return out


def _shell(an: Analysis, cmd: Cmd, path: str, code: str, where: str) -> None:
    runs.analyse(an, cmd, code, "shell", f"{runs.display(an, path)}:{where}", runs.by_agent(an, path), path=path)


def _env(an: Analysis, cmd: Cmd, path: str, data: dict) -> None:
    """``[env]``: the scripts ``_.source`` names, sourced; the commands its templates run."""
    table = _dict(data.get("env"))
    special = _dict(table.get("_"))
    sources = special.get("source")
    for entry in sources if isinstance(sources, list) else [sources]:
        name = entry.get("path") if isinstance(entry, dict) else entry
        if isinstance(name, str) and name:
            script = name if name.startswith("/") else posixpath.join(posixpath.dirname(path), name)
            runs.run_file(an, cmd, Word(posixpath.normpath(script)), runner="shell", sourced=True,
                          label=f"{runs.display(an, path)} env _.source")
    for value in _strings(table):
        for match in _EXEC.finditer(value):
            _shell(an, cmd, path, match.group(1) if match.group(1) is not None else match.group(2), "env exec()")


def _hooks(an: Analysis, cmd: Cmd, path: str, data: dict) -> None:
    hooks = _dict(data.get("hooks"))
    for key in ("preinstall", "postinstall"):
        for code in _scripts(hooks.get(key)):
            _shell(an, cmd, path, code, f"hooks.{key}")


def _tasks(an: Analysis, cmd: Cmd, configs: list[tuple[str, dict]], words) -> None:
    """The tasks ``mise run`` names (``:::`` between them; globs match names), their dependencies first."""
    declared: dict[str, tuple[str, object]] = {}
    for path, data in configs:
        for name, spec in _dict(data.get("tasks")).items():
            declared[name] = (path, spec)
    texts = [w.text for w in words if not w.dynamic]
    groups, current = [], []  # type: ignore[var-annotated]
    for text in texts:
        if text == ":::":
            groups.append(current)
            current = []
        else:
            current.append(text)
    groups.append(current)
    seen: set[str] = set()
    for group in groups:
        named = [t for t in group if not t.startswith("-")][:1]
        for name in named:
            matches = [n for n in declared if fnmatch.fnmatchcase(n, name)] if any(c in name for c in "*?[") else [name]
            for match in matches:
                _task(an, cmd, declared, match, seen)


def _task(an: Analysis, cmd: Cmd, declared: dict, name: str, seen: set[str]) -> None:
    if name in seen or len(seen) >= MAX_TASKS:
        return
    seen.add(name)
    if name not in declared:
        for folder in TASK_DIRS:  # a file task: mise-tasks/build, mise-tasks/lint/fix for lint:fix
            target = an.target(Word(f"{an.places.project}/{folder}/{name.replace(':', '/')}"), cmd.scope)
            if target.exists and not target.is_dir or target.path in an.pending:
                runs.run_file(an, cmd, Word(target.path), label=f"mise task {name}")
                return
        return
    path, spec = declared[name]
    table = spec if isinstance(spec, dict) else {"run": spec}
    for key in ("depends", "wait_for"):
        for dep in _scripts(table.get(key)):
            _task(an, cmd, declared, dep.split()[0] if dep.split() else dep, seen)
    for code in _scripts(table.get("run")):
        _shell(an, cmd, path, code, f"tasks.{name}")
    for entry in _list(table.get("run")):
        if isinstance(entry, dict) and isinstance(entry.get("task"), str):
            _task(an, cmd, declared, entry["task"], seen)
    if isinstance(table.get("file"), str):
        runs.run_file(an, cmd, Word(posixpath.join(posixpath.dirname(path), table["file"])), label=f"mise task {name}")
    for dep in _scripts(table.get("depends_post")):
        _task(an, cmd, declared, dep.split()[0] if dep.split() else dep, seen)


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _scripts(value) -> list[str]:
    """A string, or the strings of a list (a table's ``script`` too)."""
    if isinstance(value, dict):
        value = value.get("script") or value.get("run")
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _strings(value, depth: int = 0) -> list[str]:
    if isinstance(value, str):
        return [value]
    if depth > 4:
        return []
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [s for item in items for s in _strings(item, depth + 1)]
