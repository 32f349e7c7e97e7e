"""Files a command executes: read them, bounded and safely, and analyse their code as part of the call.

The hook runs on the machine before the command does, so what a script, a ``./x``, a sourced file,
a git hook or a make recipe will run can be read now. ``run_file`` reads the file (symlinks
resolved, at most ``MAX_FILE_BYTES``, never a FIFO, a device or ``/proc``), works out its language
(the runner's, else the shebang's, else the extension's; a text file run directly is a shell
script) and analyses it through ``Analysis.shell`` / ``Analysis.code``, with ``via`` naming the
file. Its actions carry ``context.code``: the file, and whether the agent wrote it in this session.
A file whose code cannot be analysed (a binary, too large, a language without an analyser, past a
limit) becomes one exec action with ``code.unread`` saying why; ``vectimus-codexec-006`` asks
before the agent runs such a file of its own, and files that came with the repository run.

A file written earlier in the same call is judged by what was written (``Analysis.pending``); one
written in an earlier call of the session is the agent's when the session ledger says so.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import posixpath

from vectimus.analyser.context import MAX_COMMAND_BYTES, Analysis, Cmd, Input, Scope, Unanalysable, Word, basename
from vectimus.model import Action, CodeFacts
from vectimus import world

MAX_FILE_BYTES = MAX_COMMAND_BYTES  # one file read to analyse it
MAX_FILES = 64                      # files read for one call
MAX_TEXT = 16 * 1024                # a file's text is handed on as a value only when this short
MAX_MATCHES = 16                    # files a pattern that runs may match (each is read)
MAX_TREE = 400                      # directories searched for what find -exec runs

# Interpreter program names -> language; versioned ones may end in a version (python3.12, lua5.4).
INTERPRETERS = {
    "python": ("python", True), "pypy": ("python", True), "node": ("node", False), "nodejs": ("node", False),
    "deno": ("typescript", False), "bun": ("typescript", False), "tsx": ("typescript", False),
    "ts-node": ("typescript", False), "ts-node-esm": ("typescript", False),
    "perl": ("perl", True), "ruby": ("ruby", True), "jruby": ("ruby", True), "php": ("php", True),
    "pwsh": ("powershell", False), "powershell": ("powershell", False), "lua": ("lua", True),
    "luajit": ("lua", False), "rscript": ("r", False), "r": ("r", False), "awk": ("awk", False), "gawk": ("awk", False),
    "mawk": ("awk", False), "nawk": ("awk", False),
}
# Shells whose scripts the bash grammar reads (busybox runs its ash); fish and csh/tcsh speak
# another language, so their scripts are not analysed as shell (programs.shells.SHELLS lists every shell).
BASH_READABLE = {"bash", "sh", "zsh", "dash", "ksh", "mksh", "ash", "rbash", "yash", "busybox"}
EXTENSIONS = {
    "py": "python", "pyw": "python", "js": "node", "mjs": "node", "cjs": "node", "jsx": "node",
    "ts": "typescript", "mts": "typescript", "cts": "typescript", "tsx": "typescript", "rb": "ruby", "rake": "ruby", "pl": "perl", "pm": "perl",
    "php": "php", "sh": "shell", "bash": "shell", "zsh": "shell", "ksh": "shell", "dash": "shell",
    "ps1": "powershell", "psm1": "powershell", "lua": "lua", "r": "r", "awk": "awk",
}
BINARY_MAGIC = (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xca\xfe\xba\xbe",
                b"MZ", b"\x00asm")
NOT_FILES = ("/proc/", "/sys/", "/dev/")
STDIN_FILES = ("-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")  # a script path that reads stdin


def interpreter_language(program: str) -> str | None:
    """The language interpreter ``program`` runs (``shell`` for shells), or None."""
    program = program.lower()
    if program in BASH_READABLE:
        return "shell"
    base = program.rstrip("0123456789.")
    lang, versioned = INTERPRETERS.get(base, (None, False))
    return lang if base == program or versioned else None


def display(an: Analysis, path: str) -> str:
    """How a file is named in ``via`` and in reasons: relative to the project, else ``~/…``, else absolute."""
    places = an.places
    project = places.project.rstrip("/") + "/"
    if path.startswith(project):
        return path[len(project):]
    home = places.home.rstrip("/") + "/"
    if path.startswith(home):
        return "~/" + path[len(home):]
    return path


def session(an: Analysis):
    """What the agent wrote earlier in its session (``vectimus.ledger``), loaded once per call."""
    found = an.memo.get("ledger")
    if found is None:
        from vectimus import ledger

        call = an.call
        found = an.memo["ledger"] = ledger.seen(an.env, call.agent, call.session_id, call.project_dir)
    return found


def agent_wrote_anything(an: Analysis) -> bool:
    """Whether the agent wrote any file in this call or earlier in its session (or may have)."""
    if an.pending:
        return True
    ledger = session(an)
    return bool(ledger.files) or ledger.unseen_since is not None or ledger.full


def by_agent(an: Analysis, path: str) -> bool:
    """Whether the agent wrote ``path`` in this call or earlier in its session."""
    return path in an.pending or session(an).wrote(path)


def read(an: Analysis, path: str) -> tuple[str | None, str]:
    """The text of the file at resolved ``path`` and "", or None and why it cannot be had.

    A missing file gives ``(None, "")``: nothing will run.
    """
    if path in an.pending:
        text = an.pending[path]
        if text is None:
            return None, "written by this call with content Vectimus cannot see"
        return decode(text.encode("utf-8", "surrogateescape"))
    return read_on_disk(an, path)


def read_on_disk(an: Analysis, path: str) -> tuple[str | None, str]:
    """``read``, of what the file holds now whatever this call writes to it (the text an edit applies to)."""
    if path.startswith(NOT_FILES):
        return None, "not a regular file"
    kept = an.memo.setdefault("read", {})  # (a file read again in one call, a workspace's package.json)
    if path in kept:
        return kept[path]
    if len(kept) >= MAX_FILES:
        return None, f"more than {MAX_FILES} files to read for one call"
    try:
        data = world.read(path, MAX_FILE_BYTES)
    except (FileNotFoundError, ValueError):  # ValueError: a NUL byte, which no file name holds
        if an.unseen_writes:
            return None, "written by this call at a path Vectimus cannot resolve"
        return None, ""  # (no file: not counted)
    except world.NotRegular:
        found: tuple[str | None, str] = (None, "not a regular file")
    except OSError as exc:
        found = (None, f"cannot be read ({exc.strerror})")
    else:
        found = decode(data)
    kept[path] = found
    return found


def input_text(an: Analysis, stdin: Input, scope: Scope) -> str | None:
    """The text a command reads on its standard input when known: a heredoc, a here-string, a known
    stage piped in, or a small file a ``<`` redirect names (not a secret one)."""
    if stdin.text is not None:
        return stdin.text
    if stdin.kind == "file" and stdin.path and not stdin.secret:
        return small_text(an, Word(stdin.path), scope)
    return None


def small_text(an: Analysis, word: Word, scope: Scope) -> str | None:
    """The text of the small file ``word`` names as the command will find it (this call's own
    writes first), or None: missing, large, binary, unreadable, or a secret."""
    facts = an.target(word, scope)
    if not facts.path.startswith("/") or facts.is_secret or facts.is_glob:  # relative: the directory is unknown
        return None
    text, _ = read(an, facts.path)
    return text if text is not None and len(text) <= MAX_TEXT else None


def _binary(data: bytes) -> bool:
    return data.startswith(BINARY_MAGIC) or b"\x00" in data[:8192]


def source(an: Analysis, cmd: Cmd, path: str) -> tuple[str, str, bool] | None:
    """A file a program reads its instructions from (a Makefile, a package.json …): its text, how it
    is named and whether the agent wrote it; None when it is missing or unreadable (recorded)."""
    text, why = read(an, path)
    label, mine = display(an, path), by_agent(an, path)
    if text is None:
        if why:
            unread(an, cmd, path, label, mine, why)
        return None
    return text, label, mine


def source_once(an: Analysis, cmd: Cmd, path: str, seen: set[str], limit: int, what: str):
    """``source`` of one of the files a build reads in turn (includes, modules): None when it was
    read already, and past ``limit`` files the rest are unread (``what`` names them)."""
    if path in seen:
        return None
    if len(seen) >= limit:
        unread(an, cmd, path, display(an, path), by_agent(an, path), f"one of more than {limit} {what}")
        return None
    seen.add(path)
    return source(an, cmd, path)


def parsed(an: Analysis, cmd: Cmd, path: str, parse):
    """``source`` of a settings file, and ``parse(text)`` of it: (data, label, mine), or None when
    it is missing or unreadable, or ``parse`` raises Unanalysable (recorded unread)."""
    found = source(an, cmd, path)
    if found is None:
        return None
    text, label, mine = found
    try:
        return parse(text), label, mine
    except Unanalysable as exc:
        unread(an, cmd, path, label, mine, str(exc))
        return None


# YAML text -> its data, marshalled (each call gets its own copy): a function of the text alone,
# kept for the evaluator's next calls (a Taskfile is read again each time a task runs).
_YAML: dict[str, bytes] = {}
MAX_YAML = 8


def yaml_data(text: str, what: str):
    """YAML ``text`` as data (PyYAML's safe loader, in C when it has it); Unanalysable when it is not YAML."""
    import marshal

    kept = _YAML.get(text)
    if kept is not None:
        return marshal.loads(kept)
    import yaml

    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise Unanalysable(f"{what} that is not valid YAML ({str(exc).splitlines()[0][:60]})") from None
    try:
        kept = marshal.dumps(data)
    except (ValueError, RecursionError):  # a date, or nested too deep: not kept
        return data
    while len(_YAML) >= MAX_YAML:
        del _YAML[next(iter(_YAML))]
    _YAML[text] = kept
    return data


def decode(data: bytes) -> tuple[str | None, str]:
    """File bytes as text, or None and why they are not analysable text."""
    if _binary(data):
        return None, "a binary"
    if len(data) > MAX_FILE_BYTES:
        return None, f"larger than {MAX_FILE_BYTES // 1024} KB"
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        return None, "not UTF-8 text"


def language(path: str, text: str, runner: str = "") -> tuple[str | None, str]:
    """The language a file runs in and "", or None and the interpreter Vectimus has no analyser for.

    ``runner`` is the language of the program that runs it (``python3 x`` runs Python whatever
    ``x`` is called); a file run directly is what its shebang says, else what its extension says,
    else a shell script (the kernel refuses it and the shell runs it).
    """
    if runner:
        return runner, ""
    if text.startswith("#!"):
        name = shebang(text)
        lang = interpreter_language(name)
        return (lang, "") if lang else (None, name or "an empty #! line")
    ext = posixpath.splitext(path)[1].lstrip(".").lower()
    return EXTENSIONS.get(ext, "shell"), ""


def shebang(text: str) -> str:
    """The interpreter a ``#!`` line names (``#!/usr/bin/env -S python3 -u`` -> ``python3``)."""
    words = text[2:].split("\n", 1)[0].split()
    if words and basename(words[0]) == "env":
        words = words[1:]
        while words and (words[0].startswith("-") or "=" in words[0]):
            skip = 2 if words[0] in ("-u", "--unset", "-C", "--chdir") else 1
            words = words[skip:]
    return basename(words[0]) if words else ""


def run_file(an: Analysis, cmd: Cmd, word: Word, *, runner: str = "", args: tuple[Word, ...] = (),
             label: str = "", sourced: bool = False) -> bool:
    """Analyse the file ``word`` names, which ``cmd`` runs (in language ``runner``, or as the file says).

    ``args`` are its positional parameters. A ``sourced`` shell file runs in the caller's shell:
    the variables, functions and directory it sets stay set (a secret file's values excepted).
    Returns True when the file itself is unknown (an unresolved path), which the caller reports
    as dynamic.
    """
    if word.dynamic or not word.text:
        return word.dynamic
    target = an.target(word, cmd.scope)
    path = target.path
    if word.glob:  # `bash ./*.sh`, `find … -exec sh {} \;`: every file the pattern matches may run
        matches = _matches(path)
        if matches is None:
            unread(an, cmd, path, display(an, path), True,
                   f"a pattern matching more than {MAX_MATCHES} files, or too large a tree to search")
            return False
        for match in matches:
            if not an.target(Word(match), cmd.scope).is_system:
                run_file(an, cmd, Word(match), runner=runner, args=args, label=label, sourced=sourced)
        return False
    if not path.startswith("/") or target.is_vectimus:
        return False  # Vectimus's own installation runs as installed (and is protected)
    text, why = read(an, path)
    if text is None and not why:
        return False  # no such file: nothing runs
    name = label or display(an, path)
    mine = by_agent(an, path) or why.startswith("written by this call")
    _secret_operands(an, cmd, args)
    if text is None:
        unread(an, cmd, path, name, mine, why)
        return False
    lang, unknown = language(path, text, runner)
    if lang is None:
        unread(an, cmd, path, name, mine, f"a {unknown} script, which Vectimus cannot analyse")
        return False
    running = an.memo.setdefault("running", set())
    if path in running:
        return False  # it runs itself: what it does is being recorded already
    running.add(path)
    try:
        if sourced and lang == "shell" and not target.is_secret:
            _in_caller(an, cmd, text, name, mine, path, args)
        else:
            analyse(an, cmd, text, lang, name, mine, path=path, positional=(Word(path), *args))
    finally:
        running.discard(path)
    return False


def _in_caller(an: Analysis, cmd: Cmd, text: str, name: str, mine: bool, path: str, args: tuple[Word, ...]) -> None:
    """Shell code sourced by ``cmd``, analysed in the caller's own scope (``source .venv/bin/activate``
    puts the environment's bin directory first on PATH for what follows); given arguments are its
    positional parameters while it runs."""
    scope = cmd.scope
    kept = scope.positional
    scope.vars.pop("BASH_SOURCE[@]", None)  # the sourced file's name, then its functions': unknown from here
    if args:
        scope.positional = (Word(path), *args)
    start = len(an.actions)
    try:
        an.shell(Word(text), cmd, name, scope=scope)
    except Unanalysable as exc:
        attribute(an, start, display(an, path), mine)
        unread(an, cmd, path, name, mine, str(exc))
        return
    finally:
        scope.positional = kept
    attribute(an, start, display(an, path), mine)


def _matches(pattern: str) -> list[str] | None:
    """The files a shell pattern (or find's ``start/**/name``) matches, sorted; None past
    MAX_MATCHES files or MAX_TREE directories searched."""
    if "/**/" not in pattern:
        found = world.glob(pattern, limit=MAX_MATCHES + 1)
    else:
        root, _, name = pattern.partition("/**/")
        if not root or "/" in name or glob.has_magic(root):
            return None
        found, searched = [], 0
        for folder, _, files in world.walk(root):
            searched += 1
            if searched > MAX_TREE:
                return None
            found += [os.path.join(folder, f) for f in files if fnmatch.fnmatchcase(f, name)]
            if len(found) > MAX_MATCHES:
                return None
    return sorted(found) if len(found) <= MAX_MATCHES else None


def analyse(an: Analysis, cmd: Cmd, text: str, lang: str, name: str, mine: bool, *, path: str = "",
            positional: tuple[Word, ...] | None = None) -> None:
    """Analyse ``text`` (code from the file ``name``) in ``lang`` as part of ``cmd``.

    What it does is attributed to the file (``context.code``); when the code is past a limit or
    has no analyser, the file is unread instead, and the call goes on.
    """
    start = len(an.actions)
    try:
        if lang == "shell":  # ${BASH_SOURCE[0]}: the script bash runs (a sourced file's is unknown)
            known = (("BASH_SOURCE[@]", Word(path)),) if path else ()
            an.shell(Word(text), cmd._replace(env=(*cmd.env, *known)), name, positional=positional)
        elif _supported(lang):
            an.code(lang, Word(text), cmd, name)
        else:
            unread(an, cmd, path, name, mine, f"{lang} code, which Vectimus cannot analyse")
            return
    except Unanalysable as exc:
        attribute(an, start, display(an, path) if path else name, mine)
        unread(an, cmd, path, name, mine, str(exc))
        return
    if len(an.actions) > start:
        attribute(an, start, display(an, path) if path else name, mine)


def _supported(lang: str) -> bool:
    from vectimus.analyser import languages  # imported when a file in another language runs

    return languages.supported(lang)


def attribute(an: Analysis, start: int, name: str, mine: bool) -> None:
    """Mark the actions from ``start`` on as coming from the file ``name`` (unless a file they ran already is)."""
    facts = _FACTS.get((name, mine))
    if facts is None:
        if len(_FACTS) >= MAX_FACTS:
            _FACTS.clear()
        facts = _FACTS[(name, mine)] = CodeFacts(file=name, by_agent=mine)
    actions = an.actions
    for i in range(start, len(actions)):
        action = actions[i]
        if not action.code.file:
            actions[i] = action.coded(facts, action.deferred)


# (file, by the agent) -> its CodeFacts: a make run attributes each recipe line's actions to its
# target (the same few each time), and a record equal by value serves every call.
_FACTS: dict[tuple[str, bool], CodeFacts] = {}
MAX_FACTS = 1024


def unread(an: Analysis, cmd: Cmd, path: str, name: str, mine: bool, why: str) -> None:
    """Record that ``cmd`` runs the file ``name`` whose code Vectimus could not analyse, and why."""
    program = basename(path or name)
    an.add(Action(kind="exec", resource=program, program=program, program_path=path, via=(*cmd.via, name),
                  raw=cmd.raw, code=CodeFacts(file=display(an, path) if path else name, by_agent=mine,
                                               unread=why)))


def _secret_operands(an: Analysis, cmd: Cmd, args: tuple[Word, ...]) -> None:
    """A secret file handed to a script as an argument is read by the call (``./show.sh .env``)."""
    for word in args:
        if word.dynamic or word.text.startswith("-") or not word.text:
            continue
        facts = an.target(word, cmd.scope)
        if facts.is_secret and facts.exists:
            an.file("file_read", word, cmd, program=basename(cmd.words[0].text) if cmd.words else "")
