"""The arguments ``xargs`` builds from an input known at hook time (``echo a b | xargs rm``,
``printf 'x\\0' | xargs -0 …``), as xargs splits it.

Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser.context import MAX_WORDS, Cmd, Word


def items(cmd: Cmd, p, lines: bool) -> list[Word] | None:
    """The arguments xargs makes of a known input (NUL-, delimiter-, line- or blank-separated,
    quotes as xargs reads them); None when the input is unknown or holds more than MAX_WORDS."""
    text = cmd.stdin.text
    if text is None:
        return None
    delimiter = p.value("d", "delimiter")
    if p.has("0", "null") or delimiter is not None:
        sep = "\0" if delimiter is None else delimiter.text.encode().decode("unicode_escape")[:1] or "\n"
        found = [t for t in text.split(sep) if t]
    elif lines:
        found = [t.strip() for t in text.splitlines() if t.strip()]
    else:
        import shlex

        try:
            found = shlex.split(text)
        except ValueError:
            return None
    if len(found) > MAX_WORDS:
        return None
    return [Word(t, secret=cmd.stdin.secret) for t in found]
