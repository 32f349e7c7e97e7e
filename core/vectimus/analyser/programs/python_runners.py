"""Task runners whose tasks are Python code in a project file: nox (``noxfile.py``), invoke
(``tasks.py``), fabric (``fabfile.py``), doit (``dodo.py``), SCons (``SConstruct`` and the
``SConscript`` files it names) and waf (``wscript``).

The runner imports the file (its module-level code runs) and calls its tasks with an object of its
own whose methods run commands: invoke's and fabric's ``c.run``/``c.sudo``/``c.local``, nox's
``session.run``/``session.install``, waf's ``ctx.exec_command`` and ``rule=`` task generators;
doit runs the ``actions`` of the dicts its ``task_*`` functions return, SCons the actions of
``Command``/``Execute``/``AddPostAction`` …. ``harness`` turns the file into Python the analyser
reads as the runner runs it: that object defined as the subprocess calls it makes, every task
called with it, and each action in a runner's table made the command it runs (a string in a shell,
a list as a program and its arguments; a Python callable is code the analyser reads anyway). The
whole is analysed as Python run by the file; ``deferred`` judges such a file being written.
Standard library only (``ast``, imported when a runner's file is read); ``kind_of`` is on the
hot path of every write.
"""

from __future__ import annotations

import posixpath

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word

MAX_TASKS = 128      # task functions called in one file; past it, the file is unread
MAX_SCONSCRIPTS = 32  # SConscript files one SCons run reads
SCONSTRUCTS = ("SConstruct", "Sconstruct", "sconstruct", "SConstruct.py", "Sconstruct.py", "sconstruct.py")
# program -> (runner kind, options taking a value, directory options, file options, default file names)
RUNNERS = {
    "nox": ("nox", "-f --noxfile -s -e --sessions --session -p --python -k -t --tags --envdir --extra-pythons "
                   "--force-python -db --default-venv-backend -fb --force-venv-backend --report",
            (), ("f", "noxfile"), ("noxfile.py",)),
    "invoke": ("invoke", "-c --collection -r --search-root -f --config -e --echo-format --prompt-for-sudo-password "
                         "--write-pyc", ("r", "search-root"), (), ("tasks.py", "tasks/__init__.py")),
    "fab": ("fabric", "-c --collection -r --search-root -f --config -H --hosts -i --identity -S --ssh-config "
                      "-t --connect-timeout", ("r", "search-root"), (), ("fabfile.py", "fabfile/__init__.py")),
    "doit": ("doit", "-f --file -d --dir --backend --db-file -n --process -P --parallel-type --reporter "
                     "--output-file --check_file_uptodate", (), ("f", "file"), ("dodo.py",)),
    "scons": ("scons", "-f --file --makefile --sconstruct -C --directory -j --jobs -Y --repository "
                       "--site-dir --config --cache-dir -I --include-dir", ("C", "directory"),
              ("f", "file", "makefile", "sconstruct"), SCONSTRUCTS),
    "waf": ("waf", "-j --jobs -o --out -t --top --prefix --destdir --targets", ("t", "top"), (), ("wscript",)),
}
RUNNERS["inv"] = RUNNERS["invoke"]
MODULES = {"nox": "nox", "invoke": "invoke", "SCons": "scons", "doit": "doit"}  # python -m NAME
NO_RUN = ("version", "V", "help", "h")

# File names (lower case) whose text a runner imports, and the runner: what a write is judged as.
FILES = {"noxfile.py": "nox", "fabfile.py": "fabric", "dodo.py": "doit", "wscript": "waf",
         **{name.lower(): "scons" for name in SCONSTRUCTS}}


def kind_of(name: str, text: str) -> str:
    """The runner that imports a file named ``name`` (lower case) holding ``text``, or ""."""
    if name in FILES:
        return FILES[name]
    if name.startswith("sconscript"):
        return "scons"
    if name == "tasks.py" and ("invoke" in text or "fabric" in text):
        return "invoke"
    return ""


def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """``nox``/``invoke``/``fab``/``doit``/``scons``/``waf``: the project file the runner imports,
    analysed with its tasks run (and SConscript files SCons reads)."""
    kind, value_opts, dir_opts, file_opts, names = RUNNERS[name]
    p = argv.parse(cmd.words[1:], argv.opts(value_opts))
    if any(p.has(flag) for flag in NO_RUN):
        return
    cmd = cmd.moved(p.all(*dir_opts))
    path = ""
    given = p.value(*file_opts) if file_opts else None
    collection = p.value("c", "collection") if kind in ("invoke", "fabric") else None
    if given is not None:
        path = an.target(given, cmd.scope).path
    elif collection is not None and not collection.dynamic:
        names = (f"{collection.text}.py", f"{collection.text}/__init__.py")
    unknown = next((w for w in (given, collection) if w is not None and w.dynamic), None)
    if unknown is not None:
        runs.unread(an, cmd, "", f"{name} {unknown.text}", True, f"a {name} file named by an unknown value")
        return
    if not path:
        from vectimus.analyser.programs.tasks import nearest

        path = nearest(an, cmd, names)
    if not path:
        return
    if kind == "waf" and not path.endswith("wscript"):
        return
    analyse_file(an, cmd, path, kind)


def analyse_file(an: Analysis, cmd: Cmd, path: str, kind: str) -> None:
    """The runner ``kind``'s file at ``path``, read and analysed as the runner runs it."""
    found = runs.source(an, cmd, path)
    if found is None:
        return
    text, label, mine = found
    _analyse(an, cmd, path, text, kind, label, mine)


def _analyse(an: Analysis, cmd: Cmd, path: str, text: str, kind: str, label: str, mine: bool) -> None:
    from vectimus.analyser.programs import python_harness

    try:
        code, sconscripts = python_harness.harness(kind, text)
    except Unanalysable as exc:
        runs.unread(an, cmd, path, label, mine, str(exc))
        return
    runs.analyse(an, cmd, code, "python", label, mine, path=path)
    if kind == "scons":
        _sconscripts(an, cmd, path, sconscripts, mine)


def _sconscripts(an: Analysis, cmd: Cmd, path: str, named: list[str | None], mine: bool) -> None:
    """The SConscript files an SConstruct (or SConscript) reads: those it names, relative to its
    directory; one named by an unknown value is any the agent wrote in this session."""
    folder = posixpath.dirname(path)
    seen = an.memo.setdefault("sconscripts", set())
    paths = [posixpath.normpath(posixpath.join(folder, n)) for n in named if n]
    if None in named:
        written = [*an.pending, *runs.session(an).files]
        paths += [p for p in written if posixpath.basename(p).lower().startswith("sconscript")
                  and p.startswith(an.places.project.rstrip("/") + "/")]
    for one in dict.fromkeys(paths):
        if one in seen:
            continue
        if len(seen) >= MAX_SCONSCRIPTS:
            runs.unread(an, cmd, one, runs.display(an, one), mine, f"more than {MAX_SCONSCRIPTS} SConscript files")
            return
        seen.add(one)
        if an.target(Word(one), cmd.scope).exists or one in an.pending:
            analyse_file(an, cmd, one, "scons")


def deferred(an: Analysis, cmd: Cmd, path: str, text: str, kind: str) -> None:
    """A runner's file being written, judged as the runner will run it."""
    from vectimus.analyser.programs import python_harness

    code, _ = python_harness.harness(kind, text)
    runs.analyse(an, cmd, code, "python", runs.display(an, path), True, path=path)


def module(an: Analysis, cmd: Cmd, name: str, operands: tuple[Word, ...]) -> bool:
    """``python -m nox|invoke|SCons|doit …``: the runner; False when ``name`` is none of them."""
    program = MODULES.get(name)
    if program is None:
        return False
    run(an, cmd.with_words([Word(program), *operands], via=f"python -m {name}"), program)
    return True


HANDLERS = {name: run for name in RUNNERS}
