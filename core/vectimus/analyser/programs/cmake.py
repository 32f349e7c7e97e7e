"""CMake: what configuring a project runs (``cmake -S SRC -B BUILD``, ``cmake ..``, ``cmake --preset``)
and what building it runs (``cmake --build BUILD``), from the project's ``CMakeLists.txt``, the
files it ``include()``s and the directories it ``add_subdirectory()``s; ``cmake -P FILE`` runs a
script.

The CMake language is read by a tokenizer that respects its quoting (quoted and bracket arguments,
comments, nested parentheses). ``execute_process(COMMAND … [COMMAND …])`` runs at configure time (its
commands a pipeline, in its ``WORKING_DIRECTORY``), ``exec_program``, ``file(DOWNLOAD|UPLOAD)`` too;
``add_custom_command``/``add_custom_target`` commands at build time. Each command's words become
shell text (``${VAR}`` expanded from literal ``set()``s, ``-D`` definitions and CMake's own
directories; anything else an unknown value), analysed as run by the file.
Standard library only: imported when cmake runs.
"""

from __future__ import annotations

import posixpath
import re
import shlex

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.programs import cmake_find

MAX_FILES = 32        # CMake files one run reads (includes, subdirectories)
MAX_COMMANDS = 4096   # commands read from one file
VALUE = argv.opts("-S -B -D -U -C -G -T -A -P --preset --build --install --toolchain --log-level -E "
                  "--target -t -j --parallel --config --graphviz --system-information --fresh-cache")
NO_RUN = ("version", "help", "h", "system-information", "find-package")
EXEC_KEYWORDS = frozenset((
    "COMMAND", "WORKING_DIRECTORY", "TIMEOUT", "RESULT_VARIABLE", "RESULTS_VARIABLE", "OUTPUT_VARIABLE",
    "ERROR_VARIABLE", "INPUT_FILE", "OUTPUT_FILE", "ERROR_FILE", "OUTPUT_QUIET", "ERROR_QUIET",
    "COMMAND_ECHO", "OUTPUT_STRIP_TRAILING_WHITESPACE", "ERROR_STRIP_TRAILING_WHITESPACE", "ENCODING",
    "ECHO_OUTPUT_VARIABLE", "ECHO_ERROR_VARIABLE", "COMMAND_ERROR_IS_FATAL",
    # add_custom_command / add_custom_target
    "OUTPUT", "DEPENDS", "BYPRODUCTS", "MAIN_DEPENDENCY", "IMPLICIT_DEPENDS", "COMMENT", "DEPFILE",
    "JOB_POOL", "VERBATIM", "APPEND", "USES_TERMINAL", "COMMAND_EXPAND_LISTS", "DEPENDS_EXPLICIT_ONLY",
    "SOURCES", "ALL", "TARGET", "PRE_BUILD", "PRE_LINK", "POST_BUILD", "JOB_SERVER_AWARE", "CODEGEN"))
_TOKEN = re.compile(r"""
    (?P<comment>\#\[(?P<ceq>=*)\[.*?\](?P=ceq)\]|\#[^\n]*)
  | (?P<bracket>\[(?P<beq>=*)\[(?P<btext>.*?)\](?P=beq)\])
  | "(?P<quoted>(?:\\.|[^"\\])*)"
  | (?P<open>\() | (?P<close>\))
  | (?P<word>(?:\\.|[^\s()#"\\]|\#(?!\[))+)
  | (?P<space>\s+)
""", re.S | re.X)
_OPENING = re.compile(r"[ \t]*\(")
_VAR = re.compile(r"\$(?:ENV)?\{([^${}]*)\}")
UNKNOWN = "\x00"


def parse(text: str) -> list[tuple[str, list[tuple[str, bool]]]]:
    """The commands of CMake ``text``: (name lower-cased, [(argument, quoted)]) in order."""
    out: list[tuple[str, list[tuple[str, bool]]]] = []
    pos, n = 0, len(text)
    name, depth = "", 0
    args: list[tuple[str, bool]] = []
    while pos < n and len(out) < MAX_COMMANDS:
        match = _TOKEN.match(text, pos)
        if match is None:
            pos += 1
            continue
        pos = match.end()
        kind = match.lastgroup
        if kind in ("comment", "space", "ceq", "beq"):
            continue
        if not name:
            opening = _OPENING.match(text, pos) if kind == "word" else None
            if opening is not None:
                name, args, depth = match.group("word").lower(), [], 0
                pos = opening.end()
            continue
        if kind == "open":
            depth += 1
            args.append(("(", False))
        elif kind == "close":
            if depth == 0:
                out.append((name, args))
                name = ""
            else:
                depth -= 1
                args.append((")", False))
        elif kind == "quoted":
            args.append((match.group("quoted"), True))
        elif kind == "bracket":
            args.append((match.group("btext") or "", True))
        elif kind == "word":
            args.append((match.group("word"), False))
    return out


class Project:
    """What is known while reading a project's CMake files: variables, files read, commands found."""

    def __init__(self, source: str, binary: str, defined: dict[str, str]) -> None:
        self.vars = {"CMAKE_SOURCE_DIR": source, "PROJECT_SOURCE_DIR": source, "CMAKE_BINARY_DIR": binary,
                     "PROJECT_BINARY_DIR": binary, "CMAKE_COMMAND": "cmake", "CMAKE_CTEST_COMMAND": "ctest",
                     **defined}
        self.read: set[str] = set()
        self.steered = False  # something may change where find_program() looks (cmake_find)
        self.cache: str | None = None  # the build directory's CMakeCache.txt, once read
        self.configure: list[tuple[str, str, str, bool]] = []  # (shell text, file path, label, mine)
        self.build: list[tuple[str, str, str, bool]] = []


def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """``cmake``: configure (and with ``--build``, build) the project; ``-P`` runs a script."""
    p = argv.parse(cmd.words[1:], VALUE)
    if any(p.has(flag) for flag in NO_RUN) or p.value("E") is not None or p.value("install") is not None:
        return
    defined = {}
    for word in p.all("D"):
        key, _, value = word.text.partition("=")
        defined[key.split(":", 1)[0]] = value if not word.dynamic else UNKNOWN
    script = p.value("P")
    if script is not None:
        project = Project(cmd.scope.places.cwd, cmd.scope.places.cwd, defined)
        _read(an, cmd, project, an.target(script, cmd.scope).path, cmd.scope.places.cwd)
        _analyse(an, cmd, project.configure)
        return
    build = p.value("build")
    binary = an.target(build or p.value("B") or Word("."), cmd.scope).path
    source = p.value("S")
    if source is not None:
        folder = an.target(source, cmd.scope).path
    elif build is not None:
        folder = _cached_source(an, binary)
    else:
        given = an.target(p.operands[0], cmd.scope).path if p.operands else cmd.scope.places.cwd
        folder = given if an.target(Word(f"{given}/CMakeLists.txt"), cmd.scope).exists else _cached_source(an, given)
    if not folder:
        return
    project = Project(folder, binary, defined)
    _read(an, cmd, project, f"{folder}/CMakeLists.txt", folder)
    _analyse(an, cmd, project.configure + (project.build if build is not None else []))


def _cached_source(an: Analysis, binary: str) -> str:
    """The source directory a build directory's ``CMakeCache.txt`` names, or ""."""
    text, _ = runs.read(an, f"{binary}/CMakeCache.txt")
    match = re.search(r"^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$", text or "", re.M)
    return match.group(1).strip() if match else ""


def _analyse(an: Analysis, cmd: Cmd, commands: list[tuple[str, str, str, bool]]) -> None:
    for text, path, label, mine in commands:
        runs.analyse(an, cmd, text, "shell", label, mine, path=path)


def _read(an: Analysis, cmd: Cmd, project: Project, path: str, folder: str,
          variables: dict[str, str] | None = None) -> None:
    """One CMake file: its commands recorded, the files it includes and the directories it adds read
    (an included file shares the includer's ``variables``, a subdirectory starts from a copy)."""
    found = runs.source_once(an, cmd, path, project.read, MAX_FILES, "CMake files")
    if found is None:
        return
    text, label, mine = found
    commands(an, cmd, project, text, path, label, mine, folder, dict(project.vars) if variables is None else variables)


def commands(an: Analysis, cmd: Cmd, project: Project, text: str, path: str, label: str, mine: bool,
             folder: str, variables: dict[str, str]) -> None:
    """Record what the CMake ``text`` (the file ``path`` in source directory ``folder``) runs."""
    variables.update(CMAKE_CURRENT_SOURCE_DIR=folder, CMAKE_CURRENT_LIST_DIR=posixpath.dirname(path),
                     CMAKE_CURRENT_LIST_FILE=path)
    project.steered = project.steered or cmake_find.steered(
        text, variables, [*(k for k, _ in cmd.env), *cmd.scope.environment()], an.env)
    for name, raw in parse(text):
        args = [_expand(a, variables, an.env) if not quoted or "$" in a else a for a, quoted in raw]
        if name == "set" and len(args) >= 2 and args[0] != UNKNOWN and "PARENT_SCOPE" not in args[1:]:
            variables[args[0]] = " ".join(a for a in args[1:] if a not in ("CACHE", "FORCE"))[:4096]
        elif name in ("find_program", "find_package"):
            _found(an, project, variables, name, args)
        elif name == "execute_process":
            project.configure.append((_pipeline(args, folder), path, f"{label}:execute_process", mine))
        elif name == "exec_program" and args:
            words = [args[0], *_after(args, "ARGS")]
            project.configure.append((" ".join(_quote(w) for w in words), path, f"{label}:exec_program", mine))
        elif name == "file" and len(args) >= 3 and args[0] in ("DOWNLOAD", "UPLOAD"):
            curl = ["curl", "-o", args[2], args[1]] if args[0] == "DOWNLOAD" else ["curl", "-T", args[1], args[2]]
            project.configure.append((" ".join(map(_quote, curl)), path, f"{label}:file({args[0]})", mine))
        elif name in ("add_custom_command", "add_custom_target"):
            words = args[1:] if name == "add_custom_target" else args
            if name == "add_custom_target" and words and words[0] not in EXEC_KEYWORDS:
                words = ["COMMAND", *words]
            if "COMMAND" in words:
                project.build.append((_pipeline(words, folder, sequence=True), path, f"{label}:{name}", mine))
        elif name == "include" and args:
            found = _include(an, cmd, args[0], folder, variables)
            if found:
                _read(an, cmd, project, found, folder, variables)
        elif name == "add_subdirectory" and args:
            sub = posixpath.normpath(posixpath.join(folder, args[0]))
            _read(an, cmd, project, f"{sub}/CMakeLists.txt", sub, dict(variables))


def _found(an: Analysis, project: Project, variables: dict[str, str], name: str, args: list[str]) -> None:
    """``find_program``/``find_package``: the program the variable it sets names (``cmake_find``)."""
    if name == "find_program":
        found = cmake_find.find_program(args, UNKNOWN)
    else:
        found = cmake_find.FOUND_BY.get(args[0].lower()) if args else None
    if found is None or found[0] in variables:
        return  # (a value the variable holds already is kept, as CMake keeps it)
    var, program = found
    if project.cache is None:
        project.cache = runs.read(an, f"{project.vars['CMAKE_BINARY_DIR']}/CMakeCache.txt")[0] or ""
    cached = cmake_find.cached(project.cache, var)
    variables[var] = cached if cached is not None else UNKNOWN if project.steered else program


def _include(an: Analysis, cmd: Cmd, arg: str, folder: str, variables: dict[str, str]) -> str:
    """The project file ``include(arg)`` reads: a path, or a module in the project's module path."""
    if UNKNOWN in arg:
        return ""
    if "/" in arg or arg.endswith(".cmake"):
        return posixpath.normpath(posixpath.join(folder, arg))
    dirs = [d for d in variables.get("CMAKE_MODULE_PATH", "").split(";") if d]
    for base in [*dirs, f"{folder}/cmake", f"{variables['CMAKE_SOURCE_DIR']}/cmake"]:
        candidate = posixpath.normpath(posixpath.join(folder, base, f"{arg}.cmake"))
        if an.target(Word(candidate), cmd.scope).exists or candidate in an.pending:
            return candidate
    return ""


def _after(args: list[str], keyword: str) -> list[str]:
    return args[args.index(keyword) + 1:] if keyword in args else []


def _pipeline(args: list[str], folder: str, sequence: bool = False) -> str:
    """The shell text of the ``COMMAND`` groups in ``args`` (a pipeline, or for build commands one
    after another), run in ``WORKING_DIRECTORY``."""
    groups: list[list[str]] = []
    workdir = folder
    key = ""
    for arg in args:
        if arg in EXEC_KEYWORDS:
            key = arg
            if key == "COMMAND":
                groups.append([])
            continue
        if key == "COMMAND" and groups:
            groups[-1].append(arg)
        elif key == "WORKING_DIRECTORY":
            workdir = posixpath.join(folder, arg)
    text = (" && " if sequence else " | ").join(" ".join(_quote(w) for w in g) for g in groups if g)
    return f"cd {_quote(workdir)} && {text}" if text else ":"


def _expand(text: str, variables: dict[str, str], environ) -> str:
    """``${VAR}`` / ``$ENV{VAR}`` made their values where known, else UNKNOWN; escapes unescaped."""
    def one(match: re.Match) -> str:
        name = match.group(1)
        if match.group(0).startswith("$ENV"):
            return environ.get(name, UNKNOWN)
        return variables.get(name, UNKNOWN)

    for _ in range(4):
        expanded = _VAR.sub(one, text)
        if expanded == text:
            break
        text = expanded
    return re.sub(r"\\(.)", r"\1", text)


def _quote(word: str) -> str:
    """One argument as shell text: quoted, with an unknown part an unset variable's value."""
    parts = word.split(UNKNOWN)
    return '"${CMAKE_UNKNOWN}"'.join(shlex.quote(p) if p else "" for p in parts) or "''"


def deferred(an: Analysis, cmd: Cmd, path: str, text: str) -> None:
    """A CMake file being written: what it runs at configure and at build time."""
    folder = posixpath.dirname(path)
    project = Project(folder, f"{folder}/build", {})
    project.read.add(path)
    commands(an, cmd, project, text, path, runs.display(an, path), True, folder, dict(project.vars))
    _analyse(an, cmd, project.configure + project.build)


HANDLERS = {"cmake": run}
