"""Python tools that run another Python program: debuggers, profilers, tracers, coverage, doctest
and unittest (``python3 -m cProfile x.py``, ``coverage run -m pkg``, ``python3 -m unittest``).

The program they run is read and analysed as ``python3 x.py`` would be (a file, or a project
module for ``-m``); pdb's ``-c`` commands and the ``.pdbrc`` files it reads (the working directory's
and the home's) run as Python; unittest's discovery imports the test modules the agent wrote.
Standard library only: imported when a call runs one of them.
"""

from __future__ import annotations

import fnmatch
import os

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus import world

# module or command -> (options taking a value, the subcommand that runs a program, if it needs one)
TOOLS: dict[str, tuple[str, str]] = {
    "pdb": ("-c --command -m", ""), "ipdb": ("-c --command -m", ""), "pudb": ("-c --command -m", ""),
    "cProfile": ("-o --outfile -s --sort -m", ""), "profile": ("-o --outfile -s --sort -m", ""),
    "trace": ("-f --file -C --coverdir --ignore-module --ignore-dir --module -m", ""),
    "coverage": ("--rcfile --source --omit --include --data-file --context --concurrency -m --module", "run"),
    "pyinstrument": ("-o --outfile -r --renderer -m --module -i --interval", ""),
    "kernprof": ("-o --outfile -s --setup -m", ""), "line_profiler": ("-o --outfile -m", ""),
    "viztracer": ("-o --output_file --output-file --max_stack_depth -m --module", ""),
    "memray": ("-o --output -m", "run"), "scalene": ("--outfile --profile-only -m", ""),
    "debugpy": ("--listen --connect --log-to -m", ""),
    "ipython": ("-c -m --profile --profile-dir --ipython-dir --config --log-level", ""),
}
# pdb commands that are not Python (any other line of a .pdbrc or -c runs as a Python statement)
PDB_COMMANDS = frozenset(
    "h help w where bt d down u up b break tbreak cl clear disable enable ignore condition commands s step n next "
    "unt until j jump r return c cont continue l list ll longlist a args p pp whatis source display undisplay "
    "interact alias unalias q quit exit run restart debug retval rv end silent".split())


def module(an: Analysis, cmd: Cmd, name: str, args: tuple[Word, ...]) -> None:
    """``python -m NAME ARGS``: what the tool NAME runs."""
    if name in ("unittest", "doctest"):
        (_unittest if name == "unittest" else _doctest)(an, cmd, list(args))
        return
    run(an, cmd, name, list(args))


def command(an: Analysis, cmd: Cmd, name: str) -> None:
    """``coverage run x.py``, ``pyinstrument x.py``, ``ipdb3 x.py`` …: the program the tool runs."""
    run(an, cmd, name.rstrip("0123456789"), list(cmd.words[1:]))


def run(an: Analysis, cmd: Cmd, tool: str, words: list[Word]) -> None:
    takes, sub = TOOLS.get(tool, ("-m", ""))
    if sub:
        if not words or words[0].text != sub:
            return
        words = words[1:]
    p = argv.parse(words, argv.opts(takes), stop_at_operand=True)
    if tool == "ipython":
        for code in p.all("c"):
            an.code("python", code, cmd, "ipython -c")
    if tool in ("pdb", "ipdb", "pudb"):
        pdb_session(an, cmd, [w for name, w in p.values if name in ("c", "command")])
    target = p.value("m", "module")
    if target is not None:
        _project_module(an, cmd, target, tuple(p.operands))
    elif p.operands:
        runs.run_file(an, cmd, p.operands[0], runner="python", args=tuple(p.operands[1:]))


def pdb_session(an: Analysis, cmd: Cmd, commands: list[Word]) -> None:
    """pdb's ``.pdbrc`` files and ``-c`` commands: lines that are not pdb commands run as Python
    (``python -m pdb``, and code that calls ``breakpoint()`` or ``pdb.set_trace()``)."""
    home = an.env.get("HOME") or cmd.scope.places.home
    for folder in dict.fromkeys((home, cmd.scope.places.cwd)):
        path = os.path.join(folder, ".pdbrc")
        if world.isfile(path):
            text, why = runs.read(an, path)
            if text is None:
                runs.unread(an, cmd, path, runs.display(an, path), runs.by_agent(an, path), why)
            else:
                an.code("python", Word(_pdb_python(text)), cmd, f"pdb {runs.display(an, path)}")
    for word in commands:
        an.code("python", Word(_pdb_python(word.text), word.dynamic), cmd, "pdb -c")


def _pdb_python(text: str) -> str:
    """The Python statements among pdb command lines (``!stmt``, or a line no pdb command starts)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("!"):
            out.append(line[1:].strip())
        elif line and not line.startswith("#") and line.split()[0].split(";")[0] not in PDB_COMMANDS:
            out.append(line)
    return "\n".join(out)


def _project_module(an: Analysis, cmd: Cmd, name: Word, args: tuple[Word, ...]) -> bool:
    """A project module named ``name`` (``pkg.mod``, ``tests.test_x.Case``): its file runs. True
    when one was found."""
    if name.dynamic:
        return False
    parts = name.text.removesuffix(".py").split(".")
    while parts:
        base = "/".join(parts)
        for candidate in (f"{base}.py", f"{base}/__main__.py", f"{base}/__init__.py"):
            if an.target(Word(candidate), cmd.scope).exists:
                runs.run_file(an, cmd, Word(candidate), runner="python", args=args)
                return True
        parts.pop()
    return False


def _doctest(an: Analysis, cmd: Cmd, words: list[Word]) -> None:
    """``python -m doctest f.py …``: each Python file is imported (its top level runs)."""
    for word in argv.parse(words, argv.opts("-o --option")).operands:
        if word.text.endswith(".py") or word.dynamic:
            runs.run_file(an, cmd, word, runner="python")


def _unittest(an: Analysis, cmd: Cmd, words: list[Word]) -> None:
    """``python -m unittest [names | discover]``: named modules or files, else the test modules
    discovery imports that the agent wrote (``-s`` start directory, ``-p`` pattern)."""
    discover = not words or words[0].text == "discover" or all(w.text.startswith("-") for w in words)
    p = argv.parse(words[1:] if words and words[0].text == "discover" else words,
                   argv.opts("-s --start-directory -p --pattern -t --top-level-directory -k"))
    if not discover:
        for word in p.operands:
            if word.text.endswith(".py") or "/" in word.text:
                runs.run_file(an, cmd, word, runner="python")
            else:
                _project_module(an, cmd, word, ())
        return
    start = p.value("s", "start-directory") or (p.operands[0] if p.operands else Word("."))
    pattern = p.value("p", "pattern") or (p.operands[1] if len(p.operands) > 1 else Word("test*.py"))
    if start.dynamic or pattern.dynamic:
        return
    prefix = an.target(start, cmd.scope).path.rstrip("/") + "/"
    for path in [*an.pending, *runs.session(an).files]:
        if path.startswith(prefix) and fnmatch.fnmatch(os.path.basename(path), pattern.text):
            runs.run_file(an, cmd, Word(path), runner="python")


HANDLERS = dict.fromkeys(("coverage", "ipdb", "ipdb3", "ipython", "ipython3", "kernprof", "memray", "pudb",
                          "pudb3", "pyinstrument", "scalene", "viztracer"), command)
