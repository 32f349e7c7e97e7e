"""``go generate``: the commands the ``//go:generate`` directives of a package's Go files run.

go generate scans the ``.go`` files of the packages it is given (``.`` by default, ``./...`` for
every package below, or the files named) for lines that begin ``//go:generate``, and runs each as
a program with its arguments — words split on spaces, Go-quoted strings one word, ``$GOFILE``,
``$GOLINE``, ``$GOPACKAGE``, ``$DOLLAR`` and environment variables expanded, ``-command NAME …``
defining a name for later lines of the file — in the package's directory, by no shell. Those
commands are analysed as part of the call, attributed to the file. The search is bounded; past
it, what the agent may have written there is unread.
Standard library only: imported when ``go`` runs.
"""

from __future__ import annotations

import os
import re
import shlex

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.programs import packages
from vectimus import world

VALUE = argv.opts("-run -skip -o -tags -ldflags -gcflags -mod -modfile -p -C -overlay -pkgdir -toolexec")
MAX_DIRS = runs.MAX_TREE     # directories searched for one command
MAX_GO_FILES = 2000          # Go files scanned for directives for one command
DIRECTIVE = b"//go:generate"
_WORD = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|\S+')
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """``go generate [flags] [packages | files]``; other ``go`` commands are package commands."""
    words = list(cmd.words[1:])
    head = argv.parse(words, VALUE, stop_at_operand=True)
    if not head.operands or head.operands[0].text != "generate":
        packages.run(an, cmd, name)
        if head.operands and head.operands[0].text in ("run", "test", "build", "install"):  # code they compile to run
            from vectimus.analyser.programs import compiled_code

            at = words.index(head.operands[0])
            compiled_code.go(an, cmd.moved(head.all("C")), head.operands[0].text, words[at + 1:])
        return
    cmd = cmd.moved(head.all("C"))
    p = argv.parse(words[words.index(head.operands[0]) + 1:], VALUE)
    if p.has("n", "help", "h"):
        return  # -n prints the commands, runs none
    targets = p.operands or [Word(".")]
    if any(w.dynamic for w in targets):
        runs.unread(an, cmd, "", "go generate", runs.agent_wrote_anything(an), "packages named by an unknown value")
        return
    files, complete = _files(an, cmd, targets)
    if not complete:
        runs.unread(an, cmd, "", "go generate", runs.agent_wrote_anything(an),
                    f"more than {MAX_GO_FILES} Go files or {MAX_DIRS} directories to search for directives")
    for path in files:
        _directives(an, cmd, path)


def _files(an: Analysis, cmd: Cmd, targets: list[Word]) -> tuple[list[str], bool]:
    """The Go files go generate scans for ``targets``, and whether the search was complete."""
    found: list[str] = []
    dirs = 0
    for word in targets:
        text = word.text
        recursive = text.endswith("/...") or text == "..."
        target = an.target(Word(text[:-4] or "." if recursive else text), cmd.scope)
        if target.path.endswith(".go") and not target.is_dir:
            found.append(target.path)
            continue
        if not target.is_dir:
            continue  # an import path of a package elsewhere: not the project's files
        for folder, subdirs, names in world.walk(target.path):
            dirs += 1
            if dirs > MAX_DIRS:
                return found, False
            subdirs[:] = sorted(d for d in subdirs if recursive and not d.startswith((".", "_"))
                                and d not in ("testdata", "vendor"))
            found += [os.path.join(folder, n) for n in sorted(names) if n.endswith(".go")]
            if len(found) > MAX_GO_FILES:
                return found[:MAX_GO_FILES], False
    pending = [p for p in an.pending if p.endswith(".go") and p not in found
               and any(os.path.dirname(p) == os.path.dirname(f) for f in found)]
    return found + pending, True


def _has_directive(an: Analysis, path: str) -> bool:
    """Whether the file at ``path`` (as this call leaves it) may hold a directive, read cheaply."""
    if path in an.pending:
        text = an.pending[path]
        return text is None or DIRECTIVE.decode() in text
    try:
        return DIRECTIVE in world.read(path, runs.MAX_FILE_BYTES)
    except (OSError, ValueError):
        return False


def _directives(an: Analysis, cmd: Cmd, path: str) -> None:
    """Analyse what the directives of the Go file at ``path`` run."""
    if not _has_directive(an, path):
        return
    found = runs.source(an, cmd, path)
    if found is not None:
        directives(an, cmd, path, *found)


def directives(an: Analysis, cmd: Cmd, path: str, text: str, label: str, mine: bool) -> None:
    """Analyse what the directives in ``text``, the Go file at ``path``, run."""
    package = re.search(r"^package\s+(\w+)", text, re.M)
    values = {"GOFILE": os.path.basename(path), "GOPACKAGE": package.group(1) if package else "", "DOLLAR": "$",
              "GOOS": an.env.get("GOOS", "linux"), "GOARCH": an.env.get("GOARCH", "amd64")}
    aliases: dict[str, list[str]] = {}
    lines = [f"cd {shlex.quote(os.path.dirname(path))}"]
    for number, line in enumerate(text.split("\n"), 1):
        if not line.startswith("//go:generate ") and not line.startswith("//go:generate\t"):
            continue
        words = [_expand(w, {**values, "GOLINE": str(number)}, an.env) for w in _WORD.findall(line[14:])]
        if words[:1] == ["-command"] and len(words) > 2:
            aliases[words[1]] = words[2:]
            continue
        if words and words[0] in aliases:
            words = aliases[words[0]] + words[1:]
        if words:
            lines.append(" ".join(words))
    if len(lines) > 1:
        runs.analyse(an, cmd, "\n".join(lines), "shell", f"{label}:go:generate", mine, path=path)


def _expand(word: str, values: dict[str, str], env) -> str:
    """One directive word as shell text: unquoted (a Go string is one word), variables expanded;
    a variable nobody set is an unknown value."""
    if word.startswith('"') and word.endswith('"') and len(word) > 1:
        try:
            import ast

            word = ast.literal_eval(word)  # Go's and Python's double-quoted escapes agree on what matters here
        except (ValueError, SyntaxError):
            return '"${GO_UNKNOWN}"'
    elif word.startswith("`") and word.endswith("`") and len(word) > 1:
        word = word[1:-1]
    out, at = [], 0
    for match in _VARIABLE.finditer(word):
        out.append(shlex.quote(word[at:match.start()]) if match.start() > at else "")
        key = match.group(1) or match.group(2)
        value = values.get(key, env.get(key))
        out.append(shlex.quote(value) if value is not None else '"${GO_UNKNOWN}"')
        at = match.end()
    out.append(shlex.quote(word[at:]) if at < len(word) else "")
    return "".join(out) or "''"


HANDLERS = {"go": run}
