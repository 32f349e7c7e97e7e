"""JavaScript monorepo runners: the scripts of every workspace package they start, each in its folder.

- ``pnpm -r run X`` / ``pnpm -r X`` / ``pnpm recursive run X`` / ``pnpm --filter SEL X`` (``-F``,
  ``-r exec CMD``): the packages ``pnpm-workspace.yaml`` lists (or package.json ``workspaces``);
- ``yarn workspaces foreach [-A…] run X`` (or any yarn command after the options), yarn 1's
  ``yarn workspaces run X``, and ``yarn workspace NAME run X`` / ``yarn workspace NAME X``;
- ``bun --filter SEL run X`` (``bun run --filter SEL X``);
- ``lerna run X`` (``--scope``) and ``lerna exec -- CMD``; ``turbo run X Y`` / ``turbo X``
  (``--filter``); ``nx run PROJECT:TARGET``, ``nx run-many -t X`` / ``nx affected -t X``, ``nx X
  PROJECT``: a target is the ``command``/``commands`` of ``nx:run-commands`` or the script of
  ``nx:run-script`` in the package's ``project.json``, else its package.json script; also through
  ``npx``/``yarn``/``pnpm``/``bunx``.

Each selected folder gets the manager's own command there (``pnpm X``, ``yarn run X``, ``npm run
X``), so what runs is read as ``programs.tasks`` reads it. A selector names a package (a glob), a
folder (``./packages/a``, ``{packages/a}``); one taking in dependencies (``a...``), changes
(``[main]``) or excluding (``!a``) selects every workspace. Workspaces that cannot be listed, or a
selection known only at run time, are code nobody read. Standard library (PyYAML for
``pnpm-workspace.yaml``, imported when one is read).
"""

from __future__ import annotations

import fnmatch
import json
import os

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word
from vectimus.analyser.programs import npm_workspaces

RUNNERS = ("lerna", "nx", "turbo")
PNPM_VALUE = argv.opts("--filter -F -C --dir --workspace-concurrency --resume-from --reporter --loglevel "
                       "--filter-prod --test-pattern --changed-files-ignore-pattern")
PNPM_FLAGS = ("r", "recursive", "filter", "F", "filter-prod")
RUNS = ("run", "run-script", "exec", "test", "t", "tst", "start")
YARN_VALUE = argv.opts("-j --jobs --include --exclude --from --since")
LERNA_VALUE = argv.opts("--scope --ignore --concurrency --npm-client --since --stream --profile-location")
TURBO_VALUE = argv.opts("--filter -F --concurrency --cache-dir --output-logs --log-order --graph --env-mode "
                        "--cwd --scope --ui --cache --affected --log-prefix --summarize --token --team --api")
TURBO_OWN = ("login", "logout", "link", "unlink", "prune", "gen", "generate", "daemon", "ls", "info", "telemetry",
             "scan", "bin", "query", "boundaries", "devtools", "completion", "config")
NX_VALUE = argv.opts("-t --target --targets -p --projects --exclude -c --configuration --parallel --base --head "
                     "--files --output-style --nxBail --verbose --runner --batch")


def run(an: Analysis, cmd: Cmd, name: str) -> bool:
    """``name`` (pnpm, yarn, bun) run over workspaces, or a runner started through it (``yarn turbo
    run build``): True when handled here (the nearest package.json's own script is not what runs)."""
    words = list(cmd.words[1:])
    p = argv.parse(words, argv.opts("--filter -F -C --dir --cwd"), stop_at_operand=True)
    if p.operands and p.operands[0].text in RUNNERS and not p.operands[0].dynamic:
        at = words.index(p.operands[0])
        an.dispatch(cmd.with_words(words[at:], via=name))
        return True
    if name == "pnpm":
        return _pnpm(an, cmd, words)
    if name == "yarn" and p.operands and p.operands[0].text in ("workspace", "workspaces"):
        return _yarn(an, cmd, words, words.index(p.operands[0]))
    if name == "bun" and any(w.text in FILTERS or w.text.startswith("--filter=") for w in words):
        return _each_filtered(an, cmd, "bun", words)
    return False


def _pnpm(an: Analysis, cmd: Cmd, words: list[Word]) -> bool:
    p = argv.parse(words, PNPM_VALUE, stop_at_operand=True)
    ops = [w.text for w in p.operands if w.text != "recursive"]
    if not (p.has(*PNPM_FLAGS) or p.operands and p.operands[0].text == "recursive") or not ops:
        return False
    from vectimus.analyser.programs import tasks

    if ops[0] not in RUNS and ops[0] in tasks.OWN_COMMANDS:
        return False  # pnpm -r install, pnpm -r update … (the manager's own work)
    return _each_filtered(an, cmd, "pnpm", words)


FILTERS = ("--filter", "-F", "--filter-prod")
SELF = ("-r", "--recursive", "recursive")
MOVES = ("-C", "--dir", "--cwd")


def _each_filtered(an: Analysis, cmd: Cmd, manager: str, words: list[Word]) -> bool:
    """``manager [-r] [--filter SEL]… ARGS`` (the options anywhere before ``--``): ``manager ARGS``
    in each selected workspace."""
    selectors: list[Word] = []
    moves: list[Word] = []
    rest: list[Word] = []
    it = iter(enumerate(words))
    for i, word in it:
        text = word.text
        if text == "--":
            rest += words[i:]
            break
        name, eq, value = text.partition("=")
        if name in (*FILTERS, *MOVES) and eq:
            (selectors if name in FILTERS else moves).append(word._replace(text=value))
        elif text in (*FILTERS, *MOVES):
            taken = next(it, None)
            if taken is not None:
                (selectors if text in FILTERS else moves).append(taken[1])
        elif text not in SELF:
            rest.append(word)
    if not [w for w in rest if not w.text.startswith("-")]:
        return False
    _each(an, cmd.moved(moves), manager, selectors, rest)
    return True


def _yarn(an: Analysis, cmd: Cmd, words: list[Word], at: int) -> bool:
    head, rest = words[at].text, words[at + 1:]
    if head == "workspace":  # yarn workspace NAME ARGS…
        if len(rest) < 2:
            return False
        _each(an, cmd, "yarn", [rest[0]], rest[1:], exact=True)
        return True
    if rest and rest[0].text == "run":  # yarn 1: yarn workspaces run X
        _each(an, cmd, "yarn", [], rest)
        return True
    if not rest or rest[0].text != "foreach":
        return False
    p = argv.parse(rest[1:], YARN_VALUE, stop_at_operand=True)
    if not p.operands:
        return False
    args = rest[1:][rest[1:].index(p.operands[0]):]
    _each(an, cmd, "yarn", [w for w in p.all("include", "from")], args)
    return True


def _each(an: Analysis, cmd: Cmd, manager: str, selectors: list[Word], args: list[Word], exact: bool = False,
          only_with: str = "") -> None:
    """``manager args`` in each workspace the ``selectors`` choose (all when none), from its folder;
    with ``only_with``, only the packages whose package.json has that script."""
    folders = _selected(an, cmd, selectors, exact)
    if folders is None:
        return
    if manager == "bun" and args[0].text != "run":
        args = [Word("run"), *args]  # (`bun --filter '*' build`: the script, not bun's bundler)
    ran = [w for w in args[1:] if w.text != "--"] if args[0].text == "exec" else []
    for folder in folders:
        if only_with and only_with not in _scripts(an, folder):
            continue
        here = cmd.moved([Word(folder)])
        an.dispatch(here.with_words([Word(manager), *args], via=f"{manager} workspaces"))
        if ran:  # (`pnpm -r exec npm run build`: a program on PATH runs there too)
            an.dispatch(here.with_words(ran, via=f"{manager} workspaces exec"))


def _selected(an: Analysis, cmd: Cmd, selectors: list[Word], exact: bool) -> list[str] | None:
    found = workspaces(an, cmd)
    if found is None or any(w.dynamic for w in selectors):
        why = "a workspace selection known only at run time" if found is not None else \
            "workspaces that cannot all be listed"
        runs.unread(an, cmd, "", " ".join(w.text for w in cmd.words[:3]), runs.agent_wrote_anything(an), why)
        return None
    root, folders = found
    if not selectors:
        return list(folders)
    chosen: list[str] = []
    for selector in (w.text for w in selectors):
        plain = selector.strip("{}").removeprefix("./")
        if exact:
            match = [f for f, name in folders.items() if name == selector]
        elif selector.startswith("!") or "..." in selector or "[" in selector or selector.startswith("^"):
            match = list(folders)  # (with dependencies, by changes, or by exclusion: any may run)
        elif selector.startswith(("{", ".", "/")) or "/" in plain and not selector.startswith("@"):
            where = os.path.normpath(os.path.join(root, plain))
            match = [f for f in folders if fnmatch.fnmatch(f, where) or f == where or f.startswith(where + "/")]
        else:
            match = [f for f, name in folders.items() if fnmatch.fnmatchcase(name, selector)]
        chosen += [f for f in match if f not in chosen]
    return chosen


def workspaces(an: Analysis, cmd: Cmd) -> tuple[str, dict[str, str]] | None:
    """(the workspace root, {folder: package name}) from the command's directory up: the packages
    ``pnpm-workspace.yaml``, package.json ``workspaces`` or ``lerna.json`` list; None when they
    cannot all be listed; (cwd, {}) when there is no workspace root."""
    if cmd.scope.cwd_dynamic:
        return None
    folder = cmd.scope.places.cwd
    project = an.places.project.rstrip("/")
    for _ in range(32):
        patterns = _patterns(an, folder)
        if patterns is not None:
            listed = npm_workspaces.listed(an, folder, patterns)
            return (folder, listed) if listed is not None else None
        if folder in (project, "/") or not folder.startswith(project + "/"):
            break
        folder = folder.rsplit("/", 1)[0] or "/"
    return cmd.scope.places.cwd, {}


def _patterns(an: Analysis, folder: str) -> list | None:
    text, _ = runs.read(an, f"{folder}/pnpm-workspace.yaml")
    if text:
        try:
            data = runs.yaml_data(text, "a pnpm-workspace.yaml")
        except Unanalysable:
            return None
        packages = data.get("packages") if isinstance(data, dict) else None
        return packages if isinstance(packages, list) else ["**"]
    for name, key in (("package.json", "workspaces"), ("lerna.json", "packages")):
        text, _ = runs.read(an, f"{folder}/{name}")
        try:
            data = json.loads((text or "{}").removeprefix("\ufeff"))
        except (ValueError, RecursionError):
            continue
        listed = data.get(key) if isinstance(data, dict) else None
        listed = listed.get("packages") if isinstance(listed, dict) else listed
        if isinstance(listed, list):
            return listed
        if name == "lerna.json" and text:
            return ["packages/*"]
    return None


def _json(an: Analysis, path: str) -> dict:
    """The JSON object in the file at ``path`` ({} when there is none)."""
    text, _ = runs.read(an, path)
    try:
        data = json.loads((text or "{}").removeprefix("\ufeff"))
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _scripts(an: Analysis, folder: str) -> dict:
    scripts = _json(an, f"{folder}/package.json").get("scripts")
    return scripts if isinstance(scripts, dict) else {}


# -- lerna, turbo, nx ------------------------------------------------------------------------

def _lerna(an: Analysis, cmd: Cmd, name: str) -> None:
    words = list(cmd.words[1:])
    p = argv.parse(words, LERNA_VALUE, stop_at_operand=True)
    if not p.operands or p.operands[0].text not in ("run", "exec"):
        return
    rest = words[words.index(p.operands[0]) + 1:]
    q = argv.parse(rest, LERNA_VALUE, stop_at_operand=True)
    scopes = [*p.all("scope"), *q.all("scope")]
    if p.operands[0].text == "exec":
        cut = [w.text for w in rest].index("--") + 1 if "--" in [w.text for w in rest] else \
            (rest.index(q.operands[0]) if q.operands else len(rest))
        if rest[cut:]:
            folders = _selected(an, cmd, scopes, False)
            for folder in folders or []:
                an.dispatch(cmd.moved([Word(folder)]).with_words(rest[cut:], via="lerna exec"))
        return
    if q.operands:
        _each(an, cmd, "npm", scopes, [Word("run"), q.operands[0]], only_with=q.operands[0].text)


def _turbo(an: Analysis, cmd: Cmd, name: str) -> None:
    words = list(cmd.words[1:])
    p = argv.parse(words, TURBO_VALUE)
    tasks = [w for w in p.operands if not w.dynamic]
    if tasks and tasks[0].text == "run":
        tasks = tasks[1:]
    elif not tasks or tasks[0].text in TURBO_OWN:
        return
    for task in tasks:
        _each(an, cmd, "npm", p.all("filter", "F", "scope"), [Word("run"), task], only_with=task.text)


def _nx(an: Analysis, cmd: Cmd, name: str) -> None:
    words = list(cmd.words[1:])
    p = argv.parse(words, NX_VALUE)
    ops = [w.text for w in p.operands]
    if not ops:
        return
    wanted: list[tuple[str, str]] = []  # (project or "", target)
    if ops[0] == "run" and len(ops) > 1 and ":" in ops[1]:
        project, target = ops[1].split(":")[:2]
        wanted.append((project, target))
    elif ops[0] in ("run-many", "affected"):
        targets = [t for w in p.all("t", "target", "targets") for t in w.text.split(",")]
        projects = [x for w in p.all("p", "projects") for x in w.text.split(",")] or [""]
        wanted += [(project, target) for target in targets for project in projects]
    elif len(ops) > 1 and ops[0] not in ("graph", "show", "list", "reset", "report", "migrate", "init", "add",
                                         "generate", "g", "format", "format:write", "format:check", "daemon"):
        wanted.append((ops[1], ops[0]))  # nx build app
    found = workspaces(an, cmd)
    if found is None:
        runs.unread(an, cmd, "", "nx", runs.agent_wrote_anything(an), "workspaces that cannot all be listed")
        return
    root, folders = found
    folders = {root: "", **folders}
    for project, target in wanted:
        for folder, pkg in folders.items():
            if project and project not in (pkg, os.path.basename(folder)) and project != _nx_name(an, folder):
                continue
            _nx_target(an, cmd.moved([Word(folder)]), folder, target)


def _nx_name(an: Analysis, folder: str) -> str:
    data = _project_json(an, folder)
    return data.get("name", "") if isinstance(data.get("name"), str) else ""


def _project_json(an: Analysis, folder: str) -> dict:
    return _json(an, f"{folder}/project.json")


def _nx_target(an: Analysis, cmd: Cmd, folder: str, target: str) -> None:
    """One nx target of the project in ``folder``: its run-commands, its run-script, or the script."""
    targets = _project_json(an, folder).get("targets")
    spec = targets.get(target) if isinstance(targets, dict) else None
    options: dict = spec["options"] if isinstance(spec, dict) and isinstance(spec.get("options"), dict) else {}
    listed = options.get("commands")
    commands = [options.get("command"), *(listed if isinstance(listed, list) else [])]
    texts = [c.get("command") if isinstance(c, dict) else c for c in commands if c]
    label = f"{runs.display(an, folder + '/project.json')}:{target}"
    for text in (t for t in texts if isinstance(t, str) and t.strip()):
        runs.analyse(an, cmd, text, "shell", label, runs.by_agent(an, f"{folder}/project.json"),
                     path=f"{folder}/project.json")
    script = options.get("script") if isinstance(options.get("script"), str) else target if not texts else ""
    if script and script in _scripts(an, folder):
        an.dispatch(cmd.with_words([Word("npm"), Word("run"), Word(script)], via="nx"))


HANDLERS = {"lerna": _lerna, "turbo": _turbo, "nx": _nx}
