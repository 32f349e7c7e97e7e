"""Split a command's words into flags, option values and operands.

Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser.context import Word


class Parsed:
    """A command line taken apart: flag names, option values by name, operands in order."""

    __slots__ = ("flags", "values", "operands", "flag_words")

    def __init__(self) -> None:
        self.flags: list[str] = []
        self.values: list[tuple[str, Word]] = []
        self.operands: list[Word] = []
        self.flag_words: list[Word] = []

    def value(self, *names: str) -> Word | None:
        """The last value given for any of ``names`` (``"o"``, ``"output"``)."""
        found = None
        for name, word in self.values:
            if name in names:
                found = word
        return found

    def all(self, *names: str) -> list[Word]:
        """Every value given for any of ``names``, in order."""
        return [word for name, word in self.values if name in names]

    def has(self, *names: str) -> bool:
        """True when any of the flags ``names`` was given."""
        flags = self.flags
        for name in names:
            if name in flags:
                return True
        return False


def parse(words, takes_value: frozenset[str] | set[str] = frozenset(), *,
          stop_at_operand: bool = False, long_single_dash: bool = False) -> Parsed:
    """Parse ``words`` (the program excluded).

    ``takes_value`` names options that take a value (``"-n"``, ``"--namespace"``); ``-rf`` splits
    into ``r`` and ``f``; ``--force=true`` is the flag ``force`` with the value ``true``; ``--`` ends
    options; ``stop_at_operand`` ends them at the first operand (for wrappers and subcommands).
    ``long_single_dash`` reads ``-name`` as one option (find, java style).
    """
    out = Parsed()
    operands = out.operands
    if not isinstance(words, (tuple, list)):
        words = list(words)
    n = len(words)
    i = 0
    while i < n:
        word = words[i]
        text = word.text
        i += 1
        if text[:1] != "-" or text == "-" or word.dynamic:
            operands.append(word)
            if stop_at_operand:
                operands.extend(words[i:])
                break
            continue
        if text == "--":
            operands.extend(words[i:])
            break
        out.flag_words.append(word)
        if text[1] == "-" or long_single_dash:  # (text is "-" and more)
            name, eq, value = text.lstrip("-").partition("=")
            out.flags.append(name)
            key = ("--" if text[1] == "-" else "-") + name
            if eq:
                out.values.append((name, Word(value, word.dynamic, secret=word.secret)))
            elif key in takes_value and i < n:
                out.values.append((name, words[i]))
                i += 1
            continue
        cluster = text[1:]
        if cluster.isdigit():  # head -5, git log -10
            out.flags.append(cluster)
            continue
        if not takes_value:  # no option takes a value: every letter is a flag
            out.flags.extend(cluster)
            continue
        for j, ch in enumerate(cluster):
            out.flags.append(ch)
            if "-" + ch in takes_value:
                rest = cluster[j + 1:]
                if rest:
                    out.values.append((ch, Word(rest.removeprefix("="), word.dynamic, secret=word.secret)))
                elif i < n:
                    out.values.append((ch, words[i]))
                    i += 1
                break
    return out


def opts(spec: str) -> frozenset[str]:
    """``"-n --namespace"`` -> frozenset of option spellings (kept: handlers pass the same few
    specs on every command they see)."""
    found = _OPTS.get(spec)
    if found is None:
        if len(_OPTS) >= 256:
            _OPTS.clear()
        found = _OPTS[spec] = frozenset(spec.split())
    return found


_OPTS: dict[str, frozenset[str]] = {}
