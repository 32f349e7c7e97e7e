"""What a file or the standard input that code reads holds, when the hook can know it now.

Code that splices what it reads into a command (``os.system("wc -l " + open(p).read())``) runs
what the file holds. A file in the project, or one the agent wrote in this session, is read as
``runs`` reads a script (symlinks resolved, size-bounded, never a FIFO or a device) and its text
is the value. It stays unknown when it is a secret, outside the project and not the agent's, missing,
too large, or not what the session ledger says the agent wrote (a write Vectimus could not see, or
one still to come). A file this call writes may hold either text when the code runs: both are the
value. The standard input is known when the shell gives it: a heredoc or here-string, constant text
piped in, or a ``<`` redirect from a file known as above.
Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser import runs
from vectimus.analyser.context import MAX_WORDS, Analysis, Cmd, Word
from vectimus.analyser.languages.values import SECRET, Val, alts, const, options, unknown, words


class Unread(str):
    """The description of a file's contents not known here, naming the file (``path``, a Val): data
    a loader runs code from (``pickle.loads(open(p, "rb").read())``) is judged by that file."""

    path: Val


def read_from(path: Val) -> Unread:
    found = Unread("file contents")
    found.path = path
    return found


def file_text(an: Analysis, cmd: Cmd, path: Val, taint: int = 0) -> Val:
    """The text of the file ``path`` names (one value per path it may be), else unknown."""
    found: list[Val] = []
    for word in words(path, path=True)[:8]:
        text = None if word.dynamic else _text(an, cmd, word)
        if text is None:
            return unknown(read_from(path), taint)
        found.extend(const(t, taint) for t in text)
    return alts(found) if found else unknown(read_from(path), taint)


def file_word(an: Analysis, cmd: Cmd, word: Word) -> str | None:
    """The text of the file ``word`` names, when it is one text known now (the tree-sitter languages)."""
    text = None if word.dynamic else _text(an, cmd, word)
    return text[0] if text is not None and len(text) == 1 else None


def stdin_text(an: Analysis, cmd: Cmd) -> Val:
    """What the code reads on its standard input, when the shell gives it known text."""
    stdin = cmd.stdin
    if stdin.secret:
        return unknown("standard input", SECRET)
    if stdin.text is not None:
        return const(stdin.text)
    if stdin.kind == "file" and stdin.path:
        return file_text(an, cmd, const(stdin.path))
    return unknown("standard input")


def lines(v: Val) -> Val:
    """Any one line of known text, newline kept (``readline``, ``input``: which line depends on
    what was read before, and a loop reads each); unknown past MAX_WORDS lines."""
    out: list[Val] = []
    for o in options(v):
        if o.kind != 0 or not isinstance(o.value, str):
            return unknown("a line", o.taint)
        found = o.value.splitlines(keepends=True) or [""]
        if len(found) > MAX_WORDS:
            return unknown("a line", o.taint)
        out.extend(const(x, o.taint) for x in found)
    return alts(out)


def _text(an: Analysis, cmd: Cmd, word: Word) -> list[str] | None:
    """The texts the file at ``word`` may hold when the code runs, or None when unknown here."""
    facts = an.target(word, cmd.scope)
    path = facts.path
    if not path or facts.is_secret or facts.is_dir:
        return None
    ledger = runs.session(an)
    entry = ledger.entry(path)
    if entry is None and (ledger.wrote(path) or not facts.in_project):
        return None  # changed in a way Vectimus could not see, or not the project's
    disk, why = runs.read_on_disk(an, path)
    if why or (disk is not None and entry is not None and entry[0] != _digest(disk)):
        return None
    if path not in an.pending:
        return None if disk is None else [disk]
    written, why = runs.read(an, path)  # this call writes it too: before or after, either may be read
    if written is None:
        return None
    return [written] if disk is None or written == disk else [disk, written]


def _digest(text: str) -> str:
    from vectimus.ledger import digest

    return digest(text)
