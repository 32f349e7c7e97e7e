"""awk programs (POSIX awk, gawk, mawk): the statements that reach outside the stream.

A tokenizer that knows awk's strings, regular expressions (``/…/`` where an operand may start),
comments and line continuations, then the statements that run or touch something:
``system(cmd)``, ``print … | cmd`` (the command reads what is printed), ``cmd | getline``,
``print > file`` / ``>> file``, ``getline < file``, gawk's ``|&`` coprocesses and
``/inet/tcp/lport/host/rport`` sockets, and ``ENVIRON`` taken whole. Command and file names are
concatenations of strings and variables; a variable is known when every assignment gives it the
same constant (``-v``, ``BEGIN { cmd = "…" }``), anything else is a run-time value.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import UNKNOWN, Analysis, Cmd, Input, Word
from vectimus.analyser.languages import loads, record
from vectimus.model import ActionKind

_TOKEN = re.compile(r"""
    (?P<skip>[ \t\r]+|\\\r?\n|\#[^\n]*)
  | (?P<nl>\n)
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\|&|\|\||&&|>>|>=|<=|==|!=|\+\+|--|[-+*/%^]=|\*\*=?|!~|[|><!~?:,;{}()\[\]$=+\-*/%^&.@])
""", re.X)
_OPERAND_END = {"str", "num", "name", "regex"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "/": "/", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v"}
_INET = re.compile(r"^/inet[46]?/(tcp|udp)/([^/]*)/([^/]*)/([^/]*)$")
_STATEMENT_END = {";", "\n", "}", "{"}
_MUTATORS = {"+=", "-=", "*=", "/=", "%=", "^=", "**=", "++", "--"}
NOT_FILES = ("/dev/stdout", "/dev/stderr", "/dev/stdin", "-")
MAX_OPERAND = 256  # tokens of one command or file name expression followed (longer: unknown)


class Tok:
    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str) -> None:
        self.kind, self.text = kind, text

    def __repr__(self) -> str:
        return f"{self.kind}:{self.text}"


def tokens(text: str, an: Analysis) -> list[Tok]:
    """The program's tokens (``regex`` where a ``/`` starts an operand, else the ``/`` operator)."""
    out: list[Tok] = []
    failed: set[tuple[int, bool]] = set()
    pos = 0
    while pos < len(text):
        if len(out) % 256 == 0:
            an.tick(256)
            record.budget(an, "awk")
        prev = out[-1] if out else None
        operand_may_start = prev is None or not (prev.kind in _OPERAND_END or prev.text in (")", "]", "$")
                                                 or prev.text in ("++", "--"))
        if text[pos] == "/" and operand_may_start:
            end = _regex_end(text, pos + 1, failed)
            if end > 0:
                out.append(Tok("regex", text[pos:end]))
                pos = end
                continue
        m = _TOKEN.match(text, pos)
        if m is None:
            out.append(Tok("op", text[pos]))  # a stray byte: awk would reject it, nothing runs
            pos += 1
            continue
        pos = m.end()
        kind = m.lastgroup
        if kind == "skip":
            continue
        value = m.group()
        out.append(Tok("op" if kind == "nl" else kind or "op", value))
    return out


def _regex_end(text: str, pos: int, failed: set[tuple[int, bool]]) -> int:
    """The end of a ``/regex/`` whose body starts at ``pos`` (bracket expressions may hold ``/``),
    or -1 when the line ends first. ``failed`` holds the scan states already known to reach the
    end of a line, so the slashes of one long line are not each scanned to its end."""
    bracket = False
    seen: list[tuple[int, bool]] = []
    while pos < len(text):
        state = (pos, bracket)
        if state in failed:
            break
        seen.append(state)
        ch = text[pos]
        if ch == "\\":
            pos += 2
            continue
        if ch == "\n":
            break
        if bracket:
            if ch == "]":
                bracket = False
        elif ch == "[":
            bracket = True
            if text[pos + 1:pos + 2] == "]":
                pos += 1  # ``[]…]``: a leading ] is part of the set
        elif ch == "/":
            return pos + 1
        pos += 1
    failed.update(seen)
    return -1


def _string(literal: str) -> str:
    body = literal[1:-1]
    if "\\" not in body:
        return body
    return re.sub(r"\\([0-7]{1,3}|.)", lambda m: chr(int(m.group(1), 8)) if m.group(1)[0] in "01234567"
                  else _ESCAPES.get(m.group(1), "\\" + m.group(1)), body)


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record what the awk program ``code`` does besides reading and printing its stream."""
    if code.dynamic:
        record.evaluate(an, cmd, lang, code, "awk program")
        return
    start = len(an.actions)
    Program(an, cmd, tokens(code.text, an)).run()
    record.wire_sockets(an, start, cmd)


def assignments(cmd: Cmd) -> dict[str, Word]:
    """``-v name=value`` and ``--assign=name=value`` on the awk command line."""
    out: dict[str, Word] = {}
    words = cmd.words[1:]
    for i, word in enumerate(words):
        text = word.text
        value = None
        if text in ("-v", "--assign") and i + 1 < len(words):
            value = words[i + 1]
        elif text.startswith("-v") and len(text) > 2:
            value = Word(text[2:], word.dynamic)
        elif text.startswith("--assign="):
            value = Word(text[9:], word.dynamic)
        if value is not None and "=" in value.text:
            name, _, rest = value.text.partition("=")
            out[name] = Word(rest, value.dynamic, secret=value.secret)
    return out


class Program:
    """One tokenized awk program."""

    def __init__(self, an: Analysis, cmd: Cmd, toks: list[Tok]) -> None:
        self.an, self.cmd, self.toks = an, cmd, toks
        self.ends = self._statement_ends()
        self.consts: dict[str, Word | None] = {}
        self.consts = self._constants(assignments(cmd))
        self.sockets: set[str] = set()

    def _constants(self, given: dict[str, Word]) -> dict[str, Word | None]:
        """Variables with one constant value (None: assigned something unknown or several values)."""
        consts: dict[str, Word | None] = dict(given)
        toks = self.toks
        for i, tok in enumerate(toks):
            if tok.kind != "name":
                continue
            nxt = toks[i + 1].text if i + 1 < len(toks) else ""
            prev = toks[i - 1].text if i else ""
            if nxt == "=":
                end = self._statement_end(i + 2)
                span = self.span(i + 2, end)
                value = self._literal(span)
                if value is None and any(t.text == "ENVIRON" for t in span):  # f = ENVIRON["HOME"] "/x"
                    known = self.value(span)
                    value = None if known.dynamic else known
                old = consts.get(tok.text, value)
                consts[tok.text] = value if value is not None and old is not None and old == value else None
            elif nxt in _MUTATORS or prev in ("++", "--", "getline") or (prev == "(" and nxt == "in"):
                consts[tok.text] = None
        return consts

    def _literal(self, toks: list[Tok]) -> Word | None:
        """A concatenation of strings and numbers only, or None."""
        if not toks or any(t.kind not in ("str", "num") for t in toks):
            return None
        return Word("".join(_string(t.text) if t.kind == "str" else t.text for t in toks))

    def _statement_ends(self) -> list[int]:
        """For each token, where the statement or bracketed expression it is in ends (the first
        ``; newline { }`` at its own nesting level, or the bracket closing it), in one pass."""
        toks = self.toks
        ends = [len(toks)] * len(toks)
        levels: list[list[int]] = [[]]
        for i, tok in enumerate(toks):
            levels[-1].append(i)
            text = tok.text
            if text in ("(", "["):
                levels.append([])
            elif text in (")", "]"):
                closed = levels.pop() if len(levels) > 1 else levels[0]
                for j in closed:
                    ends[j] = i
                closed.clear()
            elif tok.kind == "op" and text in _STATEMENT_END:
                for j in levels[-1]:
                    ends[j] = i
                levels[-1].clear()
        return ends

    def _statement_end(self, i: int) -> int:
        return self.ends[i] if i < len(self.ends) else len(self.toks)

    def span(self, start: int, end: int) -> list[Tok]:
        """The tokens of an expression; one too long to follow is an unknown value."""
        if end - start > MAX_OPERAND:
            return [Tok("name", "")]
        return self.toks[start:end]

    def value(self, toks: list[Tok]) -> Word:
        """The value of a concatenation: strings, numbers, constant variables; the rest unknown."""
        parts: list[Word] = []
        skip = 0
        for k, tok in enumerate(toks):
            if skip:
                skip -= 1
                continue
            if tok.text == "ENVIRON" and [t.text for t in toks[k + 1:k + 2] + toks[k + 3:k + 4]] == ["[", "]"] \
                    and toks[k + 2].kind == "str":  # ENVIRON["HOME"]: the home; other variables unknown
                skip = 3
                name = _string(toks[k + 2].text)
                parts.append(Word(self.an.places.home) if name == "HOME" else Word(UNKNOWN, dynamic=True))
            elif tok.kind == "str":
                parts.append(Word(_string(tok.text)))
            elif tok.kind == "num":
                parts.append(Word(tok.text))
            elif tok.text in ("(", ")"):
                continue
            elif tok.kind == "name" and (const := self.consts.get(tok.text)) is not None:
                parts.append(const)
            elif not parts or parts[-1].text != UNKNOWN:
                parts.append(Word(UNKNOWN, dynamic=True))
        return record.join(parts) if parts else Word(UNKNOWN, dynamic=True)

    def _operand_before(self, i: int) -> list[Tok]:
        """The concatenation left of ``toks[i]`` (``"ls " dir | getline``)."""
        toks = self.toks
        j, depth = i, 0
        while j > 0 and i - j < MAX_OPERAND:
            t = toks[j - 1]
            if t.text == ")":
                depth += 1
            elif t.text == "(":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (t.kind == "op" and t.text not in ("$", "]", "[")):
                break
            j -= 1
        if i - j >= MAX_OPERAND:
            return [Tok("name", "")]  # too long to follow: an unknown value
        return toks[j:i]

    def _primary_after(self, i: int) -> tuple[list[Tok], int]:
        """One operand from ``toks[i]`` on (a string, a name, ``$x`` or a parenthesised list)."""
        toks = self.toks
        if i >= len(toks):
            return [], i
        if toks[i].text == "(":
            end = self._statement_end(i + 1)
            return self.span(i + 1, end), end + 1
        if toks[i].text == "$" and i + 1 < len(toks):
            return toks[i:i + 2], i + 2
        return toks[i:i + 1], i + 1

    # -- the statements -------------------------------------------------------------------------

    def run(self) -> None:
        toks = self.toks
        printed = 0  # a print statement's tokens are read once
        for i, tok in enumerate(toks):
            self.an.tick()
            text = tok.text
            nxt = toks[i + 1].text if i + 1 < len(toks) else ""
            if tok.kind == "str":
                self._inet(_string(text))
            elif tok.kind == "name" and text == "system" and nxt == "(":
                end = self._statement_end(i + 2)
                record.shell(self.an, self.cmd, self.value(self.span(i + 2, end)), "awk system()")
            elif tok.kind == "name" and text in ("print", "printf") and i >= printed:
                printed = self._statement_end(i + 1)
                self._print(i + 1)
            elif tok.kind == "op" and text in ("|", "|&") and nxt == "getline":
                command = self.value(self._operand_before(i))
                if not self._inet(command.text):
                    record.shell(self.an, self.cmd, command, f"awk {text} getline")
            elif tok.kind == "name" and text == "getline":
                j = i + 1
                if j < len(toks) and (toks[j].kind == "name" or toks[j].text == "$"):
                    j += 2 if toks[j].text == "$" else 1
                if j < len(toks) and toks[j].text == "<":
                    source, _ = self._primary_after(j + 1)
                    self._file("file_read", self.value(source))
            elif tok.kind == "name" and text == "ENVIRON" and (
                    (nxt != "[" and (toks[i - 1].text if i else "") != "in") or (nxt == "[" and self._any_key(i + 2))):
                # the whole array, or ENVIRON[k] for a k nobody knows (`for (k in ENVIRON)` alone
                # gives the names, which are not the values)
                record.environment_dump(self.an, self.cmd, "awk ENVIRON")
            elif text == "@" and tok.kind == "op" and i + 1 < len(toks):
                self._directive(i + 1)

    def _print(self, i: int) -> None:
        """``print … > file``, ``>> file``, ``| command``, ``|& coprocess`` (at the top level)."""
        end = self._statement_end(i)
        toks = self.toks
        depth = 0
        for j in range(i, end):
            text = toks[j].text
            if text in ("(", "["):
                depth += 1
            elif text in (")", "]"):
                depth -= 1
            elif depth == 0 and toks[j].kind == "op" and text in (">", ">>", "|", "|&"):
                target = self.value(self.span(j + 1, end))
                if text in (">", ">>"):
                    self._file("file_write", target)
                elif not self._inet(target.text, sends=True):
                    printed = self._literal(self.span(i, j))  # `print "rm -rf ~" | "sh"`
                    stdin = Input("pipe", None if printed is None else printed.text + "\n")
                    record.shell(self.an, self.cmd, target, f"awk print {text}", stdin=stdin)
                return
        if not self.cmd.stdout and self._shows_credential(i, end):
            record.shown(self.an, self.cmd, "awk print")

    def _shows_credential(self, i: int, end: int) -> bool:
        """Whether what ``print`` prints holds a credential-named ``ENVIRON["…"]`` as it is (not
        inside a function call such as ``length(…)``)."""
        from vectimus.analyser.facts.secrets import secret_name

        toks, calls = self.toks, []
        for j in range(i, end):
            text = toks[j].text
            if text == "(":
                calls.append(j > i and toks[j - 1].kind == "name")
            elif text == ")" and calls:
                calls.pop()
            elif text == "ENVIRON" and j + 3 < end and toks[j + 1].text == "[" and toks[j + 2].kind == "str" \
                    and toks[j + 3].text == "]" and not any(calls) and secret_name(_string(toks[j + 2].text)):
                return True
        return False

    def _any_key(self, i: int) -> bool:
        """Whether the subscript starting at ``toks[i]`` is a key nobody knows here."""
        end = self._statement_end(i)
        return self.value(self.span(i, end)).dynamic

    def _directive(self, i: int) -> None:
        """gawk's ``@include "f.awk"`` (the agent's file is read), ``@load "./x"`` (a shared library
        from a path: code nobody can read here) and ``@name(…)`` (the function a variable names)."""
        toks = self.toks
        word, arg = toks[i], toks[i + 1] if i + 1 < len(toks) else Tok("op", "")
        if word.text == "include" and arg.kind == "str":
            loads.follow(self.an, self.cmd, "awk", Word(_string(arg.text)), "awk @include", suffixes=("", ".awk"),
                         dirs=(self.an.target(Word("."), self.cmd.scope).path,))
        elif word.text == "load" and arg.kind == "str" and "/" in _string(arg.text):
            record.shell(self.an, self.cmd, Word(UNKNOWN, dynamic=True), "awk @load")  # native code
        elif word.kind == "name" and arg.text == "(":
            called = self.consts.get(word.text)
            if called is None or called.dynamic:  # it may be system() (gawk calls built-ins so too)
                record.shell(self.an, self.cmd, Word(UNKNOWN, dynamic=True), "awk @indirect call")
            elif called.text == "system":
                end = self._statement_end(i + 2)
                record.shell(self.an, self.cmd, self.value(self.span(i + 2, end)), "awk @system()")

    def _file(self, kind: ActionKind, word: Word) -> None:
        if word.text and (word.dynamic or word.text not in NOT_FILES) and not self._inet(word.text):
            record.file(self.an, self.cmd, kind, word)

    def _inet(self, text: str, sends: bool = False) -> bool:
        """A gawk network special file: record the socket it opens (once per name)."""
        m = _INET.match(text)
        if m is None:
            return False
        if text not in self.sockets:
            self.sockets.add(text)
            scheme, local, host, port = m.groups()
            listens = local not in ("", "0") and host in ("", "0")
            number = local if listens else port
            record.socket(self.an, self.cmd, Word(host), int(number) if number.isdigit() else 0,
                           scheme, listens=listens)
        return True
