"""What a simple command prints, when that is known before it runs: constants (``echo``,
``printf``, ``base64 -d`` of one; a ``%s`` format, ``dirname`` and ``basename``: ``text_printers``),
a small file's text (``cat notes.txt``, ``read P < p.txt``), where a program is found (``which rm``,
``command -v rm``), the names ``ls`` lists (``for t in $(ls tests)`` runs each file it lists) and the
paths a simple ``find`` prints, the repository's top directory (``git rev-parse --show-toplevel``)
and pure text filters over a known input (``rev``, ``tr``). A command substitution or a pipe stage
that prints a known text hands it on as a word or an input, so ``$(rev <<< mr) -rf ~`` runs ``rm``.
Anything else prints what Vectimus cannot know (None).
Standard library only: used on the hot path.
"""

from __future__ import annotations

import binascii  # base64 as base64.b64encode/b64decode(validate=True) do it, without the module
import os
import posixpath

from vectimus import paths
from vectimus.analyser import pathnames, runs
from vectimus.analyser.context import Analysis, Input, Scope, Word, basename
from vectimus.analyser.expand import ansi_c
from vectimus import world

# The programs ``printed`` knows.
PRINTERS = frozenset(("echo", "printf", "cat", "base64", "pwd", "mktemp", "uname", "which", "command", "type",
                      "git", "rev", "tr", "ls", "find", "dirname", "basename", "date"))
MAX_LISTED = 64  # names ``ls`` lists; past it, what it prints is unknown


def printed(an: Analysis, words: list[Word], scope: Scope, stdin: Input, consumed: bool) -> str | None:
    """What the command ``words`` prints when it is known; files are read only when what it prints
    is ``consumed`` (piped, substituted or redirected), never a secret file."""
    if not words:
        return None
    name = basename(words[0].text) if "/" in words[0].text else words[0].text
    if name not in PRINTERS:
        return None
    for word in words:
        if word.dynamic:
            return None
    args = [w.text for w in words[1:]]
    if name == "echo":
        text = " ".join(a for a in args if a not in ("-n", "-e", "-E"))
        return ansi_c(text) if "-e" in args else text
    if name == "printf" and len(args) == 1 and "%" not in args[0]:
        return ansi_c(args[0])
    if name in ("printf", "dirname", "basename", "date"):  # a %s format, a path's parts, a time stamp
        from vectimus.analyser import text_printers

        return getattr(text_printers, name)(args)
    if name == "cat":
        return _cat(an, words[1:], scope, stdin, consumed)
    if name == "ls":
        return _ls(an, words[1:], scope) if consumed else None
    if name == "find":  # the paths a simple find prints (``find . -name x | xargs rm``)
        from vectimus.analyser import find_listing

        return find_listing.listed(an, words[1:], scope) if consumed else None
    given = runs.input_text(an, stdin, scope) if consumed or stdin.text is not None else None
    if name == "base64" and given is not None and set(args) & {"-d", "--decode", "-D"}:
        try:  # `echo cm0gLXJmIC8= | base64 -d | sh`
            return binascii.a2b_base64("".join(given.split()), strict_mode=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
    if name == "rev" and not args and given is not None:
        return "\n".join(line[::-1] for line in given.split("\n"))
    if name == "tr" and given is not None:
        return _tr(args, given)
    if name in ("which", "command", "type"):
        return _found(an, name, args, scope)
    if name == "git" and args == ["rev-parse", "--show-toplevel"] and not scope.cwd_dynamic:
        return _top(scope.places.cwd)
    if name == "pwd" and args in ([], ["-L"], ["-P"]) and not scope.cwd_dynamic:
        return world.realpath(scope.places.cwd) if args == ["-P"] else scope.places.cwd
    if name == "mktemp":  # a fresh name: in the temp dir, or from a template
        from vectimus.analyser import text_printers

        return text_printers.mktemp(args, an.env.get("TMPDIR"))
    if name == "uname" and args in ([], ["-s"]):  # the system the hook runs on is the command's
        return os.uname().sysname
    return None


def _cat(an: Analysis, operands: list[Word], scope: Scope, stdin: Input, consumed: bool) -> str | None:
    """``cat`` of its input or of small files (``-`` is the input); an option: unknown."""
    if not operands:
        return runs.input_text(an, stdin, scope) if consumed or stdin.text is not None else None
    if not consumed or any(w.text.startswith("-") and w.text != "-" for w in operands):
        return None
    parts = []
    for word in operands:
        text = runs.input_text(an, stdin, scope) if word.text == "-" else runs.small_text(an, word, scope)
        if text is None:
            return None
        parts.append(text)
    return "".join(parts)


def _ls(an: Analysis, words: list[Word], scope: Scope) -> str | None:
    """What ``ls`` prints into a pipe, one name a line: a directory's entries (``-A``/``-a``: its
    dot files too; ``-d``: the directory's own name), this call's own new files included, or a
    file's name as written. Unknown: what a credential directory holds (on disk or not: which key
    a name is, ``~/.ssh/$f``, stays unknown), several directories, another option, more than
    MAX_LISTED names."""
    options = {w.text for w in words if w.text.startswith("-")}
    if options - {"-1", "-A", "-a", "-d"} or scope.cwd_dynamic:
        return None
    operands = pathnames.expanded(an, [w for w in words if not w.text.startswith("-")], scope, MAX_LISTED)
    if operands is None or any(w.glob for w in operands):
        return None
    listed = [(w.text, an.target(w, scope).path) for w in operands or [Word(".")]]
    folders = [] if "-d" in options else [path for _, path in listed if world.isdir(path)]
    if len(folders) > 1 or folders and len(listed) > 1:
        return None
    missing = {path for _, path in listed if not (world.lexists(path) or path in an.pending)}
    if any(not path for _, path in listed) or any(paths.is_secret_path(p + "/x", scope.places.home)
                                                  for p in (*folders, *missing)):
        return None  # which credential file a name is stays unknown, on disk or not
    if not folders:
        return "\n".join(text for text, path in listed if path not in missing)
    folder = posixpath.normpath(folders[0])
    try:
        names = set(world.listdir(folder))
    except OSError:
        return None
    names.update(posixpath.basename(p) for p in an.pending if posixpath.dirname(p) == folder)
    if "-a" in options:
        names.update((".", ".."))
    elif "-A" not in options:
        names = {n for n in names if not n.startswith(".")}
    return "\n".join(sorted(names)) if len(names) <= MAX_LISTED else None


def _found(an: Analysis, name: str, args: list[str], scope: Scope) -> str | None:
    """Where ``which NAME`` / ``command -v NAME`` / ``type -P NAME`` finds a program: the first
    executable on the command's PATH, else the name itself (what runs is then a program by that name)."""
    wanted = args[1:] if (name == "command" and args[:1] == ["-v"]) or (name == "type" and args[:1] in (["-P"], ["-p"])) \
        else args if name == "which" else []
    if len(wanted) != 1 or wanted[0].startswith("-"):
        return None
    program = wanted[0]
    if "/" in program:
        return program
    path = scope.vars.get("PATH")
    folders = path.text if path is not None and not path.dynamic else an.env.get("PATH", "")
    for folder in folders.split(":"):
        candidate = f"{folder.rstrip('/') or '.'}/{program}"
        if folder and world.executable(candidate) and not world.isdir(candidate):
            return candidate
    return program


def _top(cwd: str) -> str | None:
    """The top directory of the git work tree holding ``cwd``, or None when there is none."""
    folder = cwd.rstrip("/") or "/"
    for _ in range(64):
        if world.exists(f"{folder}/.git"):
            return folder
        if folder == "/":
            return None
        folder = os.path.dirname(folder)
    return None


def _tr(args: list[str], text: str) -> str | None:
    """``tr SET1 SET2`` and ``tr -d SET`` with plain characters, escapes and ranges; other forms: None."""
    if len(args) == 2 and args[0] == "-d":
        drop = _set(args[1])
        return None if drop is None else "".join(c for c in text if c not in drop)
    if len(args) != 2 or args[0].startswith("-"):
        return None
    source, target = _set(args[0]), _set(args[1])
    if not source or not target:
        return None
    target += target[-1] * (len(source) - len(target))
    table: dict[int, str] = {}
    for a, b in zip(source, target):
        table.setdefault(ord(a), b)
    return text.translate(table)


def _set(spec: str) -> str | None:
    """The characters of a ``tr`` set: ``a-z``, ``\\n``, plain characters; a class or repeat: None."""
    if "[" in spec:
        return None
    chars = ansi_c(spec) if "\\" in spec else spec
    out: list[str] = []
    i = 0
    while i < len(chars):
        if i + 2 < len(chars) and chars[i + 1] == "-" and chars[i] <= chars[i + 2]:
            out.extend(chr(c) for c in range(ord(chars[i]), ord(chars[i + 2]) + 1))
            i += 3
        else:
            out.append(chars[i])
            i += 1
    return "".join(out)
