"""GNU sed scripts: the commands that reach outside the stream.

``e COMMAND`` and the ``s///e`` flag run shell commands, ``w FILE`` / ``W FILE`` and the ``s///w
FILE`` flag write files, ``r FILE`` / ``R FILE`` read them. The script is read command by command
(addresses, ``{}`` blocks, ``a``/``i``/``c`` text, ``y``, labels, ``s`` with any delimiter), so a
``w`` inside a regular expression or replacement is text, not a write. What ``e`` runs without an
argument, or ``s///e`` runs when the replacement keeps part of the input line, is the input: code
nobody can read here. ``--sandbox`` refuses all of these, so a sandboxed script does nothing outside.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import UNKNOWN, Analysis, Cmd, Unanalysable, Word
from vectimus.analyser.languages import record
from vectimus.model import ActionKind

NOT_FILES = ("/dev/stdout", "/dev/stderr", "/dev/stdin")
_NO_ARGS = set("=dDgGhHnNpPxzF{}")  # commands without an argument (l and L take an optional number)
_TEXT = set("aic")                  # a/i/c: text to the end of the line
_FILE = set("rRwW")                 # a file name to the end of the line
_LABEL = set(":btTv")               # a label (or version) up to ; or the end of the line
_REFS = re.compile(r"\\[0-9&]|&")
_WHOLE_LINE = {".*", "^.*", ".*$", "^.*$", "^\\(.*\\)$", "^(.*)$", "\\(.*\\)", "(.*)"}


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record what the sed script ``code`` does besides editing its stream."""
    if code.dynamic:
        record.evaluate(an, cmd, lang, code, "sed script")
        return
    Script(an, cmd, code.text).run()


class Script:
    """One sed script, read left to right."""

    def __init__(self, an: Analysis, cmd: Cmd, text: str) -> None:
        self.an, self.cmd, self.text, self.pos = an, cmd, text, 0

    def run(self) -> None:
        text = self.text
        while self.pos < len(text):
            self.an.tick()
            if self.an.nodes % 256 == 0:
                record.budget(self.an, "sed")
            self.skip(" \t\n;}{")
            if self.pos >= len(text):
                break
            if text[self.pos] == "#":
                self.rest_of_line()
                continue
            self.address()
            self.skip(" \t")
            if self.pos < len(text) and text[self.pos] == "!":
                self.pos += 1
                self.skip(" \t")
            if self.pos >= len(text):
                break
            self.command(text[self.pos])

    # -- pieces ---------------------------------------------------------------------------------

    def skip(self, chars: str) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1

    def rest_of_line(self) -> str:
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        line, self.pos = self.text[self.pos:end], end
        return line

    def delimited(self, delim: str) -> str:
        """Text up to an unescaped ``delim`` (the delimiter itself consumed)."""
        out, text = [], self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == "\\" and self.pos + 1 < len(text):
                nxt = text[self.pos + 1]
                out.append(nxt if nxt == delim else "\\n" if nxt == "\n" else ch + nxt)
                self.pos += 2
                continue
            self.pos += 1
            if ch == delim:
                return "".join(out)
            out.append(ch)
        raise Unanalysable(f"sed: unterminated {delim!r} in the script")  # repr: the reason stays one line

    def address(self) -> None:
        """Skip up to two addresses: numbers, ``$``, ``/re/``, ``\\cREc``, ``first~step``, ``+N``."""
        for _ in range(2):
            text = self.text
            if self.pos < len(text) and text[self.pos] in "0123456789$+~":
                self.skip("0123456789$+~")
            elif self.pos < len(text) and text[self.pos] == "/":
                self.pos += 1
                self.delimited("/")
                self.skip("IM")
            elif self.pos + 1 < len(text) and text[self.pos] == "\\":
                delim = text[self.pos + 1]
                self.pos += 2
                self.delimited(delim)
                self.skip("IM")
            else:
                return
            self.skip(" \t")
            if self.pos < len(text) and text[self.pos] == ",":
                self.pos += 1
                self.skip(" \t")
            else:
                return

    def command(self, name: str) -> None:
        self.pos += 1
        if name in _NO_ARGS:
            return
        if name in "qQlL":
            self.skip(" \t0123456789")
        elif name in _LABEL:
            while self.pos < len(self.text) and self.text[self.pos] not in ";\n":
                self.pos += 1
        elif name in _TEXT:
            self.text_argument()
        elif name in _FILE:
            target = Word(self.rest_of_line().strip())
            self.file("file_write" if name in "wW" else "file_read", target)
        elif name == "e":
            line = self.rest_of_line().strip()
            if line:
                record.shell(self.an, self.cmd, Word(line), "sed e")
            else:
                self.run_input("sed e")
        elif name == "y":
            delim = self.next_char()
            self.delimited(delim)
            self.delimited(delim)
        elif name == "s":
            self.substitute()
        else:
            raise Unanalysable(f"sed: unknown command {name!r}")

    def next_char(self) -> str:
        if self.pos >= len(self.text) or self.text[self.pos] in "\n\\":
            raise Unanalysable("sed: a command is missing its delimiter")
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def text_argument(self) -> None:
        """``a text``, ``a\\`` then lines: up to an end of line not escaped by a backslash."""
        text = self.text
        while self.pos < len(text) and text[self.pos] != "\n":
            self.pos += 2 if text[self.pos] == "\\" else 1

    def substitute(self) -> None:
        delim = self.next_char()
        regex = self.delimited(delim)
        replacement = self.delimited(delim)
        runs = False
        text = self.text
        while self.pos < len(text) and text[self.pos] not in ";\n}":
            flag = text[self.pos]
            self.pos += 1
            if flag == "e":
                runs = True
            elif flag == "w":
                self.file("file_write", Word(self.rest_of_line().strip()))
                break
        if runs:
            if regex in _WHOLE_LINE:
                # the whole line is replaced: the command is the replacement; what it copies
                # from the input (``&``, ``\\1``) is unknown here
                copied = [m for m in _REFS.finditer(replacement) if m.group() != "\\&"]
                command = _REFS.sub(lambda m: "&" if m.group() == "\\&" else UNKNOWN, replacement)
                record.shell(self.an, self.cmd, Word(command, dynamic=bool(copied)), "sed s///e")
            else:
                self.run_input("sed s///e")

    def run_input(self, via: str) -> None:
        """The pattern space runs as a command: text from the input, unknown here."""
        record.shell(self.an, self.cmd, Word(UNKNOWN, dynamic=True), via)

    def file(self, kind: ActionKind, word: Word) -> None:
        if word.text and word.text not in NOT_FILES:
            record.file(self.an, self.cmd, kind, word)
