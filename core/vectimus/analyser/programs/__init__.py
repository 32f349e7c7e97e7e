"""What each program does besides running: the handler ``dispatch`` looks a program up in.

A handler is ``handler(an, cmd, name) -> bool | None``: it records the program's file, network,
package … actions on the analysis, and returns True when what the program runs cannot be known
(``bash "$X"``, ``python3 <(curl …)``).
Standard library only: used on the hot path.
"""

from __future__ import annotations

from collections.abc import Callable

from vectimus.analyser.context import Analysis, Cmd
from vectimus.analyser.programs import (
    channels, containers, databases, files, git, interpreters, network, packages, runners, shells, windows,
)

Handler = Callable[[Analysis, Cmd, str], "bool | None"]

# shells last: `source`/`.` run the file they read (the reader table has them as readers too)
HANDLERS: dict[str, Handler] = {
    **files.HANDLERS, **network.HANDLERS, **containers.HANDLERS, "git": git.run, **runners.HANDLERS,
    **databases.HANDLERS, **channels.HANDLERS, **windows.HANDLERS, **shells.HANDLERS,
}


def handler(name: str, cmd: Cmd) -> Handler | None:
    """The handler for program ``name`` as ``cmd`` runs it, or None for a program with no effects known."""
    found = HANDLERS.get(name)
    if found is not None:
        return found
    if name == "bun" and cmd.words[1:2] and cmd.words[1].text in packages.OPS:
        return packages.run
    if interpreters.language(name):
        return interpreters.run
    if packages.handles(name):
        return packages.run
    return None
