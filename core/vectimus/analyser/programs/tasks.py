"""Project task runners: the scripts ``npm``/``yarn``/``pnpm``/``bun`` run from ``package.json``,
the recipes of a ``justfile`` and the tasks of a ``Taskfile``.

Each is read from the project as it is on disk and what runs is analysed as shell code (or the
recipe's own language) run by that file: ``npm run lint`` is ``prelint``, ``lint`` and ``postlint``;
``npm test``/``start``/``stop``/``restart`` the same with their names; ``npm install``/``ci`` with
no package the project's own lifecycle scripts (``preinstall`` … ``prepare``); ``npm pack`` and
``publish`` theirs. ``just`` runs a recipe after its dependencies; ``task`` a task after its
``deps``. A file that cannot be parsed is unread (``context.code.unread``).
Standard library only (PyYAML for Taskfiles, imported when one is read).
"""

from __future__ import annotations

import json
import os
import re

from vectimus.analyser import argv, loaded, runs
from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word
from vectimus.analyser.programs import npm_workspaces

MAX_SCRIPTS = 256  # scripts or recipes one command, or one file being written, runs: past it, the file is unread

NPM_COMMANDS = {
    "run": "run", "run-script": "run", "rum": "run", "urn": "run", "test": "test", "t": "test",
    "tst": "test", "start": "start", "stop": "stop", "restart": "restart", "install": "install",
    "i": "install", "in": "install", "ins": "install", "isntall": "install", "ci": "install",
    "clean-install": "install", "install-clean": "install", "it": "install-test", "install-test": "install-test",
    "pack": "pack", "publish": "publish",
}
LIFECYCLE = {
    "install": ("preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare"),
    "pack": ("prepack", "prepare", "postpack"),
    "publish": ("prepublishOnly", "prepack", "prepare", "postpack", "publish", "postpublish"),
}
# Sub-commands of yarn / pnpm / bun that are theirs, not a script of the project's.
OWN_COMMANDS = frozenset((
    "add", "remove", "rm", "up", "upgrade", "update", "why", "info", "init", "create", "dlx", "exec", "x",
    "link", "unlink", "config", "cache", "global", "workspace", "workspaces", "plugin", "set", "pack",
    "publish", "npm", "node", "bin", "list", "ls", "outdated", "audit", "import", "store", "patch",
    "patch-commit", "rebuild", "prune", "dedupe", "env", "help", "login", "logout", "version", "owner",
    "tag", "team", "test", "upgrade-interactive", "licenses", "generate-lock-entry", "install",
    "i", "ci", "run", "start", "stop", "restart", "fetch", "deploy", "pm", "outdated", "completions",
))
DIR_OPTS = ("prefix", "C", "dir", "cwd")
NPM_VALUE = argv.opts("--prefix -C --dir --cwd -w --workspace --filter -F --registry --cache --loglevel "
                      "--userconfig --globalconfig --script-shell --node-options --pnpmfile --global-pnpmfile")


# -- npm, yarn, pnpm, bun -------------------------------------------------------------------

def npm(an: Analysis, cmd: Cmd, name: str) -> None:
    """The package.json scripts an npm-family command runs (``npm run lint``, ``yarn test``, ``npm ci``)."""
    words = list(cmd.words[1:])
    head = argv.parse(words, NPM_VALUE, stop_at_operand=True)
    before = words[:[w.text for w in words].index("--")] if "--" in [w.text for w in words] else words
    folders = npm_workspaces.selected(an, cmd, before, nearest) if name == "npm" else None  # --workspaces, -w NAME
    cmd = cmd if folders is not None else cmd.moved([w for option, w in argv.parse(before, NPM_VALUE).values  # `npm test --prefix=dir`
                     if option in DIR_OPTS or option in ("w", "workspace") and an.target(w, cmd.scope).is_dir])
    ops = head.operands
    sub = ops[0].text if ops and not ops[0].dynamic else ""
    rest = ops[1:]
    extra: tuple[Word, ...] = ()
    if "--" in [w.text for w in rest]:
        cut = [w.text for w in rest].index("--")
        rest, extra = rest[:cut], tuple(rest[cut + 1:])
    command = NPM_COMMANDS.get(sub, "")
    if not sub and name in ("yarn", "bun") and not ops:
        command = "install" if name == "yarn" else ""
    if name == "bun" and sub in ("test", "build"):
        return  # bun's own test runner and bundler
    if name in ("yarn", "pnpm", "bun") and sub and sub not in OWN_COMMANDS:
        command, rest = "run", ops  # `yarn lint`: a script of the project's
    if sub in ("exec", "x") and not cmd.scope.cwd_dynamic:
        loaded.exec_bin(an, cmd, [*rest, *extra])
        return
    names: list[str] = []
    target = ""
    if command == "run":
        target = rest[0].text if rest and not rest[0].dynamic else ""
        extra = extra or tuple(rest[1:])
        names = [f"pre{target}", target, f"post{target}"] if target else []
    elif command in ("test", "start", "stop", "restart"):
        target = command
        names = [f"pre{command}", command, f"post{command}"]
    elif command == "install-test":
        names = [*LIFECYCLE["install"], "pretest", "test", "posttest"]
    elif command in LIFECYCLE and (command != "install" or not [w for w in rest if not w.text.startswith("-")]):
        names = list(LIFECYCLE[command])
    if not names:
        return
    for folder in folders or [""]:  # each workspace's own scripts, run in its folder
        here = cmd.moved([Word(folder)]) if folder else cmd
        _scripts(an, here, name, command, target, names, npm_workspaces.own_flags(extra) if folder else extra, words)


def _scripts(an: Analysis, cmd: Cmd, name: str, command: str, target: str, names: list[str],
             extra: tuple[Word, ...], words: list[Word]) -> None:
    """The scripts ``names`` of the package.json nearest the command's directory (``npm``)."""
    found = package_json(an, cmd)
    if found is None:
        return
    path, label, mine, scripts = found
    cmd = cmd._replace(scope=cmd.scope.with_bins(loaded.node_bins(an, os.path.dirname(path))))
    if name == "bun" and command == "run" and target and target not in scripts:
        if not loaded.local_bin(an, cmd, target, extra):
            runs.run_file(an, cmd, Word(target), runner="node", args=extra)  # `bun run x.ts`: a file
        return
    if name in ("yarn", "pnpm") and command == "run" and target and target not in scripts:
        loaded.local_bin(an, cmd, target, extra)  # `yarn eslint .`: a program the project installed
        return
    if command == "start" and "start" not in scripts and an.target(Word("server.js"), cmd.scope).exists:
        runs.run_file(an, cmd, Word("server.js"), runner="node")
    settings = npm_settings(an, cmd, words, os.path.dirname(path))
    ran = [s for s in names if isinstance(scripts.get(s), str) and scripts[s].strip()]
    if ran and "script-shell" in settings:
        _script_shell(an, cmd, *settings["script-shell"])
    node_options = settings.get("node-options", (None, False))[0]
    for script in ran:
        text = scripts[script]
        if script == target and extra:
            text = text + " " + " ".join(quoted(w.text) for w in extra)
        if node_options:  # every node the script starts takes these options (--require a file …)
            text = f"export NODE_OPTIONS={quoted(node_options.text) if not node_options.dynamic else '$UNKNOWN'}; {text}"
        runs.analyse(an, cmd, text, "shell", f"{label}:{script}", mine, path=path)


NPM_SETTINGS = ("script-shell", "node-options")  # settings that change what a script runs
SCRIPT_SHELLS = (*runs.BASH_READABLE, "fish", "csh", "tcsh", "pwsh", "powershell", "cmd")  # the system's


def npm_settings(an: Analysis, cmd: Cmd, words: list[Word], folder: str,
                 keys: tuple[str, ...] = NPM_SETTINGS) -> dict[str, tuple[Word, bool]]:
    """The settings ``keys`` an npm-family command runs with, and whether the command itself gives
    them: the user's ``.npmrc`` and the one in ``folder``, then the environment (``npm_config_*``,
    pnpm's ``pnpm_config_*``), then the command line (``--script-shell``)."""
    from vectimus.analyser.facts import env

    found: dict[str, tuple[Word, bool]] = {}
    user = env.value(cmd, "npm_config_userconfig") or env.value(cmd, "NPM_CONFIG_USERCONFIG")
    for rc in (user or Word(os.path.join(an.places.home, ".npmrc")), Word(os.path.join(folder, ".npmrc"))):
        text, _ = runs.read(an, an.resolve(rc, cmd.scope)) if not rc.dynamic else (None, "")
        for line in (text or "").splitlines():
            key, eq, value = line.partition("=")
            if eq and key.strip() in keys:
                found[key.strip()] = (Word(value.strip().strip("\"'")), False)
    given = argv.parse(words[:words.index(Word("--"))] if Word("--") in words else words, NPM_VALUE)
    for key in keys:
        snake = key.replace("-", "_")
        for name in (f"npm_config_{snake}", f"NPM_CONFIG_{snake.upper()}", f"pnpm_config_{snake}"):
            word = env.value(cmd, name)
            if word is not None:
                found[key] = (word, True)
        flag = given.value(key)
        if flag is not None:
            found[key] = (flag, True)
    return found


def _script_shell(an: Analysis, cmd: Cmd, shell: Word, given: bool) -> None:
    """The program npm runs each script with (``script-shell``): a system shell is a shell; a file
    is read and analysed like any script it runs; anything else is unread (the agent's when the
    command gives it)."""
    name = os.path.basename(shell.text)
    if not shell.dynamic and "/" not in shell.text and name in SCRIPT_SHELLS:
        return  # found on PATH (a PATH that puts a project directory first is a knob of its own)
    target = an.target(shell, cmd.scope) if "/" in shell.text and not shell.dynamic else None
    if target is not None and target.is_system and name in SCRIPT_SHELLS:
        return
    if target is None:
        runs.unread(an, cmd, "", f"script-shell {shell.text}", given, f"npm scripts run by {shell.text}")
        return
    runs.run_file(an, cmd, shell, label=f"script-shell {runs.display(an, target.path)}")


def package_json(an: Analysis, cmd: Cmd) -> tuple[str, str, bool, dict] | None:
    """The nearest package.json (from the command's directory up to the project root) and its scripts."""
    path = nearest(an, cmd, ("package.json",))
    found = runs.source(an, cmd, path) if path else None
    if found is None:
        return None
    text, label, mine = found
    try:
        data = json.loads(text.removeprefix("\ufeff"))  # a byte-order mark is no error to npm
    except (ValueError, RecursionError):
        runs.unread(an, cmd, path, label, mine, "a package.json that is not valid JSON")
        return None
    scripts = data.get("scripts") if isinstance(data, dict) else None
    return path, label, mine, scripts if isinstance(scripts, dict) else {}


def nearest(an: Analysis, cmd: Cmd, names: tuple[str, ...]) -> str:
    """The first of ``names`` in the command's directory or a parent, up to the project root (on
    disk, or written earlier in this call)."""
    if cmd.scope.cwd_dynamic:
        return ""
    folder = cmd.scope.places.cwd
    project = an.places.project
    for _ in range(32):
        for candidate in names:
            facts = an.target(Word(f"{folder.rstrip('/')}/{candidate}"), cmd.scope)
            if (facts.exists and not facts.is_dir) or facts.path in an.pending:  # or written by this call
                return facts.path
        if folder in (project, "/") or not folder.startswith(project.rstrip("/") + "/"):
            return ""
        folder = folder.rsplit("/", 1)[0] or "/"
    return ""


def runner_file(an: Analysis, cmd: Cmd, p, dir_opts: tuple[str, ...], file_opts: tuple[str, ...],
                 names: tuple[str, ...]):
    """(the command moved by its directory options, the file's path, ``runs.source`` of it) for a
    task runner given its file by option or finding it by name; None when there is none."""
    cmd = cmd.moved(p.all(*dir_opts))
    given = p.value(*file_opts)
    path = an.target(given, cmd.scope).path if given is not None else nearest(an, cmd, names)
    found = runs.source(an, cmd, path) if path else None
    return (cmd, path, found) if found is not None else None


def quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def deferred_package_json(an: Analysis, cmd: Cmd, text: str, label: str) -> None:
    """Every script of a package.json being written: any of them may run later."""
    try:
        data = json.loads(text.removeprefix("\ufeff"))  # a byte-order mark is no error to npm
    except (ValueError, RecursionError):
        return  # npm refuses it: nothing will run from it
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return
    if len(scripts) > MAX_SCRIPTS:
        raise Unanalysable(f"a package.json with more than {MAX_SCRIPTS} scripts")
    for script, body in scripts.items():
        if isinstance(body, str) and body.strip():
            runs.analyse(an, cmd, body, "shell", f"{label}:{script}", True)


def one_more(seen: set[str], goal: str, kind: str) -> None:
    """Count ``goal`` among the recipes one command runs: past MAX_SCRIPTS (dependencies many or
    deep enough to hide one past any limit), what runs is not all read, and the file is unread."""
    if len(seen) >= MAX_SCRIPTS:
        raise Unanalysable(f"{kind} that runs more than {MAX_SCRIPTS} recipes")
    seen.add(goal)


# -- just -----------------------------------------------------------------------------------

JUST_NAMES = ("justfile", "Justfile", ".justfile", "JUSTFILE")
JUST_VALUE = argv.opts("-f --justfile -d --working-directory --set --shell --shell-arg --color --dotenv-filename "
                       "--dotenv-path --command -c --chooser --unstable")
JUST_NO_RUN = ("l", "list", "summary", "show", "s", "dump", "fmt", "evaluate", "n", "dry-run", "init",
               "edit", "e", "variables", "groups", "changelog", "completions", "man")
_JUST_RECIPE = re.compile(r"^@?([A-Za-z_][A-Za-z0-9_-]*)((?:\s+[^:]*)?)\s*:(?!=)\s*(.*)$")
_JUST_ASSIGN = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*:=\s*(.*)$")
_JUST_SHELL = re.compile(r"^set\s+shell\s*:=\s*\[\s*['\"]([^'\"]+)['\"]")
_INTERPOLATION = re.compile(r"\{\{(.*?)\}\}", re.S)
_BACKTICK = re.compile(r"```(.*?)```|`([^`]*)`", re.S)


class Justfile:
    """Recipes (name -> parameters, dependencies, body lines), variables and the recipe shell."""

    def __init__(self) -> None:
        self.recipes: dict[str, tuple[list[str], list[str], list[str]]] = {}
        self.order: list[str] = []
        self.vars: dict[str, str] = {}
        self.shell = "shell"
        self.backticks: list[str] = []


def parse_justfile(text: str) -> Justfile:
    """The recipes of a justfile (the subset of just's grammar that says what runs)."""
    jf = Justfile()
    current: list[str] | None = None
    for raw in text.split("\n"):
        if current is not None and (raw.startswith((" ", "\t")) or not raw.strip()):
            current.append(raw.strip())
            continue
        current = None
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#!") else raw
        if not line.strip() or line.lstrip().startswith(("#", "[", "alias ", "import ", "mod ")):
            continue
        shell = _JUST_SHELL.match(line)
        if shell:
            jf.shell = runs.interpreter_language(shell.group(1).rsplit("/", 1)[-1]) or shell.group(1)
            continue
        assign = _JUST_ASSIGN.match(line)
        if assign:
            jf.vars[assign.group(1)] = assign.group(2).strip()
            jf.backticks.extend(a or b for a, b in _BACKTICK.findall(assign.group(2)))
            continue
        recipe = _JUST_RECIPE.match(line)
        if recipe and not line.startswith("set "):
            params = [p.lstrip("+*$").split("=")[0] for p in recipe.group(2).split()]
            deps = [d.strip("()") for d in re.split(r"\s+|&&", recipe.group(3)) if d.strip("()")]
            current = []
            jf.recipes[recipe.group(1)] = (params, deps, current)
            jf.order.append(recipe.group(1))
    return jf


def _just_value(jf: Justfile, expr: str, args: dict[str, str]) -> str:
    """An interpolation ``{{expr}}``: a known variable or argument, else an unresolved shell variable."""
    expr = expr.strip()
    if expr in args:
        return args[expr]
    value = jf.vars.get(expr)
    if value is not None and re.fullmatch(r"'[^']*'|\"[^\"\\]*\"", value):
        return value[1:-1]
    return "${JUST_" + re.sub(r"\W", "_", expr).upper() + "}"


def just(an: Analysis, cmd: Cmd, name: str) -> None:
    """``just [recipe [args…]]``: the recipe's body and its dependencies', from the justfile."""
    p = argv.parse(cmd.words[1:], JUST_VALUE)
    if any(p.has(flag) for flag in JUST_NO_RUN) or p.has("help", "h", "version", "V"):
        return
    found = runner_file(an, cmd, p, ("d", "working-directory"), ("f", "justfile"), JUST_NAMES)
    if found is None:
        return
    cmd, path, (text, label, mine) = found
    jf = parse_justfile(text)
    for body in jf.backticks:
        runs.analyse(an, cmd, body, "shell", f"{label} backtick", mine, path=path)
    operands = [w.text for w in p.operands if "=" not in w.text]
    goal = operands[0] if operands else (jf.order[0] if jf.order else "")
    try:
        run_just(an, cmd, jf, goal, operands[1:], label, mine, path, set())
    except Unanalysable as exc:
        runs.unread(an, cmd, path, label, mine, str(exc))


def run_just(an: Analysis, cmd: Cmd, jf: Justfile, goal: str, values: list[str], label: str, mine: bool,
             path: str, seen: set[str]) -> None:
    """One recipe of ``jf``: its dependencies, then its body, in the recipe shell."""
    recipe = jf.recipes.get(goal)
    if recipe is None or goal in seen:
        return
    one_more(seen, goal, "a justfile")
    params, deps, body = recipe
    for dep in deps:
        run_just(an, cmd, jf, dep.split()[0], dep.split()[1:], label, mine, path, seen)
    args = dict(zip(params, values))
    lines = [_INTERPOLATION.sub(lambda m: _just_value(jf, m.group(1), args), line) for line in body if line]
    if not lines:
        return
    name = f"{label}:{goal}"
    if lines[0].startswith("#!"):
        lang, unknown = runs.language(path, "\n".join(lines))
        if lang is None:
            runs.unread(an, cmd, path, name, mine, f"a {unknown} recipe, which Vectimus cannot analyse")
        else:
            runs.analyse(an, cmd, "\n".join(lines[1:]), lang, name, mine, path=path)
        return
    lang = jf.shell if jf.shell == "shell" or jf.shell in runs.EXTENSIONS.values() else None
    if lang is None:
        runs.unread(an, cmd, path, name, mine, f"recipes run by {jf.shell}")
        return
    for line in lines:
        runs.analyse(an, cmd, line.lstrip("@-"), lang, name, mine, path=path)


def deferred_justfile(an: Analysis, cmd: Cmd, text: str, label: str) -> None:
    """Every recipe of a justfile being written."""
    jf = parse_justfile(text)
    for body in jf.backticks:
        runs.analyse(an, cmd, body, "shell", f"{label} backtick", True)
    seen: set[str] = set()
    for goal in jf.order:
        run_just(an, cmd, jf, goal, [], label, True, "", seen)


# -- task (go-task) -------------------------------------------------------------------------

TASK_NAMES = ("Taskfile.yml", "taskfile.yml", "Taskfile.yaml", "taskfile.yaml", "Taskfile.dist.yml",
              "taskfile.dist.yml", "Taskfile.dist.yaml", "taskfile.dist.yaml")
TASK_VALUE = argv.opts("-t --taskfile -d --dir -c --concurrency --output -o --interval")
TASK_NO_RUN = ("l", "list", "a", "list-all", "n", "dry", "init", "i", "summary", "status", "help", "h", "version")


def parse_taskfile(text: str) -> dict:
    """The ``tasks`` mapping of a Taskfile (Unanalysable when it is not YAML)."""
    data = runs.yaml_data(text, "a Taskfile")
    tasks = data.get("tasks") if isinstance(data, dict) else None
    return tasks if isinstance(tasks, dict) else {}


def task(an: Analysis, cmd: Cmd, name: str) -> None:
    """``task [name…]``: each task's ``cmds`` after its ``deps``, from the Taskfile."""
    p = argv.parse(cmd.words[1:], TASK_VALUE)
    if any(p.has(flag) for flag in TASK_NO_RUN):
        return
    found = runner_file(an, cmd, p, ("d", "dir"), ("t", "taskfile"), TASK_NAMES)
    if found is None:
        return
    cmd, path, (text, label, mine) = found
    try:
        tasks = parse_taskfile(text)
    except Unanalysable as exc:
        runs.unread(an, cmd, path, label, mine, str(exc))
        return
    goals = [w.text for w in p.operands if "=" not in w.text and w.text != "--"] or ["default"]
    seen: set[str] = set()
    try:
        for goal in goals:
            run_task(an, cmd, tasks, goal, label, mine, path, seen)
    except Unanalysable as exc:
        runs.unread(an, cmd, path, label, mine, str(exc))


def run_task(an: Analysis, cmd: Cmd, tasks: dict, goal: str, label: str, mine: bool, path: str,
             seen: set[str]) -> None:
    """One task: its ``deps``, then its ``cmds`` (a ``task:`` entry runs that task)."""
    spec = tasks.get(goal)
    if spec is None or goal in seen:
        return
    one_more(seen, goal, "a Taskfile")
    if isinstance(spec, (str, list)):
        spec = {"cmds": spec if isinstance(spec, list) else [spec]}
    if not isinstance(spec, dict):
        return
    for dep in spec.get("deps") or []:
        dep_name = dep.get("task") if isinstance(dep, dict) else dep
        if isinstance(dep_name, str):
            run_task(an, cmd, tasks, dep_name, label, mine, path, seen)
    entries = spec.get("cmds") or ([spec["cmd"]] if "cmd" in spec else [])
    for entry in entries if isinstance(entries, list) else [entries]:
        if isinstance(entry, dict):
            if isinstance(entry.get("task"), str):
                run_task(an, cmd, tasks, entry["task"], label, mine, path, seen)
                continue
            entry = entry.get("cmd")
        if isinstance(entry, str) and entry.strip():
            text = re.sub(r"\{\{.*?\}\}", "${TASK_TEMPLATE}", entry, flags=re.S)
            runs.analyse(an, cmd, text, "shell", f"{label}:{goal}", mine, path=path)


def deferred_taskfile(an: Analysis, cmd: Cmd, text: str, label: str) -> None:
    """Every task of a Taskfile being written."""
    tasks = parse_taskfile(text)
    seen: set[str] = set()
    for goal in tasks:
        run_task(an, cmd, tasks, goal, label, True, "", seen)
