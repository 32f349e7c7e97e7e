"""Host paths bind-mounted into a container (``docker run -v``, a compose service's ``volumes``):
written by the container (read, for a read-only mount); the home (or a directory holding it)
mounted is a read of every credential the home holds.
Standard library only: used on the hot path.
"""

from __future__ import annotations


from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus import world


def mount(an: Analysis, cmd: Cmd, program: str, source: Word | None, readonly: bool) -> None:
    """Record the bind mount of ``source`` (None, or a named volume: nothing) into a container."""
    if source is None or not source.text.startswith(("/", "~", ".", "$")) and not source.dynamic:
        return  # a named volume
    target = an.file("file_read" if readonly else "file_write", source, cmd, program=program)
    home = an.places.home.rstrip("/")
    if target.path and (target.path.rstrip("/") == home or home.startswith(target.path.rstrip("/") + "/")):
        # the home (or `/`) mounted: the container can read every credential the home holds (each
        # there is, and ~/.ssh, where keys are, always)
        from vectimus.paths import SECRET_HOME_DIRS

        for rel in SECRET_HOME_DIRS:
            path = f"{home}/{rel.rstrip('/')}"
            if rel == ".ssh/" or world.lexists(path):
                an.file("file_read", Word(path), cmd, program=program)
