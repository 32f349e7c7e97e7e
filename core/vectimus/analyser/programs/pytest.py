"""pytest: the project code a test run imports before any test runs, and the agent's own tests.

``pytest`` (also ``py.test``, ``python -m pytest``) imports every ``conftest.py`` from the root
directory down to the tests it collects, the plugins ``-p`` and the configuration's ``addopts``
name, and the test modules themselves. ``run`` reads the configuration (``pytest.ini``,
``pyproject.toml``, ``tox.ini``, ``setup.cfg``, ``PYTEST_ADDOPTS``), walks the collected
directories (bounded, skipping ``norecursedirs``) for ``conftest.py`` files, and analyses them and
every collected test module the agent wrote in this session, as Python run by the test run.
Standard library only: imported when a call runs pytest.
"""

from __future__ import annotations

import fnmatch
import os
import shlex

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus import world

MAX_DIRS = 400        # directories looked through for conftest.py files
MAX_CONFTESTS = 32
MAX_IMPORTS = 128     # conftest.py files and the agent's test modules read for one run
MAX_ENTRIES = 5000    # entries read from one directory
CONFIGS = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
NORECURSE = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}",
             "__pycache__", "site-packages")
TEST_FILES = ("test_*.py", "*_test.py")
PYTEST_VALUE = argv.opts("-p -c --config-file --rootdir --confcutdir -o --override-ini -k -m --maxfail "
                         "--tb --basetemp --junitxml --junit-xml -r --durations --log-level --cov "
                         "--cov-report --deselect --ignore --ignore-glob -W --pythonwarnings --import-mode "
                         "-n --numprocesses --dist --timeout --capture")
NO_RUN = ("version", "V")


def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """What a pytest run imports: conftest files, plugins, and test modules the agent wrote."""
    from vectimus.analyser.facts import env

    words = list(cmd.words[1:])
    extra = env.value(cmd, "PYTEST_ADDOPTS")
    if extra is not None and not extra.dynamic:
        words += [Word(w) for w in _split(extra.text)]
    p = argv.parse(words, PYTEST_VALUE)
    if any(p.has(flag) for flag in NO_RUN):
        return
    root = _rootdir(an, cmd, p)
    config = _config(an, cmd, root, p.value("c", "config-file"))
    if config.get("addopts"):
        p = argv.parse(words + [Word(w) for w in _split(config["addopts"])], PYTEST_VALUE)
    starts = [w for w in p.operands if not w.dynamic]
    if not starts:
        starts = [Word(t) for t in _split(config.get("testpaths", ""))] or [Word(".")]
    found: list[str] = []
    for start in starts:
        path = an.target(Word(start.text.split("::", 1)[0]), cmd.scope).path
        found.extend(_conftests_above(path, root))
        if path.endswith(".py"):
            if runs.by_agent(an, path):
                found.append(path)
        else:
            found.extend(_walk(an, path, config) if world.isdir(path) else _ledger_files(an, path))
    for plugin in [w.text for name, w in p.values if name == "p"] + _split(config.get("required_plugins", "")):
        found.extend(_module_file(an, cmd, root, plugin, config))
    files = list(dict.fromkeys(found))
    for path in files[:MAX_IMPORTS]:
        runs.run_file(an, cmd, Word(path), runner="python")
    skipped = [path for path in files[MAX_IMPORTS:] if runs.by_agent(an, path)]
    if skipped:  # the agent's code past the limit must not run unread
        runs.unread(an, cmd, skipped[0], runs.display(an, skipped[0]), True,
                    f"one of more than {MAX_IMPORTS} files pytest would import")


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _rootdir(an: Analysis, cmd: Cmd, p) -> str:
    """pytest's root directory: ``--rootdir``, else the nearest directory with a config file, else cwd."""
    given = p.value("rootdir")
    if given is not None:
        return an.target(given, cmd.scope).path
    folder = cmd.scope.places.cwd
    project = an.places.project
    while True:
        if any(world.isfile(os.path.join(folder, name)) for name in CONFIGS):
            return folder
        if folder in (project, "/") or not folder.startswith(project.rstrip("/") + "/"):
            return cmd.scope.places.cwd
        folder = os.path.dirname(folder)


def _config(an: Analysis, cmd: Cmd, root: str, given: Word | None) -> dict[str, str]:
    """addopts, testpaths, pythonpath, required_plugins, norecursedirs and python_files, as text."""
    names = [an.target(given, cmd.scope).path] if given is not None else [os.path.join(root, n) for n in CONFIGS]
    for path in names:
        text, _ = runs.read(an, path) if world.isfile(path) else (None, "")
        if text is None:
            continue
        if path.endswith(".toml"):
            import tomllib

            try:
                section = tomllib.loads(text).get("tool", {}).get("pytest", {}).get("ini_options")
            except tomllib.TOMLDecodeError:
                continue
            if isinstance(section, dict):
                return {k: " ".join(v) if isinstance(v, list) else str(v) for k, v in section.items()}
            continue
        import configparser

        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text)
        except configparser.Error:
            continue
        for section in ("pytest", "tool:pytest"):
            if parser.has_section(section):
                return dict(parser.items(section))
    return {}


def _conftests_above(path: str, root: str) -> list[str]:
    """conftest.py files from the root directory down to ``path`` (pytest loads these first)."""
    folder = path if world.isdir(path) else os.path.dirname(path)
    out: list[str] = []
    while folder.startswith(root) and len(out) < MAX_CONFTESTS:
        candidate = os.path.join(folder, "conftest.py")
        if world.isfile(candidate):
            out.append(candidate)
        if folder == root or folder == "/":
            break
        folder = os.path.dirname(folder)
    return out[::-1]


def _walk(an: Analysis, start: str, config: dict[str, str]) -> list[str]:
    """conftest.py files below ``start``, and the test modules the agent wrote there (bounded)."""
    norecurse = _split(config.get("norecursedirs", "")) or list(NORECURSE)
    patterns = _split(config.get("python_files", "")) or list(TEST_FILES)
    out: list[str] = []
    queue, seen = [start], 0
    while queue and seen < MAX_DIRS and len(out) < MAX_CONFTESTS:
        folder = queue.pop(0)
        seen += 1
        try:
            entries = world.scandir(folder, MAX_ENTRIES)
        except (OSError, ValueError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not any(fnmatch.fnmatch(entry.name, pat) for pat in norecurse) \
                        and not world.exists(os.path.join(entry.path, "pyvenv.cfg")):
                    queue.append(entry.path)
            elif entry.name == "conftest.py" or (any(fnmatch.fnmatch(entry.name, pat) for pat in patterns)
                                                 and runs.by_agent(an, entry.path)):
                out.append(entry.path)
    return out + _ledger_files(an, start)


def _ledger_files(an: Analysis, start: str) -> list[str]:
    """Python files below ``start`` the agent wrote this session (a deep tree is not walked whole)."""
    written = [*an.pending, *runs.session(an).files]
    prefix = start.rstrip("/") + "/"
    return [p for p in written if p.startswith(prefix) and p.endswith(".py") and
            (os.path.basename(p) == "conftest.py" or any(fnmatch.fnmatch(os.path.basename(p), pat)
                                                          for pat in TEST_FILES))]


def _module_file(an: Analysis, cmd: Cmd, root: str, module: str, config: dict[str, str]) -> list[str]:
    """The project file a plugin module name (``-p myplugin``) imports, if the project has one."""
    if module.startswith("no:") or not module.replace(".", "").replace("_", "").isalnum():
        return []
    base = module.replace(".", "/")
    for folder in [root, *[os.path.join(root, d) for d in _split(config.get("pythonpath", ""))]]:
        for candidate in (f"{base}.py", f"{base}/__init__.py"):
            path = os.path.join(folder, candidate)
            if world.isfile(path):
                return [path]
    return []
