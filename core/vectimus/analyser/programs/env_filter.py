"""An environment dump whose output a ``grep`` filters (``env | grep -i node``, ``printenv | grep -E
'PATH|HOME'``): only the matching lines are shown, so it is a dump of secrets only when the
pattern could pick a credential: a pattern naming one (``key``, ``token``, ``DATABASE_URL``), or
one that matches a variable of the environment the hook runs in that holds one (``NODE`` with a
``NODE_AUTH_TOKEN`` set). The exec is then ``risk = "filtered-env"``, which the secrets pack lets
through. Any other consumer, option (``-v``) or pattern (``.``, anything not a plain name) is a dump.
Standard library only: used on the hot path (only for an environment dump into a pipe).
"""

from __future__ import annotations

import re
import shlex

from vectimus.analyser.context import Analysis, Cmd
from vectimus.analyser.facts.secrets import find, secret_name

GREPS = ("grep", "egrep", "rg")
_PLAIN = re.compile(r"\^?[A-Za-z_][A-Za-z0-9_]{2,63}=?")
_NAMING = re.compile(r"(?i)key|token|secret|pass|pwd|auth|cred|session|cookie|private|cert|sign|jwt|bearer|"
                     r"dsn|url|uri|conn|proxy|api|oauth|client|webhook")
_OPTIONS = {"-i", "-E", "-w", "-F", "-c", "-n", "-o", "-q", "--color", "--color=never", "--color=auto", "-e",
            "--ignore-case"}


def risk(an: Analysis, cmd: Cmd) -> str:
    """``filtered-env`` when the dump's output goes only through a grep for names that hold no credential."""
    consumer = an.memo.get("consumer", "") if cmd.stdout == "pipe" else ""
    if not consumer:
        return ""
    try:
        words = shlex.split(consumer)
    except ValueError:
        return ""
    if not words or words[0] not in GREPS:
        return ""
    options = [w for w in words[1:] if w.startswith("-")]
    patterns = [w for w in words[1:] if not w.startswith("-")]
    if any(o not in _OPTIONS for o in options) or len(patterns) != 1:
        return ""
    names = re.split(r"\\?\|", patterns[0])
    if not all(_PLAIN.fullmatch(n) for n in names) or any(_NAMING.search(n) for n in names):
        return ""
    ignore = "-i" in options or "--ignore-case" in options
    for name, value in an.env.items():
        line = f"{name}={value}"
        if any((n.lower() in line.lower()) if ignore else (n.lstrip("^") in line) for n in names) \
                and (secret_name(name) or find(value)):
            return ""
    return "filtered-env"
