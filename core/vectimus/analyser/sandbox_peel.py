"""bwrap, the sandbox launcher: its options take none, one or two values; then the command it runs.
Standard library only: used on the hot path (``peel``'s table of wrappers names it).
"""

from __future__ import annotations

from typing import Literal

from vectimus.analyser.context import Analysis, Cmd

_BWRAP_TWO = frozenset(("--bind", "--bind-try", "--dev-bind", "--dev-bind-try", "--ro-bind", "--ro-bind-try",
                        "--symlink", "--setenv", "--file", "--bind-data", "--ro-bind-data", "--chmod"))
_BWRAP_NONE = frozenset(("--share-net", "--die-with-parent", "--as-pid-1", "--new-session", "--clearenv",
                         "--disable-userns", "--assert-userns-disabled", "--unshare-all", "--unshare-user",
                         "--unshare-user-try", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                         "--unshare-cgroup", "--unshare-cgroup-try", "--help", "--version", "--level-prefix"))


def bwrap(cmd: Cmd, an: Analysis, name: str) -> Cmd | Literal[False]:
    """bwrap [options] COMMAND: its options take none, one or two values; then the command."""
    words, i = cmd.words[1:], 0
    while i < len(words) and words[i].text.startswith("--"):
        if words[i].text == "--":
            i += 1
            break
        i += 3 if words[i].text in _BWRAP_TWO else 1 if words[i].text in _BWRAP_NONE else 2
    return cmd.with_words(words[i:], via=name) if words[i:] else False
