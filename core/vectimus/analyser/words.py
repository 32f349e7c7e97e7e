"""Pure helpers for shell words: unescaping, ANSI-C strings, brace expansion.

Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import MAX_WORDS

# Unquoted brace characters are marked while a word is assembled, so quoted ones never expand.
OPEN, COMMA, CLOSE = "\ue000", "\ue001", "\ue002"
_MARKS = str.maketrans({"{": OPEN, ",": COMMA, "}": CLOSE})
_UNMARK = str.maketrans({OPEN: "{", COMMA: ",", CLOSE: "}"})
GLOB_CHARS = frozenset("*?[")

_ANSI_SIMPLE = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
                "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}
_ANSI = re.compile(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)", re.S)


def _unescape(text: str, escapable: str | None) -> str:
    """Remove backslashes before any character (``escapable`` None) or those in ``escapable``;
    a backslash-newline (line continuation) disappears entirely."""
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and (escapable is None or text[i + 1] in escapable):
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def unescape_unquoted(text: str) -> str:
    """An unquoted word's text after backslash removal (``\\rm`` -> ``rm``, line continuations)."""
    return _unescape(text, None)


def unescape_double(text: str) -> str:
    """Text inside double quotes: only ``\\$ \\` \\" \\\\`` and line continuations are escapes."""
    return _unescape(text, '$`"\\\n')


def ansi_c(body: str) -> str:
    """Decode the inside of ``$'…'`` (``\\x72\\x6d`` -> ``rm``)."""
    def one(m: re.Match) -> str:
        esc = m.group(1)
        head = esc[0]
        try:
            if head in "xuU" and len(esc) > 1:
                return chr(int(esc[1:], 16))
            if head in "01234567":
                return chr(int(esc, 8) & 0xFF)
        except (ValueError, OverflowError):
            return ""
        if head == "c" and len(esc) == 2:
            return chr(ord(esc[1]) & 0x1F)
        return _ANSI_SIMPLE.get(esc, "\\" + esc)
    return _ANSI.sub(one, body)


def mark_braces(text: str) -> str:
    """Mark unquoted brace characters so that only they take part in brace expansion."""
    return text.translate(_MARKS) if ("{" in text or "}" in text or "," in text) else text


def unmark(text: str) -> str:
    """Undo ``mark_braces`` for characters that did not expand."""
    return text.translate(_UNMARK)


def expand_braces(text: str) -> list[str]:
    """Brace-expand marked text (``/{etc,home}`` -> ``/etc``, ``/home``), at most MAX_WORDS results."""
    if OPEN not in text:
        return [unmark(text)]
    results: list[str] = []
    pending = [text]
    while pending:
        item = pending.pop()
        split = _first_group(item)
        if split is None:
            results.append(unmark(item))
        else:
            head, options, tail = split
            pending.extend(head + opt + tail for opt in reversed(options))
        if len(results) + len(pending) > MAX_WORDS:
            return [unmark(text)]
    return results


def _first_group(text: str) -> tuple[str, list[str], str] | None:
    """The first ``{a,b}`` group with a top-level comma, as (head, options, tail)."""
    start = 0
    while True:
        open_at = text.find(OPEN, start)
        if open_at < 0:
            return None
        depth, parts, last = 0, [], open_at + 1
        for i in range(open_at + 1, len(text)):
            ch = text[i]
            if ch == OPEN:
                depth += 1
            elif ch == CLOSE:
                if depth == 0:
                    if parts:
                        parts.append(text[last:i])
                        return text[:open_at], parts, text[i + 1:]
                    break
                depth -= 1
            elif ch == COMMA and depth == 0:
                parts.append(text[last:i])
                last = i + 1
        start = open_at + 1
