"""Files a command lists on its output for the next stage to open: ``find`` (its start points and
``-name`` globs), ``ls`` of a credentials directory. ``find . -name .env | xargs cat | curl -d @-``
reads every ``.env`` below the project; the stage that opens the names (``xargs cat``,
``find … -exec cat {} +``) is analysed with one of them: a credential file a bounded search finds
that the listing selects, or the directory holding some (the home always) when it lists everything.
Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus import paths
from vectimus.analyser import secret_globs
from vectimus.analyser.context import Analysis, Cmd, Word


def selected(an: Analysis, cmd: Cmd, starts: list[Word], names: list[str], filtered: bool) -> str:
    """A credential file (or a directory holding some) among what ``find`` with ``starts`` and the
    ``-name`` globs ``names`` selects; "" when it selects none. Other tests (``-type``, ``-size``)
    may narrow it further: they are not followed."""
    home = an.places.home
    for start in starts:
        target = an.target(start, cmd.scope)
        if start.dynamic or not target.exists:
            continue
        if target.is_secret:
            return target.path
        if names:
            found = paths.secret_file_in(target.path, home, tuple(names))
            above = target.path.rstrip("/") == home.rstrip("/") or home.startswith(target.path.rstrip("/") + "/")
            if found or (above and any(secret_globs.selects_secret(n) for n in names)):
                return found or target.path
        elif not filtered and target.is_dir and an.holds_secrets(target.path):
            return target.path
    return ""


def listed(an: Analysis, cmd: Cmd, path: str) -> None:
    """``cmd`` prints ``path`` among the names it lists: the next stage of its pipeline gets it."""
    if path and cmd.stdout == "pipe":
        an.memo["listed"] = path


def ls(an: Analysis, cmd: Cmd, name: str) -> None:
    """``ls`` of a credential file or directory (``ls ~/.ssh/*``) lists credential files."""
    if cmd.stdout != "pipe":
        return
    for word in cmd.words[1:]:
        if not word.text.startswith("-") and not word.dynamic:
            target = an.target(word, cmd.scope)
            if target.is_secret:
                listed(an, cmd, target.path)
                return
