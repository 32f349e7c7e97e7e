"""Parameter expansion operators applied to a variable's known value, as bash applies them:
case changes (``${c,,}``, ``${c^^}``), substrings (``${c:1}``, ``${c: -2:1}``), prefix and suffix
removal (``${c#x}``, ``${c%%.*}``), replacement (``${c//a/b}``) and length (``${#c}``); and arrays
(``cmd=(rm -rf ~)``, ``"${cmd[@]}"``, ``${cmd[1]}``), kept as one value per element under
``name[@]``. An operator or operand this module does not follow gives None: the expansion is
unknown, as before.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import fnmatch

from vectimus.analyser.context import Word

ELEMENTS = "\x1f"  # between an array's elements in the value kept under ``name[@]``


def operate(value: str, op: str, operands: list[str]) -> str | None:
    """``value`` after operator ``op`` with its literal ``operands``, or None when not followed."""
    if op in (",,", "^^"):
        return value.lower() if op == ",," else value.upper()
    if op in (",", "^"):
        return (value[:1].lower() if op == "," else value[:1].upper()) + value[1:]
    if op == ":":
        return _substring(value, operands)
    if op in ("#", "##", "%", "%%"):
        return _removed(value, op, operands[0] if operands else "")
    if op in ("/", "//", "/#", "/%"):
        pattern = operands[0] if operands else ""
        replacement = operands[2] if len(operands) > 2 else ""
        if any(c in pattern for c in "*?[") or not pattern:
            return None
        if op == "//":
            return value.replace(pattern, replacement)
        if op == "/#":
            return replacement + value[len(pattern):] if value.startswith(pattern) else value
        if op == "/%":
            return value[:-len(pattern)] + replacement if value.endswith(pattern) else value
        return value.replace(pattern, replacement, 1)
    return None


def _substring(value: str, operands: list[str]) -> str | None:
    numbers = [o.strip() for o in operands if o.strip() != ":"]
    try:
        offset = int(numbers[0]) if numbers else 0
        length = int(numbers[1]) if len(numbers) > 1 else None
    except ValueError:
        return None  # arithmetic Vectimus does not follow
    start = max(len(value) + offset, 0) if offset < 0 else offset
    if length is None:
        return value[start:]
    end = len(value) + length if length < 0 else start + length
    return value[start:end]


def _removed(value: str, op: str, pattern: str) -> str:
    """``${v#p}``/``${v##p}`` remove the shortest/longest prefix matching ``p``; ``%``/``%%`` suffixes."""
    spans = range(len(value) + 1) if op in ("#", "%") else range(len(value), -1, -1)
    for n in spans:
        piece = value[:n] if op.startswith("#") else value[len(value) - n:]
        if fnmatch.fnmatchcase(piece, pattern):
            return value[n:] if op.startswith("#") else value[:len(value) - n]
    return value


def array(elements: list[Word]) -> Word:
    """The value kept under ``name[@]`` for an array of ``elements``."""
    return Word(ELEMENTS.join(w.text for w in elements), any(w.dynamic for w in elements),
                secret=any(w.secret for w in elements))


def elements(kept: Word) -> list[Word]:
    """An array's elements from the value kept under ``name[@]``."""
    if not kept.text:
        return []
    return [Word(t, kept.dynamic, secret=kept.secret) for t in kept.text.split(ELEMENTS)]


def builtin(words: list[Word], stdin: str | None, scope) -> None:
    """What ``set -- …`` (and ``set -a``), ``printf -v NAME …`` and ``read NAME … <<< TEXT`` set in ``scope``."""
    name = words[0].text
    if name == "set" and words[1].text in ("-a", "-o") and (words[1].text == "-a" or words[2:3] == [Word("allexport")]):
        scope.exported.add("*")  # every variable set from here on is exported
    elif name == "set" and (words[1].text == "--" or words[1].text[:1] not in "-+"):
        first = scope.positional[0] if scope.positional else Word("bash")
        scope.positional = (first, *words[2 if words[1].text == "--" else 1:])  # `set -- a b`: "$@"
    elif name == "printf" and words[1].text == "-v" and len(words) > 3:
        scope.vars[words[2].text] = _printf(words[3], words[4:])
    elif name == "read":
        _read(words[1:], stdin, scope)


def _printf(fmt: Word, args: list[Word]) -> Word:
    """``printf`` of ``%s``/``%d`` and literal text; anything else is unknown."""
    parts, rest, i = [], list(args), 0
    text = fmt.text
    while i < len(text):
        if text[i] != "%":
            parts.append(text[i])
        elif text[i + 1:i + 2] in ("s", "d", "b") and i + 1 < len(text):
            parts.append(rest.pop(0).text if rest else "")
            i += 1
        elif text[i + 1:i + 2] == "%":
            parts.append("%")
            i += 1
        else:
            return Word(fmt.text, dynamic=True)
        i += 1
    dynamic = fmt.dynamic or any(w.dynamic for w in args) or bool(rest)
    return Word("".join(parts).replace("\\n", "\n"), dynamic, secret=fmt.secret or any(w.secret for w in args))


def _read(args: list[Word], stdin: str | None, scope) -> None:
    """``read [-r] NAME…``: the first line of a known input split among the names (the last takes
    the rest); an option it does not follow, or an unknown input, leaves them unknown."""
    names = [w.text for w in args if not w.text.startswith("-")]
    known = stdin is not None and all(w.text in ("-r", "-s") or not w.text.startswith("-") for w in args)
    line = (stdin or "").split("\n", 1)[0]
    for i, name in enumerate(names):
        if not known:
            scope.vars[name] = Word("$" + name, dynamic=True)
            continue
        if i == len(names) - 1:
            scope.vars[name] = Word(line.strip())
        else:
            head, _, line = line.strip().partition(" ")
            scope.vars[name] = Word(head)
