"""The scripts Python project managers run by name: ``pdm run X`` (``[tool.pdm.scripts]``: ``cmd``,
``shell``, ``call``, ``composite``, with ``pre_X``/``post_X``), ``hatch run [ENV:]X`` (an
environment's ``scripts``, in ``pyproject.toml``'s ``[tool.hatch.envs.ENV]`` or ``hatch.toml``'s
``[envs.ENV]``, and its ``pre-install-commands``/``post-install-commands``), ``pipenv run X``
(``Pipfile``'s ``[scripts]``), and ``poetry run X`` / ``uv run X`` / ``pdm run X`` of an entry point
the project declares (``[project.scripts]``, ``[tool.poetry.scripts]``): the project module whose
function it names runs. ``poe X`` (Poe the Poet) runs ``[tool.poe.tasks]``: ``cmd``, ``shell``,
``script`` (a project module's function), ``expr`` (Python), ``sequence``, ``ref``, ``deps``,
``uses`` and ``switch`` tasks.

``run`` is called by the environment runners' peel (``peel._environment_runner``) with the command
they would run: when its program is one of the project's scripts, the script's commands are
analysed as shell code (a ``call`` or an entry point's module as Python) run by the file that
declares it, and the command is not run as a program. ``deferred`` judges such a file being written.
Standard library only (tomllib, imported when a manager runs a script).
"""

from __future__ import annotations

import posixpath
import re

from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word

TOOLS = ("pdm", "hatch", "pipenv", "poetry", "uv", "poe")
MAX_SCRIPTS = 64  # scripts one command expands to (composites, hatch's script references); past it, unread
FILES = {"pdm": ("pyproject.toml",), "hatch": ("hatch.toml", "pyproject.toml"), "pipenv": ("Pipfile",),
         "poetry": ("pyproject.toml",), "uv": ("pyproject.toml",), "poe": ("pyproject.toml",)}
DIR_OPTIONS = {"pdm": ("-p", "--project"), "uv": ("--project", "--directory"),
               "poetry": ("-C", "--directory", "-P", "--project"), "poe": ("-C", "--directory", "--root")}
POE_OPTIONS = "-C --directory --root -e --executor"
_ENTRY = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(?::\s*([A-Za-z_][\w.]*))?")


def run(an: Analysis, outer: Cmd, name: str, inner: Cmd) -> bool:
    """Analyse the project script ``inner`` names (``outer`` is the manager's command); False
    when it names none (it runs as a program)."""
    if name == "poetry":  # poe's poetry plugin runs its hooks around `poetry run`
        from vectimus.analyser.programs import poe_poetry

        poe_poetry.run(an, outer, outer.words[1:])
    if name in ("uv", "hatch"):  # the environment it runs in is synced first: the project is built
        from vectimus.analyser.programs import project_builds

        project_builds.builds(an, outer, name, outer.words[1:])
    if not inner.words or inner.words[0].dynamic or inner.scope.cwd_dynamic:
        return False
    from vectimus.analyser.programs.tasks import nearest

    script, args = inner.words[0].text, [w.text for w in inner.words[1:]]
    words = list(outer.words[1:len(outer.words) - len(inner.words)])
    options = DIR_OPTIONS.get(name, ())  # `-p DIR`, `--project DIR`, `--project=DIR`
    dirs = [b if a.text in options else Word(a.text.partition("=")[2], a.dynamic)
            for a, b in zip(words, [*words[1:], Word("")])
            if a.text in options or "=" in a.text and a.text.partition("=")[0] in options]
    path = nearest(an, inner.moved(dirs), FILES[name])
    if not path:
        return False
    text, why = runs.read(an, path)
    if text is None:
        return False
    try:
        data = _toml(text)
    except Unanalysable as exc:
        if script in text:  # it may name the script: what runs is unknown
            runs.unread(an, inner, path, runs.display(an, path), runs.by_agent(an, path), str(exc))
            return True
        return False
    label, mine = runs.display(an, path), runs.by_agent(an, path)
    try:
        commands = _commands(name, data, script, args, _env(outer, name), posixpath.dirname(path))
        if commands is None:
            return False
        _analyse(an, inner, path, label, mine, commands)
    except Unanalysable as exc:
        runs.unread(an, inner, path, label, mine, str(exc))
    return True


def poe(an: Analysis, cmd: Cmd, name: str) -> None:
    """``poe TASK [args]``: the task ``[tool.poe.tasks]`` of the nearest ``pyproject.toml`` declares."""
    from vectimus.analyser import argv

    p = argv.parse(cmd.words[1:], argv.opts(POE_OPTIONS), stop_at_operand=True)
    if p.operands:
        run(an, cmd, "poe", cmd.with_words(p.operands, via="poe"))


HANDLERS = {"poe": poe}


def _analyse(an: Analysis, cmd: Cmd, path: str, label: str, mine: bool, commands) -> None:
    for lang, code, where in commands:
        if lang == "module":
            runs.run_file(an, cmd, Word(code), runner="python", label=f"{label}:{where}")
        else:
            runs.analyse(an, cmd, code, lang, f"{label}:{where}", mine, path=path)


def _toml(text: str) -> dict:
    import tomllib

    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise Unanalysable(f"a TOML file that is not valid TOML ({str(exc)[:60]})") from None


def _env(outer: Cmd, name: str) -> str:
    """hatch's environment: ``-e ENV`` / ``--env ENV`` / ``HATCH_ENV``, or the ``ENV:`` before the script."""
    words = [w.text for w in outer.words]
    for i, word in enumerate(words[:-1]):
        if word in ("-e", "--env"):
            return words[i + 1]
    after = words[words.index("run") + 1:] if "run" in words else []
    found = next((w.split(":", 1)[0] for w in after if ":" in w and not w.startswith("-")), "")
    return found or "default"


def _commands(name: str, data: dict, script: str, args: list[str], env: str, root: str):
    """[(language, code or module file, label)] a script runs, or None when ``script`` is none."""
    if name == "pipenv":
        body = _table(data, "scripts").get(script)
        return [("shell", _with_args(body, args), script)] if isinstance(body, str) else None
    if name == "hatch":
        return _hatch(data, script, args, env)
    if name == "poe":
        tasks = _table(data, "tool", "poe", "tasks")
        if script not in tasks:
            return None
        parts: list = []
        _poe(tasks, tasks[script], script, args, root, parts, set())
        return parts
    if name == "pdm":
        scripts = _table(data, "tool", "pdm", "scripts")
        if script in scripts and script != "_":
            out: list = []
            _pdm(scripts, script, args, root, out, set())
            return out
    entries = {**_table(data, "project", "scripts"), **(_table(data, "tool", "poetry", "scripts")
                                                        if name == "poetry" else {})}
    entry = entries.get(script)
    if isinstance(entry, dict):
        entry = entry.get("reference") or entry.get("callable")
    if not isinstance(entry, str):
        return None
    found = module_file(root, entry)
    return [("module", found, script)] if found else []


def module_file(root: str, entry: str) -> str:
    """The project file of the module an entry point (``pkg.cli:main``) names, or ""."""
    match = _ENTRY.match(entry)
    if match is None:
        return ""
    base = match.group(1).replace(".", "/")
    for folder in (root, f"{root}/src"):
        for candidate in (f"{base}.py", f"{base}/__init__.py", f"{base}/__main__.py"):
            if posixpath.isfile(f"{folder}/{candidate}"):
                return f"{folder}/{candidate}"
    return ""


def _with_args(body: str, args: list[str]) -> str:
    import shlex

    return " ".join([body, *map(shlex.quote, args)]) if args else body


def _pdm(scripts: dict, script: str, args: list[str], root: str, out: list, seen: set[str]) -> None:
    """pdm's script ``script`` with its ``pre_``/``post_`` scripts; a composite's parts in turn."""
    if script in seen:
        return
    if len(seen) >= MAX_SCRIPTS:
        raise Unanalysable(f"pdm scripts that run more than {MAX_SCRIPTS} scripts")
    seen.add(script)
    for name in (f"pre_{script}", script, f"post_{script}"):
        spec = scripts.get(name)
        if spec is None:
            continue
        given = args if name == script else []
        if isinstance(spec, (str, list)):
            spec = {"cmd": spec}
        if not isinstance(spec, dict):
            continue
        if isinstance(spec.get("cmd"), list):
            import shlex

            out.append(("shell", shlex.join([*map(str, spec["cmd"]), *given]), name))
        for key in ("cmd", "shell"):
            if isinstance(spec.get(key), str):
                out.append(("shell", _with_args(spec[key], given), name))
        if isinstance(spec.get("call"), str):
            found = module_file(root, spec["call"])
            if found:
                out.append(("module", found, name))
        for part in spec.get("composite") or [] if isinstance(spec.get("composite"), list) else []:
            words = str(part).split()
            if words and words[0] in scripts:
                _pdm(scripts, words[0], words[1:], root, out, seen)
            elif words:
                out.append(("shell", str(part), name))


def _poe(tasks: dict, spec, name: str, args: list[str], root: str, out: list, seen: set[str]) -> None:
    """What poe's task ``spec`` (named ``name``) runs, its dependencies and parts first."""
    if isinstance(spec, str) and name in seen:
        return
    seen.add(name)
    if len(seen) > MAX_SCRIPTS or len(out) > MAX_SCRIPTS:
        raise Unanalysable(f"poe tasks that run more than {MAX_SCRIPTS} tasks")
    if isinstance(spec, str):
        out.append(("shell", _with_args(spec, args), name))
        return
    if isinstance(spec, list):
        spec = {"sequence": spec}
    if not isinstance(spec, dict):
        return
    uses: dict = spec["uses"] if isinstance(spec.get("uses"), dict) else {}
    for ref in [*(spec.get("deps") or [] if isinstance(spec.get("deps"), list) else []), *uses.values(),
                *([spec["ref"]] if isinstance(spec.get("ref"), str) else [])]:
        words = str(ref).split()
        if words and words[0] in tasks and words[0] not in seen:
            _poe(tasks, tasks[words[0]], words[0], words[1:], root, out, seen)
    for key in ("cmd", "shell"):
        if isinstance(spec.get(key), str):
            out.append(("shell", _with_args(spec[key], args), name))
    if isinstance(spec.get("expr"), str):
        out.append(("python", spec["expr"], name))
    if isinstance(spec.get("script"), str):
        found = module_file(root, spec["script"])
        if found:
            out.append(("module", found, name))
    parts = [*(spec.get("sequence") or [] if isinstance(spec.get("sequence"), list) else []),
             *(spec.get("switch") or [] if isinstance(spec.get("switch"), list) else [])]
    for i, part in enumerate(parts):
        if isinstance(part, str) and part.split(maxsplit=1)[0] in tasks:  # a sequence names tasks
            words = part.split()
            if words[0] not in seen:
                _poe(tasks, tasks[words[0]], words[0], words[1:], root, out, seen)
        else:
            _poe(tasks, part, f"{name}[{i}]", [], root, out, seen)


def _hatch(data: dict, script: str, args: list[str], env: str):
    """hatch's script in environment ``env`` (a script naming another expands to it) and the
    environment's install commands; None when the environment has no such script."""
    envs = _table(data, "envs") or _table(data, "tool", "hatch", "envs")
    spec, scripts = _table(envs, env), _table(envs, env, "scripts")
    if script not in scripts:
        return None
    out = [("shell", c, f"{env}:{key}") for key in ("pre-install-commands", "post-install-commands")
           for c in (spec.get(key) or []) if isinstance(c, str)]
    seen: set[str] = set()

    def expand(name: str, extra: list[str]) -> None:
        if name in seen:
            return
        if len(seen) >= MAX_SCRIPTS:
            raise Unanalysable(f"hatch scripts that run more than {MAX_SCRIPTS} scripts")
        seen.add(name)
        body = scripts[name]
        for command in body if isinstance(body, list) else [body]:
            if not isinstance(command, str):
                continue
            first = command.split(maxsplit=1)
            if first and first[0] in scripts:
                expand(first[0], [*first[1:], *extra])
            else:
                given = " ".join(extra)
                text = re.sub(r"\{args(?::[^}]*)?\}", given, command) if "{args" in command else \
                    " ".join([command, given]).strip()
                out.append(("shell", text, f"{env}:{name}"))
    expand(script, args)
    return out


def deferred(an: Analysis, cmd: Cmd, path: str, text: str) -> None:
    """Every script of a ``pyproject.toml``/``hatch.toml``/``Pipfile`` being written."""
    try:
        data = _toml(text)
    except Unanalysable:
        return  # the manager refuses it: nothing runs from it
    label, root = runs.display(an, path), posixpath.dirname(path)
    name = posixpath.basename(path)
    tools = ("pipenv",) if name == "Pipfile" else ("hatch",) if name == "hatch.toml" else ("pdm", "hatch", "poe")
    found: list = []
    for tool in tools:
        for env, script in _names(tool, data):
            found += _commands(tool, data, script, [], env, root) or []
            if len(found) > MAX_SCRIPTS * 4:
                raise Unanalysable(f"{name} with more than {MAX_SCRIPTS * 4} script commands")
    _analyse(an, cmd, path, label, True, found)


def _table(data, *keys: str) -> dict:
    """``data[keys[0]][keys[1]]…`` when each is a table, else an empty one."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _names(tool: str, data: dict) -> list[tuple[str, str]]:
    """(environment, script) of every script ``tool`` declares in the file's ``data``."""
    if tool == "pipenv":
        return [("default", s) for s in _table(data, "scripts")]
    if tool == "pdm":
        return [("default", s) for s in _table(data, "tool", "pdm", "scripts") if s != "_"]
    if tool == "poe":
        return [("default", s) for s in _table(data, "tool", "poe", "tasks")]
    envs = _table(data, "envs") or _table(data, "tool", "hatch", "envs")
    return [(env, script) for env in envs for script in _table(envs, env, "scripts")]
