"""Scripts a project manifest names, run by its tool: ``deno task`` (``deno.json``/``deno.jsonc``)
and composer (``composer.json``).

- ``deno task NAME`` runs the task's command (a string, or ``{"command": …, "dependencies": […]}``,
  its dependencies first) in deno's bash-like shell, in the manifest's directory; a name not in
  ``deno.json`` is a ``package.json`` script; ``--eval`` runs its operand as a task command.
  ``deno lint`` runs the plugins of ``lint.plugins``.
- ``composer NAME`` / ``run-script NAME`` / ``run NAME`` run a script of ``composer.json``'s
  ``scripts`` (a command or a list: ``@other`` runs another script, ``@php`` PHP, ``@composer``
  composer, ``@putenv`` sets a variable, ``Vendor\\Class::method`` a PHP callback);
  ``install``/``update``/``require``/``remove``/``dump-autoload`` … run the scripts of their events
  (``post-install-cmd``, ``post-autoload-dump`` …) unless ``--no-scripts``; ``composer global …``
  the same with the user's global manifest. A callback's class is
  read from the project's ``autoload`` (PSR-4/PSR-0); one the project does not declare is an
  installed package's. The ``autoload.files`` every autoloaded PHP process includes are judged
  when ``composer.json`` is written.

What runs is analysed as shell code (PHP for a callback's class) run by the manifest; ``deferred``
judges every script of a manifest being written. A program the agent wrote into ``vendor/bin``
(deno: ``node_modules/.bin``), which the tool puts first on PATH, is read when a script runs it.
Standard library only (json, the jsonc module).
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re

from vectimus import jsonc
from vectimus.analyser import argv, loaded, runs
from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word
from vectimus.analyser.programs import interpreters, tasks

# -- deno task --------------------------------------------------------------------------------

DENO_NAMES = ("deno.json", "deno.jsonc")
DENO_TASK_VALUE = argv.opts("-c --config --cwd -f --filter")


def deno(an: Analysis, cmd: Cmd, name: str) -> bool | None:
    """``deno task …`` reads its tasks and ``deno lint`` loads its plugins; every other deno
    command is an interpreter's."""
    words = cmd.words[1:]
    if words and not words[0].dynamic and words[0].text == "lint":
        _lint_plugins(an, cmd, argv.parse(words[1:], DENO_TASK_VALUE))
    if not words or words[0].dynamic or words[0].text != "task":
        return interpreters.run(an, cmd, name)
    p = argv.parse(words[1:], DENO_TASK_VALUE, stop_at_operand=True)
    moved = cmd.moved([w for option, w in p.values if option == "cwd"])
    if p.has("eval"):
        if p.operands:
            runs.analyse(an, moved, " ".join(w.text for w in p.operands), "shell", "deno task --eval",
                         True)
        return any(w.dynamic for w in p.operands)
    if not p.operands:
        return None  # lists the tasks
    goal, args = p.operands[0], p.operands[1:]
    if goal.dynamic:
        return True
    path = _deno_json(an, moved, p)
    found = runs.parsed(an, moved, path, lambda text: deno_tasks(deno_config(text))) if path else None
    manifest, label, mine = found if found is not None else ({}, "", False)
    goals = [t for t in manifest if fnmatch.fnmatchcase(t, goal.text)] if "*" in goal.text else \
        [goal.text] if goal.text in manifest else []
    if goals and not p.value("cwd"):
        moved = moved.moved([Word(posixpath.dirname(path))])  # a task runs where its deno.json is
    if goals:  # with the project's node_modules/.bin first on PATH
        moved = moved._replace(scope=moved.scope.with_bins(loaded.node_bins(an, moved.scope.places.cwd)))
    if not goals:  # not a deno task: package.json's script of that name
        script = tasks.package_json(an, moved)
        if script is not None and isinstance(script[3].get(goal.text), str):
            package, package_label, package_mine, scripts = script
            runs.analyse(an, moved, _with_args(scripts[goal.text], args), "shell", f"{package_label}:{goal.text}",
                         package_mine, path=package)
        return None
    seen: set[str] = set()
    try:
        for one in goals:
            run_deno_task(an, moved, manifest, one, args, label, mine, path, seen)
    except Unanalysable as exc:
        runs.unread(an, moved, path, label, mine, str(exc))
    return None


def _deno_json(an: Analysis, cmd: Cmd, p) -> str:
    """The deno.json(c) a deno command reads: ``--config``'s, else the nearest."""
    given = p.value("c", "config")
    return an.target(given, cmd.scope).path if given is not None else tasks.nearest(an, cmd, DENO_NAMES)


def _lint_plugins(an: Analysis, cmd: Cmd, p) -> None:
    """``deno lint`` runs the plugins its ``lint.plugins`` names (a local file is read)."""
    path = _deno_json(an, cmd, p)
    found = runs.parsed(an, cmd, path, lambda text: lint_plugins(deno_config(text))) if path else None
    if found is not None:
        run_lint_plugins(an, cmd, path, found[1], found[0])


def run_lint_plugins(an: Analysis, cmd: Cmd, path: str, label: str, plugins: list[str]) -> None:
    """The plugins of the deno.json at ``path`` that are files (a ``jsr:``/``npm:`` one is a package)."""
    for plugin in plugins:
        if plugin.startswith((".", "/")):
            runs.run_file(an, cmd, Word(posixpath.join(posixpath.dirname(path), plugin)), runner="typescript",
                          label=f"{label} lint plugin {plugin}")


def deno_config(text: str):
    """A deno.json(c)'s data; Unanalysable when it is not JSON (with comments)."""
    try:
        return jsonc.loads(text)
    except (ValueError, RecursionError):
        raise Unanalysable("a deno.json that is not valid JSON") from None


def lint_plugins(data) -> list[str]:
    """The plugins ``deno lint`` loads (``lint.plugins``); Unanalysable past MAX_SCRIPTS."""
    lint = data.get("lint") if isinstance(data, dict) else None
    plugins = lint.get("plugins") if isinstance(lint, dict) else None
    plugins = [p for p in plugins if isinstance(p, str)] if isinstance(plugins, list) else []
    if len(plugins) > tasks.MAX_SCRIPTS:
        raise Unanalysable(f"a deno.json with more than {tasks.MAX_SCRIPTS} lint plugins")
    return plugins


def deno_tasks(data) -> dict[str, tuple[str, list[str]]]:
    """The tasks of a deno.json(c)'s data: name -> (command, dependencies)."""
    found = data.get("tasks") if isinstance(data, dict) else None
    out: dict[str, tuple[str, list[str]]] = {}
    for name, spec in found.items() if isinstance(found, dict) else ():
        if isinstance(spec, str):
            out[str(name)] = (spec, [])
        elif isinstance(spec, dict):
            deps, command = spec.get("dependencies"), spec.get("command")
            out[str(name)] = (command if isinstance(command, str) else "",
                         [d for d in deps if isinstance(d, str)] if isinstance(deps, list) else [])
    return out


def run_deno_task(an: Analysis, cmd: Cmd, manifest: dict, goal: str, args, label: str, mine: bool, path: str,
                  seen: set[str]) -> None:
    """One task: its dependencies, then its command (with the command line's arguments)."""
    if goal not in manifest or goal in seen:
        return
    tasks.one_more(seen, goal, "a deno.json")
    command, deps = manifest[goal]
    for dep in deps:
        run_deno_task(an, cmd, manifest, dep, (), label, mine, path, seen)
    if command.strip():
        runs.analyse(an, cmd, _with_args(command, args), "shell", f"{label}:{goal}", mine, path=path)


def _with_args(command: str, args) -> str:
    return command + "".join(" " + tasks.quoted(w.text) for w in args)


# -- composer ---------------------------------------------------------------------------------

COMPOSER_VALUE = argv.opts("-d --working-dir")
AUTOLOAD = ("pre-autoload-dump", "post-autoload-dump")
PACKAGE_EVENTS = ("pre-operations-exec", "pre-pool-create", "pre-package-install", "post-package-install",
                  "pre-package-update", "post-package-update", "pre-package-uninstall", "post-package-uninstall",
                  "pre-file-download", "post-file-download")
UPDATE = ("pre-update-cmd", "post-update-cmd", *AUTOLOAD, *PACKAGE_EVENTS)
EVENTS = {
    "install": ("pre-install-cmd", "post-install-cmd", *AUTOLOAD, *PACKAGE_EVENTS),
    "update": UPDATE, "require": UPDATE, "remove": UPDATE, "reinstall": PACKAGE_EVENTS,
    "dump-autoload": AUTOLOAD, "status": ("pre-status-cmd", "post-status-cmd"),
    "archive": ("pre-archive-cmd", "post-archive-cmd"),
}
ALIASES = {"i": "install", "u": "update", "upgrade": "update", "r": "require", "rm": "remove",
           "uninstall": "remove", "dumpautoload": "dump-autoload", "run": "run-script"}
ALWAYS = ("init", "command", "pre-command-run")  # events every command fires
COMPOSER_COMMANDS = frozenset((
    "about", "archive", "audit", "browse", "home", "bump", "check-platform-reqs", "clear-cache", "clearcache",
    "cc", "config", "create-project", "depends", "why", "diagnose", "dump-autoload", "dumpautoload", "exec",
    "fund", "global", "help", "init", "install", "i", "licenses", "list", "outdated", "prohibits", "why-not",
    "reinstall", "remove", "rm", "uninstall", "require", "r", "run-script", "run", "search", "self-update",
    "selfupdate", "show", "info", "status", "suggests", "update", "u", "upgrade", "validate",
))
_CALLBACK = re.compile(r"\\?[A-Za-z_][A-Za-z0-9_]*(\\[A-Za-z_][A-Za-z0-9_]*)*(::[A-Za-z_][A-Za-z0-9_]*)?")


class Composer:
    """One composer.json: its scripts, its autoload prefixes, and where it is."""

    def __init__(self, data: dict, path: str, label: str, mine: bool) -> None:
        scripts = data.get("scripts")
        self.scripts: dict = scripts if isinstance(scripts, dict) else {}
        self.autoload: list[tuple[str, str, str]] = []  # (kind, namespace prefix, directory)
        for section in ("autoload", "autoload-dev"):
            spec = data.get(section)
            for kind in ("psr-4", "psr-0"):
                mapping = spec.get(kind) if isinstance(spec, dict) else None
                for prefix, dirs in mapping.items() if isinstance(mapping, dict) else ():
                    for folder in [dirs] if isinstance(dirs, str) else dirs if isinstance(dirs, list) else []:
                        if isinstance(folder, str):
                            self.autoload.append((kind, str(prefix), folder))
        self.path, self.label, self.mine = path, label, mine
        if len(self.scripts) > tasks.MAX_SCRIPTS:
            raise Unanalysable(f"a composer.json with more than {tasks.MAX_SCRIPTS} scripts")


def composer_data(text: str) -> dict:
    """A composer.json's data; Unanalysable when composer would refuse it."""
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except (ValueError, RecursionError):
        raise Unanalysable("a composer.json that is not valid JSON") from None
    return data if isinstance(data, dict) else {}


def composer(an: Analysis, cmd: Cmd, name: str) -> None:
    """The composer.json scripts a composer command runs: the one named, or its events'."""
    from vectimus.analyser.facts import env

    words = list(cmd.words[1:])
    head = argv.parse(words, COMPOSER_VALUE, stop_at_operand=True)
    cmd = cmd.moved(head.all("d", "working-dir"))
    sub = head.operands[0].text if head.operands and not head.operands[0].dynamic else ""
    rest = head.operands[1:]
    command = ALIASES.get(sub, sub)
    if command == "global" and rest:  # the same command on the user's global manifest
        home = env.value(cmd, "COMPOSER_HOME") or Word(an.env.get("COMPOSER_HOME") or next(
            (d for d in (f"{an.places.home}/.config/composer", f"{an.places.home}/.composer") if posixpath.isdir(d)),
            f"{an.places.home}/.config/composer"))
        an.dispatch(cmd.with_words([Word("composer"), Word("-d"), home, *rest], via="composer global"))
        return
    if command in ("create-project", "exec", "list", "help") or cmd.scope.cwd_dynamic:
        return  # another project's manifest, a package's binary, or nothing
    if head.has("h", "help", "V", "version") or (command == "run-script" and argv.parse(rest).has("list", "l")):
        return
    given = env.value(cmd, "COMPOSER")
    if given is not None and given.dynamic:
        runs.unread(an, cmd, "", "COMPOSER", True, "a composer.json Vectimus cannot resolve")
        return
    path = an.target(given, cmd.scope).path if given is not None else tasks.nearest(an, cmd, ("composer.json",))
    found = runs.parsed(an, cmd, path, composer_data) if path else None
    if found is None:
        return
    data, label, mine = found
    folder = posixpath.dirname(path)
    cmd = cmd.moved([Word(folder)])  # composer runs from its manifest's directory, vendor/bin first on PATH
    cmd = cmd._replace(scope=cmd.scope.with_bins((f"{folder}/{_bin_dir(data)}",)))
    try:
        manifest = Composer(data, path, label, mine)
    except Unanalysable as exc:
        runs.unread(an, cmd, path, label, mine, str(exc))
        return
    no_scripts = argv.parse(words).has("no-scripts")
    goals: list[tuple[str, tuple[Word, ...]]] = [(event, ()) for event in ALWAYS]
    if command == "run-script":
        operands = [w for w in rest if not w.text.startswith("-")]
        if operands and not operands[0].dynamic:
            extra = tuple(rest[[w.text for w in rest].index("--") + 1:]) if "--" in [w.text for w in rest] else ()
            goals.append((operands[0].text, extra))
    elif command in EVENTS:
        goals += [] if no_scripts else [(event, ()) for event in EVENTS[command]]
    elif command and command not in COMPOSER_COMMANDS:  # `composer test`: a script of the project's
        goals.append((command, tuple(w for w in rest if w.text != "--")))
    seen: set[str] = set()
    try:
        for goal, args in goals:
            run_composer_script(an, cmd, manifest, goal, args, seen, [])
    except Unanalysable as exc:
        runs.unread(an, cmd, path, label, mine, str(exc))


def _bin_dir(data: dict) -> str:
    """Where composer installs its packages' programs (``config.bin-dir``, else ``vendor/bin``)."""
    config = data.get("config")
    config = config if isinstance(config, dict) else {}
    given = config.get("bin-dir") or (f"{config['vendor-dir']}/bin" if isinstance(config.get("vendor-dir"), str)
                                      else "vendor/bin")
    return given.strip("/") if isinstance(given, str) and given.strip("/") else "vendor/bin"


def run_composer_script(an: Analysis, cmd: Cmd, manifest: Composer, goal: str, args, seen: set[str],
                        putenv: list[str]) -> None:
    """One script of ``manifest`` (each of its entries in turn; ``putenv`` holds what ``@putenv``
    set so far, which every later command inherits)."""
    body = manifest.scripts.get(goal)
    if body is None or goal in seen:
        return
    tasks.one_more(seen, goal, "a composer.json")
    entries = [body] if isinstance(body, str) else [e for e in body if isinstance(e, str)] \
        if isinstance(body, list) else []
    name = f"{manifest.label}:{goal}"
    for entry in entries:
        entry = entry.strip()
        if entry.startswith("@") and not entry.startswith(("@php ", "@composer ", "@putenv ")) \
                and entry not in ("@php", "@composer"):
            other, _, more = entry[1:].partition(" ")
            run_composer_script(an, cmd, manifest, other, tuple(Word(w) for w in more.split()) + tuple(args), seen,
                                putenv)
        elif _CALLBACK.fullmatch(entry) and ("\\" in entry or "::" in entry):
            _callback(an, cmd, manifest, entry, name)
        elif entry.startswith("@putenv "):
            putenv.append(f"export {entry[len('@putenv '):]}\n")
        elif entry:
            text = entry[1:] if entry.startswith(("@php", "@composer")) else entry  # `@php x` runs `php x`
            runs.analyse(an, cmd, "".join(putenv) + _with_args(text, args), "shell", name, manifest.mine,
                         path=manifest.path)


def _callback(an: Analysis, cmd: Cmd, manifest: Composer, entry: str, name: str) -> None:
    """A PHP callback (``App\\Installer::run``): its class file, when the project's autoload maps
    it, is read and analysed as PHP; a class the project does not declare is an installed package's."""
    cls = entry.lstrip("\\").split("::", 1)[0]
    folder = posixpath.dirname(manifest.path)
    for kind, prefix, directory in manifest.autoload:
        if not cls.startswith(prefix):
            continue
        tail = cls[len(prefix):] if kind == "psr-4" else cls
        candidate = posixpath.join(folder, directory, tail.replace("\\", "/") + ".php")
        if candidate in an.pending or posixpath.isfile(candidate):
            runs.run_file(an, cmd, Word(candidate), runner="php", label=f"{name} {entry}")
            return
    if any(cls.startswith(prefix) for _, prefix, _ in manifest.autoload):
        runs.unread(an, cmd, manifest.path, f"{name} {entry}", manifest.mine,
                    "a PHP callback whose class Vectimus cannot find")


def deferred(an: Analysis, cmd: Cmd, path: str, text: str, kind: str) -> None:
    """Every task of a deno.json, or every script and autoloaded file of a composer.json, being written."""
    name = runs.display(an, path)
    seen: set[str] = set()
    if kind == "deno":
        data = deno_config(text)
        manifest = deno_tasks(data)
        for goal in manifest:
            run_deno_task(an, cmd, manifest, goal, (), name, True, path, seen)
        run_lint_plugins(an, cmd, path, name, lint_plugins(data))
        return
    data = composer_data(text)
    composer_manifest = Composer(data, path, name, True)
    for goal in composer_manifest.scripts:
        run_composer_script(an, cmd, composer_manifest, goal, (), seen, [])
    folder = posixpath.dirname(path)
    for section in ("autoload", "autoload-dev"):
        spec = data.get(section)
        files = spec.get("files") if isinstance(spec, dict) else None
        for file in files[:tasks.MAX_SCRIPTS] if isinstance(files, list) else []:
            if isinstance(file, str):
                runs.run_file(an, cmd, Word(posixpath.join(folder, file)), runner="php",
                              label=f"{name} {section}.files {file}")


HANDLERS = {"composer": composer, "deno": deno}
