"""A tokenizer for build scripts whose commands are string literals in calls (Gradle's Groovy and
Kotlin, Meson): it respects strings and comments, so a call is found only where it is code.

``tokens(text, lang)`` gives ``(kind, value)``: ``"str"`` (the literal's text; an interpolation or
escape it cannot know is ``UNKNOWN``), ``"name"`` (an identifier) and ``"op"`` (one punctuation
character, or a newline as ``"\\n"``). ``arguments`` reads the string arguments after a position.
Standard library only: imported when a build tool runs.
"""

from __future__ import annotations

import re

UNKNOWN = "\x00"
MAX_TOKENS = 200_000
_STRING = {
    # Groovy and Kotlin: triple-quoted and plain strings; "…" interpolates ${…} and $name.
    "jvm": re.compile(r'"""(?P<t2>.*?)"""|\'\'\'(?P<t1>.*?)\'\'\'|"(?P<d>(?:\\.|[^"\\\n])*)"|'
                      r"'(?P<s>(?:\\.|[^'\\\n])*)'", re.S),
    # Meson: '…' and '''…''' (f'…' formats @name@).
    "meson": re.compile(r"(?P<f>f)?(?:'''(?P<t1>.*?)'''|'(?P<s>(?:\\.|[^'\\\n])*)')", re.S),
}
_COMMENT = {"jvm": re.compile(r"//[^\n]*|/\*.*?\*/", re.S), "meson": re.compile(r"#[^\n]*")}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPACE = re.compile(r"[ \t\r\f]+|\\\n")
_INTERPOLATION = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_.]*")


def tokens(text: str, lang: str) -> list[tuple[str, str]]:
    """The tokens of ``text`` in ``lang`` ("jvm" or "meson")."""
    string, comment = _STRING[lang], _COMMENT[lang]
    out: list[tuple[str, str]] = []
    pos, n = 0, len(text)
    while pos < n and len(out) < MAX_TOKENS:
        space = _SPACE.match(text, pos)
        if space:
            pos = space.end()
            continue
        found = comment.match(text, pos)
        if found:
            pos = found.end()
            continue
        found = string.match(text, pos)
        if found and (lang != "meson" or found.group("f") is None or text.startswith(("f'", "f'''"), pos)):
            out.append(("str", _value(found, lang)))
            pos = found.end()
            continue
        found = _NAME.match(text, pos)
        if found:
            out.append(("name", found.group(0)))
            pos = found.end()
            continue
        out.append(("op", text[pos]))
        pos += 1
    return out


def _value(match: re.Match, lang: str) -> str:
    groups = match.groupdict()
    if lang == "meson":
        raw = groups["t1"] if groups["t1"] is not None else groups["s"] or ""
        if groups.get("f"):
            raw = re.sub(r"@[A-Za-z_]\w*@", UNKNOWN, raw)
        return _unescape(raw) if groups["t1"] is None else raw
    if groups["t1"] is not None or groups["s"] is not None:  # single quotes: no interpolation
        raw = groups["t1"] if groups["t1"] is not None else groups["s"]
        return _unescape(raw) if groups["s"] is not None else raw
    raw = groups["t2"] if groups["t2"] is not None else groups["d"]
    raw = _INTERPOLATION.sub(UNKNOWN, raw)
    return _unescape(raw) if groups["d"] is not None else raw


def _unescape(raw: str) -> str:
    simple = {"n": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"', "$": "$"}
    return re.sub(r"\\(.)", lambda m: simple.get(m.group(1), UNKNOWN), raw)


LISTS = ("listOf", "arrayOf", "mutableListOf", "setOf", "files")


def value(toks: list[tuple[str, str]], i: int, names: dict[str, str]):
    """(the value of the expression at ``i``, the index after it): a string, a list of values, or
    None when it is not known (a call, a name bound to no literal …)."""
    n = len(toks)
    if i >= n:
        return None, i
    kind, text = toks[i]
    found: object = None
    if kind == "str":
        found, i = text, i + 1
    elif kind == "op" and text == "[":
        items, i = _sequence(toks, i + 1, "]", names)
        found = [v for v, _ in items]
    elif kind == "name" and text in LISTS and toks[i + 1:i + 2] == [("op", "(")]:
        items, i = _sequence(toks, i + 2, ")", names)
        found = [v for v, _ in items]
    elif kind == "name" and text in names and toks[i + 1:i + 2] not in ([("op", "(")], [("op", ".")]):
        found, i = names[text], i + 1
    else:
        i = _skip(toks, i)
        return None, i
    if toks[i:i + 1] == [("op", "+")]:  # a concatenation
        other, i = value(toks, i + 1, names)
        found = found + other if isinstance(found, str) and isinstance(other, str) else \
            (found if isinstance(found, str) else UNKNOWN) + UNKNOWN
    elif toks[i:i + 1] not in ([("op", ",")], [("op", ")")], [("op", "]")], [("op", "\n")], [("op", ";")], [("op", "}")]) \
            and i < n and not (toks[i][0] == "op" and toks[i][1] == "."):
        return found, i
    return found, i


def _skip(toks: list[tuple[str, str]], i: int) -> int:
    """The index after the expression at ``i`` (up to a comma or a closing bracket at its depth)."""
    depth = 0
    while i < len(toks):
        kind, text = toks[i]
        if kind == "op" and text in "([{":
            depth += 1
        elif kind == "op" and text in ")]}":
            if depth == 0:
                return i
            depth -= 1
        elif kind == "op" and text in ",\n;" and depth == 0:
            return i
        i += 1
    return i


def _sequence(toks: list[tuple[str, str]], i: int, close: str, names: dict[str, str]):
    """Comma-separated values up to ``close``: ([(value, keyword or "")], index after ``close``)."""
    out: list[tuple[object, str]] = []
    while i < len(toks):
        while i < len(toks) and toks[i] in (("op", "\n"), ("op", ",")):
            i += 1
        if i >= len(toks) or toks[i] == ("op", close):
            return out, i + 1
        keyword = ""
        if toks[i][0] == "name" and toks[i + 1:i + 2] in ([("op", ":")], [("op", "=")]) and \
                toks[i + 2:i + 3] != [("op", "=")]:
            keyword, i = toks[i][1], i + 2
        found, after = value(toks, i, names)
        out.append((found, keyword))
        i = after if after > i else i + 1
    return out, i


def call_arguments(toks: list[tuple[str, str]], i: int, names: dict[str, str]):
    """The arguments of a call whose name is at ``i - 1``: in parentheses, or (Groovy's command
    syntax) up to the end of the line: ([positional values], {keyword: value}, index after)."""
    if toks[i:i + 1] == [("op", "(")]:
        items, i = _sequence(toks, i + 1, ")", names)
    elif toks[i:i + 1] == [("op", "=")]:
        found, i = value(toks, i + 1, names)
        items = [(found, "")]
    else:
        items = []
        while i < len(toks) and toks[i] not in (("op", "\n"), ("op", ";"), ("op", "}")):
            keyword = ""
            if toks[i][0] == "name" and toks[i + 1:i + 2] == [("op", ":")]:  # `apply from: 'x'`
                keyword, i = toks[i][1], i + 2
            found, after = value(toks, i, names)
            items.append((found, keyword))
            i = after if after > i else i + 1
            while toks[i:i + 1] == [("op", ",")]:
                i += 1
                while toks[i:i + 1] == [("op", "\n")]:
                    i += 1
    return [v for v, k in items if not k], {k: v for v, k in items if k}, i


def words(values) -> list[str]:
    """A command's words from argument values (lists flattened; an unknown value one unknown word)."""
    out: list[str] = []
    for item in values:
        if isinstance(item, list):
            out += words(item)
        else:
            out.append(item if isinstance(item, str) else UNKNOWN)
    return out


def shell_words(items: list[str], unknown: str) -> str:
    """Words as shell text, quoted, an unknown part the value of the unset variable ``unknown``."""
    import shlex

    marker = '"${' + unknown + '}"'
    return " ".join(marker.join(shlex.quote(p) if p else "" for p in w.split(UNKNOWN)) or "''" for w in items)
