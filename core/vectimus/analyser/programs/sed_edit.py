"""``sed -i`` on a file that something runs later (a Makefile, package.json, a CI workflow,
``.vscode/tasks.json``, a hook): the file as the edit leaves it is judged as a write of it, so a
substitution that puts a command into a task is what writing that task is. The common scripts are
applied here: ``s`` (BRE or ERE, ``g``/``I``/a count), ``d``, ``a``/``i``/``c`` text, with a line
number, ``$`` or ``/regex/`` address; any other script leaves the write as it was (its text
unknown, the file read when it runs).
Standard library only (re, imported when sed edits a runnable file in place).
"""

from __future__ import annotations

import re

from vectimus.analyser import runs, writes
from vectimus.analyser.context import Analysis, Cmd

MAX_COMMANDS = 32
_POSIX = {"alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
          "space": r"\s", "blank": r" \t", "punct": r"!-/:-@\[-`{-~", "xdigit": "0-9A-Fa-f", "word": r"\w"}
_BRE_SPECIAL = {"(": "(", ")": ")", "{": "{", "}": "}", "+": "+", "?": "?", "|": "|"}


class Unsupported(Exception):
    """A script this module does not apply."""


def edited(an: Analysis, path: str, script: str, extended: bool) -> str | None:
    """``path``'s text as ``sed -i script`` leaves it, when something runs the file later (None when
    nothing does, the file cannot be read or the script is not one applied here)."""
    if not path.startswith("/"):
        return None
    text, _ = runs.read(an, path)
    if text is None or not writes.runnable(path, text):
        return None
    try:
        return apply(script, text, extended)
    except (Unsupported, re.error, RecursionError):
        return None


def judge(an: Analysis, cmd: Cmd, path: str, text: str) -> None:
    """``cmd`` leaves ``text`` (``edited``) at ``path``: judged as a write of it, and the text a
    later command of the same call runs (``./x.py`` after ``sed -i … x.py &&``)."""
    writes.written(an, cmd, path, text)


def apply(script: str, text: str, extended: bool) -> str:
    """``text`` after the sed ``script``; Unsupported for commands not applied here."""
    commands = [_command(part, extended) for part in _split(script)]
    if len(commands) > MAX_COMMANDS:
        raise Unsupported
    lines, last = text.split("\n"), None
    if lines and lines[-1] == "":
        lines, last = lines[:-1], ""
    out: list[str] = []
    for number, line in enumerate(lines, 1):
        before: list[str] = []
        after: list[str] = []
        keep = True
        for address, name, arg in commands:
            if not _matches(address, number, len(lines), line):
                continue
            if name == "s":
                line = _substitute(arg, line)
            elif name == "d":
                keep = False
                break
            elif name == "a":
                after.append(arg)
            elif name == "i":
                before.append(arg)
            elif name == "c":
                line = arg
        out += before + ([line] if keep else []) + after
    return "\n".join(out + ([last] if last is not None else []))


def _split(script: str) -> list[str]:
    """The commands of a one-line-per-command or ``;``-separated script (``;`` inside ``s`` kept)."""
    parts, current, i = [], "", 0
    while i < len(script):
        ch = script[i]
        if ch == "\n" or ch == ";" and not _open(current):
            parts.append(current.strip())
            current = ""
        else:
            current += ch
        i += 1
    parts.append(current.strip())
    return [p for p in parts if p]


def _open(current: str) -> bool:
    """Whether a ``;`` after ``current`` is text of its command: an ``s`` whose three delimiters
    are not all seen yet, or ``a``/``i``/``c`` text (to the end of the line)."""
    body = re.sub(r"^(\d+|\$|/(?:[^/\\]|\\.)*/)?\s*", "", current.lstrip())
    if body[:1] in ("a", "i", "c"):
        return True
    if len(body) < 2 or body[0] != "s":
        return False
    delim, count, i = body[1], 0, 2
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        count += body[i] == delim
        i += 1
    return count < 2


def _command(part: str, extended: bool):
    match = re.match(r"(\d+|\$|/((?:[^/\\]|\\.)*)/)?\s*(.)(.*)$", part, re.S)
    if match is None:
        raise Unsupported
    raw, regex, name, rest = match.group(1), match.group(2), match.group(3), match.group(4)
    address = None if raw is None else ("re", re.compile(_regex(regex, extended))) if regex is not None \
        else ("last", 0) if raw == "$" else ("line", int(raw))
    if name == "s":
        return address, "s", _s_arguments(rest, extended)
    if name == "d" and not rest.strip():
        return address, "d", None
    if name in "aic":  # `a\` keeps the text's leading blanks (a recipe's tab), `a text` drops them
        return address, name, rest[1:].lstrip("\n") if rest.startswith("\\") else rest.lstrip()
    raise Unsupported


def _s_arguments(rest: str, extended: bool):
    if not rest:
        raise Unsupported
    delim, fields, current, i = rest[0], [], "", 1
    while i < len(rest):
        ch = rest[i]
        if ch == "\\" and i + 1 < len(rest):
            current += rest[i + 1] if rest[i + 1] == delim else ch + rest[i + 1]
            i += 2
            continue
        if ch == delim:
            fields.append(current)
            current = ""
        else:
            current += ch
        i += 1
    if len(fields) != 2:
        raise Unsupported
    flags = current.strip()
    if not re.fullmatch(r"[gIi0-9]*", flags):
        raise Unsupported  # p, w, e, m: not applied here
    count = int(re.sub(r"\D", "", flags) or 0)
    pattern = re.compile(_regex(fields[0], extended), re.I if "I" in flags or "i" in flags else 0)
    return pattern, _replacement(fields[1]), "g" in flags, count


def _substitute(arg, line: str) -> str:
    pattern, replacement, every, count = arg
    if count:
        found = list(pattern.finditer(line))
        if len(found) < count:
            return line
        m = found[count - 1]
        return line[:m.start()] + replacement(m) + line[m.end():]
    return pattern.sub(replacement, line, count=0 if every else 1)


def _replacement(text: str):
    parts: list = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            parts.append(int(nxt) if nxt.isdigit() else "\n" if nxt == "n" else "\t" if nxt == "t" else nxt)
            i += 2
            continue
        parts.append(0 if ch == "&" else ch)
        i += 1
    return lambda m: "".join(m.group(p) or "" if isinstance(p, int) else p for p in parts)


def _regex(text: str, extended: bool) -> str:
    """A sed regular expression (BRE, or ERE with ``-E``) as Python's."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "[":
            end = text.find("]", i + 2 if text[i + 1:i + 2] in ("]", "^") else i + 1)
            while end > 0 and text[end - 1] == ":" and "[:" in text[i:end]:
                end = text.find("]", end + 1)
            if end < 0:
                raise Unsupported
            body = re.sub(r"\[:(\w+):\]", lambda m: _POSIX.get(m.group(1), m.group(0)),
                          text[i + 1:end].replace("\\", "\\\\"))  # a backslash is itself in a bracket
            out.append("[" + body + "]")
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if not extended and nxt in _BRE_SPECIAL:
                out.append(_BRE_SPECIAL[nxt])
            elif nxt in "<>":
                out.append(r"\b")
            else:
                out.append("\\" + nxt)
            i += 2
            continue
        out.append("\\" + ch if not extended and ch in _BRE_SPECIAL else ch)
        i += 1
    return "".join(out)


def _matches(address, number: int, total: int, line: str) -> bool:
    if address is None:
        return True
    kind, value = address
    if kind == "line":
        return number == value
    if kind == "last":
        return number == total
    return value.search(line) is not None
