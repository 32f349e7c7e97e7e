"""The one base of the errors Vectimus explains to a person in one line.

A ``VectimusError`` reaching the CLI is printed as ``error: <message>`` and the command exits with
its ``exit_code``, in one place (``vectimus.cli.main``); anything else is a bug and shows its
traceback. On the hook's path every error, this one or another, becomes a deny with a one-line
reason. Standard library only: used on the hot path.
"""

from __future__ import annotations


class VectimusError(Exception):
    """An error with a message fit for a person; the CLI exits with ``exit_code``."""

    exit_code: int = 1
