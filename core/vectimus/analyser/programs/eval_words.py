"""``eval "set -- $(… | sed 's~[^SAFE]~\\\\&~g' | tr '\\n' ' ')" '"$@"'``: an eval that can only set
the positional parameters, however unknown the words are.

Gradle's ``gradlew`` collects its JVM options this way: the substitution's output has a backslash
before every character outside a class of characters that mean nothing to the shell, and its lines
joined by spaces, so what eval reads is ``set --`` and literal words. Nothing runs; the words are
unknown, and stay unknown where they are used (``exec "$JAVACMD" "$@"``). A substitution without
that escaping last (or without ``--``, or any other command in the text) is eval of unknown code.
Standard library only (and the bash grammar): used on the hot path, only for a dynamic eval.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import Analysis, Word

MAX_TEXT = 4096
# Named classes and characters a backslash-free word may keep: none is a shell metacharacter, a
# quote, an expansion, a glob or a tilde.
_SAFE_ITEM = re.compile(r"\[:(?:alnum|alpha|digit|upper|lower|xdigit):\]|[A-Za-z0-9+,._/:=@%]")


def only_sets_positional(an: Analysis, args: tuple[Word, ...]) -> bool:
    """Whether eval of ``args`` (joined by spaces, as eval joins them) runs ``set --`` with
    escaped words and nothing else."""
    text = " ".join(w.text for w in args)
    if len(text) > MAX_TEXT or "set" not in text:
        return False
    from vectimus.analyser.parse import parse

    data = text.encode("utf-8", "surrogatepass")
    root, _ = parse(data, an)
    if root.has_error or [c.type for c in root.named_children] != ["command"]:
        return False
    command = root.named_children[0]
    name = command.child_by_field_name("name")
    words = [c for c in command.named_children if c != name]
    if name is None or _text(data, name) != "set" or not words or _text(data, words[0]) != "--":
        return False
    return all(_fixed(data, w) or _all_args(data, w) or _escaped(data, w) for w in words[1:])


def _text(data: bytes, node) -> str:
    return data[node.start_byte:node.end_byte].decode("utf-8", "surrogatepass")


def _fixed(data: bytes, node) -> bool:
    """A word with no expansion of its own."""
    return node.type in ("word", "raw_string") and not any(ch in _text(data, node) for ch in "$`\\*?[{~")


def _all_args(data: bytes, node) -> bool:
    """``"$@"``: the parameters as they are, one word each."""
    return _text(data, node) == '"$@"'


def _escaped(data: bytes, node) -> bool:
    """``$(… | sed 's~[^SAFE]~\\\\&~g' | tr '\\n' ' ')``: every character outside SAFE escaped, lines joined."""
    if node.type != "command_substitution" or len(node.named_children) != 1:
        return False
    pipeline = node.named_children[0]
    if pipeline.type != "pipeline":
        return False
    stages = [c for c in pipeline.named_children if c.type == "command"]
    if len(stages) != len(pipeline.named_children) or len(stages) < 2:
        return False
    sed, tr = ([_text(data, w) for w in s.named_children] for s in stages[-2:])
    return tr == ["tr", "'\\n'", "' '"] and _escaping_sed(sed)


def _escaping_sed(words: list[str]) -> bool:
    """``sed 's~[^SAFE]~\\\\&~g'``: a backslash before each character outside SAFE, on every line."""
    if words[:1] != ["sed"]:
        return False
    script = words[2] if words[1:2] == ["-e"] and len(words) == 3 else words[1] if len(words) == 2 else ""
    if len(script) < 2 or script[0] != "'" or script[-1] != "'":
        return False
    script = script[1:-1].strip().removesuffix(";").strip()
    if len(script) < 4 or script[0] != "s":
        return False
    parts = script[2:].split(script[1])
    if len(parts) != 3 or parts[1] != "\\\\&" or parts[2] != "g":
        return False
    pattern = parts[0]
    if not (pattern.startswith("[^") and pattern.endswith("]")) or len(pattern) < 4:
        return False
    inner = pattern[2:-1]
    inner = inner[1:] if inner.startswith("-") else inner   # a - first or last is itself, not a range
    inner = inner[:-1] if inner.endswith("-") else inner
    return _SAFE_ITEM.sub("", inner) == ""
