"""Deleting every entry the project or home directory shows (``rm -rf $(ls)``, ``ls | xargs rm
-rf``, a loop over ``$(ls)``, each name spelled out) deletes that directory's contents, as ``rm -rf
*`` does: once the call is analysed, such deletes add a delete of the directory, which the packs
judge as they judge ``rm -rf *``.
Standard library only: used on the hot path (only for a call deleting several paths).
"""

from __future__ import annotations


from vectimus.analyser.context import Analysis, Scope, Word
from vectimus import world


def check(an: Analysis) -> None:
    """Add a delete of the project or the home when the call's deletes hold every entry it shows
    (its hidden ones aside, which ``*`` and ``ls`` skip too)."""
    deletes = [a for a in an.actions if a.kind == "file_delete" and not a.deferred]
    if len(deletes) < 2:
        return
    for folder in {an.places.project, an.places.home}:
        prefix = folder.rstrip("/") + "/"
        names = {a.target.path[len(prefix):] for a in deletes if a.target.path.startswith(prefix)}
        names = {n for n in names if n and "/" not in n}
        if len(names) < 2:
            continue
        try:
            shown = {n for n in world.listdir(folder) if not n.startswith(".")}
        except OSError:
            continue
        if shown and shown <= names:
            first = next(a for a in deletes if a.target.path.startswith(prefix))
            flags = tuple(sorted({f for a in deletes for f in a.flags}))
            an.add(first._replace(resource=folder, target=an.target(Word(folder), Scope(an.places)), flags=flags,
                                  via=(*first.via, f"every entry of {folder}")))
