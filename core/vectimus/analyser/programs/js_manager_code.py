"""Code a JavaScript package manager loads from the project's configuration whatever it is asked to do.

- yarn: the ``yarnPath`` of ``.yarnrc.yml`` (classic yarn's ``yarn-path`` in ``.yarnrc``), which
  every yarn command hands over to (``yarn --version`` included), and the ``plugins`` it loads on
  every command; from every rc file from the command's directory up and the user's, or the file
  ``YARN_RC_FILENAME`` names; ``YARN_YARN_PATH`` overrides. With Plug'n'Play, the ``.pnp.cjs``
  every node process of ``yarn run``/``node``/``exec``/a script loads.
- pnpm: the pnpmfile (``.pnpmfile.cjs`` at the workspace root, or the ``pnpmfile`` and
  ``global-pnpmfile`` settings of ``.npmrc``, ``pnpm-workspace.yaml``, the environment or the
  command line) that commands resolving dependencies require.
- bun: the ``preload`` files of ``bunfig.toml`` (``[test] preload`` for ``bun test``) and
  ``--preload``; and the test files ``bun test`` runs that the agent wrote.
- corepack: ``corepack yarn …``/``corepack pnpm …`` runs that manager, read as it is.

Each file is read and analysed as JavaScript/TypeScript run by the command (``runs.run_file``):
the agent's code is judged, and a file too large to read (a yarn release the repository ships,
about 2 MB) is unread, which only holds up a file the agent wrote. ``deferred`` judges these
settings when the agent writes them (``writes``).
Standard library only (PyYAML for YAML, tomllib for TOML, imported when such a file is read).
"""

from __future__ import annotations

import posixpath

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word
from vectimus.analyser.programs import tasks
from vectimus import world

MAX_LOADS = 16  # plugins or preloads read from one settings file
CODE = ("js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx")

# yarn sub-commands whose node processes load Plug'n'Play's .pnp.cjs (and any script name).
YARN_PNP = ("run", "node", "exec", "test", "start", "stop", "restart", "dlx")
# pnpm commands that resolve dependencies, and so require the pnpmfile.
PNPM_RESOLVES = frozenset((
    "install", "i", "add", "update", "up", "upgrade", "remove", "rm", "uninstall", "un", "import", "dedupe",
    "fetch", "link", "ln", "unlink", "prune", "rebuild", "rb", "install-test", "it", "ci", "clean-install",
))
BUN_VALUE = argv.opts("-r --require --preload --import -c --config --cwd -e --eval -p --print --env-file "
                      "--tsconfig-override --conditions --define -d --loader -l --jsx-factory --jsx-fragment "
                      "--jsx-import-source --main-fields --extension-order --port --filter -F -t --test-name-pattern "
                      "--timeout --rerun-each --coverage-reporter --coverage-dir --reporter --reporter-outfile")
BUN_TEST_FILES = (".test.", "_test.", ".spec.", "_spec.")
MAX_TEST_DIRS = 400  # directories searched for test files the agent may have changed


def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """What ``yarn``/``pnpm``/``bun`` load from their configuration for this command."""
    if name == "yarn":
        yarn(an, cmd)
    elif name == "pnpm":
        pnpm(an, cmd)
    elif name == "bun":
        bun(an, cmd)


def _load(an: Analysis, cmd: Cmd, folder: str, value, setting: str) -> None:
    """Read and analyse the code file ``value`` (relative to ``folder``), which ``setting`` loads."""
    if not isinstance(value, str) or not value.strip():
        return
    text = value.strip().removeprefix("file:")
    if not text.startswith(("/", "~")):
        text = posixpath.join(folder, text)
    ext = posixpath.splitext(text)[1].lstrip(".").lower()
    runner = runs.EXTENSIONS.get(ext, "node") if ext in CODE else "node"
    runs.run_file(an, cmd, Word(text), runner=runner, label=f"{setting} {value.strip()}")


def _file(an: Analysis, path: str) -> bool:
    return path in an.pending or world.isfile(path)


def _parents(an: Analysis, cmd: Cmd):
    """The command's directory and each parent up to ``/`` (yarn reads rc files from all of them)."""
    folder = cmd.scope.places.cwd
    for _ in range(32):
        yield folder
        if folder == "/":
            return
        folder = posixpath.dirname(folder)


# -- yarn -------------------------------------------------------------------------------------

def yarn(an: Analysis, cmd: Cmd) -> None:
    """yarn's ``yarnPath`` (the nearest setting wins), every rc file's ``plugins``, and ``.pnp.cjs``."""
    from vectimus.analyser.facts import env

    if cmd.scope.cwd_dynamic:
        return
    named = env.value(cmd, "YARN_RC_FILENAME")
    if named is not None and named.dynamic:
        runs.unread(an, cmd, "", "YARN_RC_FILENAME", True, "yarn settings from a file Vectimus cannot resolve")
        return
    rc_name = named.text if named is not None and named.text else ".yarnrc.yml"
    folders = [*_parents(an, cmd), an.places.home]
    rcs = [posixpath.join(f, n) for f in dict.fromkeys(folders) for n in (rc_name, ".yarnrc")]
    path_given = env.value(cmd, "YARN_YARN_PATH")
    ignore = env.value(cmd, "YARN_IGNORE_PATH")
    release_done = ignore is not None and ignore.text in ("1", "true")
    if path_given is not None and not release_done:
        _load(an, cmd, cmd.scope.places.cwd, path_given.text if not path_given.dynamic else None, "YARN_YARN_PATH")
        if path_given.dynamic:
            runs.unread(an, cmd, "", "YARN_YARN_PATH", True, "a yarn release Vectimus cannot resolve")
        release_done = True
    for rc in rcs:
        yaml = posixpath.basename(rc) != ".yarnrc" or rc_name == ".yarnrc"
        found = runs.parsed(an, cmd, rc, lambda text, yaml=yaml: yarn_settings(text, yaml)) if _file(an, rc) else None
        if found is None:
            continue
        settings, label, _ = found
        folder = posixpath.dirname(rc)
        if not release_done and settings.get("yarnPath"):
            _load(an, cmd, folder, settings["yarnPath"], f"{label} yarnPath")
            release_done = True
        for plugin in settings.get("plugins", ()):
            _load(an, cmd, folder, plugin, f"{label} plugin")
    _pnp(an, cmd)


def yarn_settings(text: str, yaml: bool) -> dict:
    """``yarnPath`` and ``plugins`` (their paths) of a ``.yarnrc.yml``, or classic yarn's
    ``yarn-path`` of a ``.yarnrc``; Unanalysable when the file is not YAML or has too many plugins."""
    if not yaml:
        for line in text.splitlines():
            key, _, value = line.strip().partition(" ")
            if key.strip("\"'") == "yarn-path":
                return {"yarnPath": value.strip().strip("\"'")}
        return {}
    data = runs.yaml_data(text, "a .yarnrc.yml")
    if not isinstance(data, dict):
        return {}
    plugins = data.get("plugins")
    plugins = plugins if isinstance(plugins, list) else []
    if len(plugins) > MAX_LOADS:
        raise Unanalysable(f"a .yarnrc.yml with more than {MAX_LOADS} plugins")
    paths = [p.get("path") if isinstance(p, dict) else p for p in plugins]
    return {"yarnPath": data.get("yarnPath"), "plugins": [p for p in paths if isinstance(p, str)]}


def _pnp(an: Analysis, cmd: Cmd) -> None:
    """Plug'n'Play's loader, which every node process ``yarn run`` and scripts start requires."""
    p = argv.parse(cmd.words[1:], tasks.NPM_VALUE, stop_at_operand=True)
    sub = p.operands[0].text if p.operands else ""
    if not sub or (sub in tasks.OWN_COMMANDS and sub not in YARN_PNP):
        return
    root = tasks.nearest(an, cmd, ("package.json",))
    for name in (".pnp.cjs", ".pnp.loader.mjs"):
        path = posixpath.join(posixpath.dirname(root), name) if root else ""
        if path and _file(an, path):
            runs.run_file(an, cmd, Word(path), runner="node")


# -- pnpm -------------------------------------------------------------------------------------

PNPM_SETTINGS = ("pnpmfile", "global-pnpmfile")


def pnpm(an: Analysis, cmd: Cmd) -> None:
    """The pnpmfiles a dependency-resolving pnpm command requires."""
    words = list(cmd.words[1:])
    head = argv.parse(words, tasks.NPM_VALUE, stop_at_operand=True)
    moved = cmd.moved([w for option, w in head.values if option in tasks.DIR_OPTS])
    sub = head.operands[0].text if head.operands else ""
    if sub not in PNPM_RESOLVES or moved.scope.cwd_dynamic:
        return
    workspace = tasks.nearest(an, moved, ("pnpm-workspace.yaml",)) or tasks.nearest(an, moved, ("package.json",))
    root = posixpath.dirname(workspace) if workspace else moved.scope.places.cwd
    settings = pnpm_settings(an, moved, workspace) if workspace.endswith(".yaml") else {}
    settings.update({k: w.text for k, (w, _) in tasks.npm_settings(an, moved, words, root, PNPM_SETTINGS).items()
                     if not w.dynamic})
    if not argv.parse(words, tasks.NPM_VALUE).has("ignore-pnpmfile"):
        _load(an, moved, root, settings.get("pnpmfile") or ".pnpmfile.cjs", "pnpmfile")
    if settings.get("global-pnpmfile"):
        _load(an, moved, root, settings["global-pnpmfile"], "global-pnpmfile")


def pnpm_settings(an: Analysis, cmd: Cmd, path: str) -> dict[str, str]:
    """pnpm 10's ``pnpmfile``/``globalPnpmfile`` settings in ``pnpm-workspace.yaml``."""
    found = runs.parsed(an, cmd, path, lambda text: runs.yaml_data(text, "a pnpm-workspace.yaml"))
    data = found[0] if found is not None and isinstance(found[0], dict) else {}
    return {key: data[yaml_key] for key, yaml_key in (("pnpmfile", "pnpmfile"), ("global-pnpmfile", "globalPnpmfile"))
            if isinstance(data.get(yaml_key), str)}


# -- bun --------------------------------------------------------------------------------------

def bun(an: Analysis, cmd: Cmd) -> None:
    """bun's preloads (bunfig.toml, ``--preload``) for a run or a test run, and the agent's test files."""
    head = argv.parse(cmd.words[1:], BUN_VALUE, stop_at_operand=True)
    sub = head.operands[0].text if head.operands and not head.operands[0].dynamic else ""
    test = sub == "test"
    runs_code = test or sub == "run" or head.has("e", "eval", "p", "print") or \
        (sub and sub not in tasks.OWN_COMMANDS and sub not in ("x", "build", "upgrade", "repl", "init", "create"))
    if not runs_code:
        return
    rest = argv.parse(head.operands[1:], BUN_VALUE, stop_at_operand=True) if sub in ("run", "test") else None
    cwd = head.value("cwd")
    cmd = cmd.moved([cwd]) if cwd is not None else cmd
    if cmd.scope.cwd_dynamic:
        return
    for setting, word in [*((n, w) for n, w in head.values if n == "preload"),
                          *((n, w) for n, w in (rest.values if rest else ()) if n in ("preload", "r", "require", "import"))]:
        if word.dynamic:
            runs.unread(an, cmd, "", f"bun --{setting}", True, "code preloaded from a path Vectimus cannot resolve")
        elif word.text.startswith((".", "/")):
            _load(an, cmd, cmd.scope.places.cwd, word.text, f"bun --{setting}")
    config = head.value("c", "config") or (rest.value("c", "config") if rest else None)
    for path in _bunfigs(an, cmd, config):
        found = runs.parsed(an, cmd, path, lambda text: bunfig_preloads(text, test))
        if found is None:
            continue
        preloads, label, _ = found
        for where, value in preloads:
            if _local(posixpath.dirname(path), value):
                _load(an, cmd, posixpath.dirname(path), value, f"{label} {where}")
    if test:
        _bun_tests(an, cmd, rest.operands if rest else [])


def _bunfigs(an: Analysis, cmd: Cmd, given: Word | None) -> list[str]:
    """The bunfig.toml files bun reads: the global one and the project's (or ``--config``'s)."""
    xdg = an.env.get("XDG_CONFIG_HOME") or posixpath.join(an.places.home, ".config")
    out = [p for p in (posixpath.join(xdg, ".bunfig.toml"), posixpath.join(an.places.home, ".bunfig.toml"))
           if _file(an, p)]
    if given is not None and not given.dynamic:
        out.append(an.target(given, cmd.scope).path)
    else:
        out.append(tasks.nearest(an, cmd, ("bunfig.toml",)))
    return [p for p in dict.fromkeys(out) if p]


def bunfig_preloads(text: str, test: bool = True) -> list[tuple[str, str]]:
    """(setting, path) of the preloads of a bunfig.toml: ``preload``, and ``[test] preload`` when
    ``test``; Unanalysable when it is not TOML or lists too many."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Unanalysable(f"a bunfig.toml that is not valid TOML ({str(exc)[:60]})") from None
    out = []
    sections = [("preload", data)]
    if test and isinstance(data.get("test"), dict):
        sections.append(("[test] preload", data["test"]))
    for where, section in sections:
        value = section.get("preload")
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        out += [(where, v) for v in values if isinstance(v, str)]
    if len(out) > MAX_LOADS:
        raise Unanalysable(f"a bunfig.toml with more than {MAX_LOADS} preloads")
    return out


def _local(folder: str, value: str) -> bool:
    """Whether a preload names a file (a path, or a name a file beside bunfig.toml has), not a package."""
    return value.startswith((".", "/", "~")) or world.isfile(posixpath.join(folder, value))


def _bun_tests(an: Analysis, cmd: Cmd, operands: list[Word]) -> None:
    """The test files ``bun test`` runs that the agent wrote: a path given, or its test files below
    the directory matching the filters (the repository's own tests are its own)."""
    filters = []
    for word in operands:
        if word.dynamic:
            continue
        if word.text.startswith(("./", "/")) and not an.target(word, cmd.scope).is_dir:
            runs.run_file(an, cmd, word, runner="typescript")
        else:
            filters.append(word.text)
    start = cmd.scope.places.cwd.rstrip("/") + "/"
    ledger = runs.session(an)
    candidates = [*an.pending, *ledger.files]
    if ledger.unseen_since is not None or ledger.full:  # files changed at paths the ledger could not name
        candidates += _walk_tests(start)
    for path in dict.fromkeys(candidates):
        base = posixpath.basename(path)
        if path.startswith(start) and "/node_modules/" not in path[len(start) - 1:] \
                and base.rsplit(".", 1)[-1] in CODE and any(t in base for t in BUN_TEST_FILES) \
                and (not filters or any(f in path[len(start):] for f in filters)):
            runs.run_file(an, cmd, Word(path), runner="typescript")


def _walk_tests(start: str) -> list[str]:
    """bun's test files below ``start`` (bounded like pytest's walk; ``node_modules`` and hidden
    directories skipped)."""
    out: list[str] = []
    queue, seen = [start.rstrip("/")], 0
    while queue and seen < MAX_TEST_DIRS:
        folder = queue.pop(0)
        seen += 1
        try:
            entries = world.scandir(folder, 5000)
        except (OSError, ValueError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "node_modules" and not entry.name.startswith("."):
                    queue.append(entry.path)
            elif any(t in entry.name for t in BUN_TEST_FILES):
                out.append(entry.path)
    return out


# -- written ----------------------------------------------------------------------------------

def deferred(an: Analysis, cmd: Cmd, path: str, text: str, kind: str) -> None:
    """The code a ``.yarnrc.yml``/``.yarnrc``, a bunfig.toml, or pnpm's settings (``.npmrc``,
    ``pnpm-workspace.yaml``) being written makes the manager load."""
    folder = posixpath.dirname(path)
    name = runs.display(an, path)
    if kind == "yarnrc":
        settings = yarn_settings(text, not path.endswith("/.yarnrc"))
        loads = [("yarnPath", settings.get("yarnPath"))] + [("plugin", p) for p in settings.get("plugins", ())]
    elif kind == "bunfig":
        loads = [(w, v) for w, v in bunfig_preloads(text) if _local(folder, v)]
    elif path.endswith(".yaml"):
        data = runs.yaml_data(text, name)
        data = data if isinstance(data, dict) else {}
        loads = [(key, data.get(key)) for key in ("pnpmfile", "globalPnpmfile")]
    else:  # .npmrc
        loads = [(key.strip(), value.strip().strip("\"'")) for key, eq, value in
                 (line.partition("=") for line in text.splitlines()) if eq and key.strip() in PNPM_SETTINGS]
    for setting, value in loads:
        _load(an, cmd, folder, value, f"{name} {setting}")


# -- corepack ---------------------------------------------------------------------------------

CORE_MANAGERS = ("yarn", "yarnpkg", "pnpm", "pnpx", "npm", "npx")


def corepack(an: Analysis, cmd: Cmd, name: str) -> None:
    """``corepack yarn install``: the package manager it runs, as if run directly."""
    p = argv.parse(cmd.words[1:], frozenset(), stop_at_operand=True)
    first = p.operands[0] if p.operands else None
    if first is not None and not first.dynamic and first.text.split("@", 1)[0] in CORE_MANAGERS:
        an.dispatch(cmd.with_words([Word(first.text.split("@", 1)[0]), *p.operands[1:]], via="corepack"))


HANDLERS = {"corepack": corepack}
