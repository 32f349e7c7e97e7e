"""Analyses kept for calls seen before, used again while nothing they looked at has changed.

The resident evaluator sees the same call again and again: ``make test`` after each edit, a
script run once more, a file written twice. An analysis depends on the call, the places and the
environment it is made in, and on what it looked at: the filesystem and the session ledger, each
look taken through ``vectimus.world``, which notes it with its answer. A kept analysis is used
again only for the same call, places and environment, and only when every look still gives the
answer it gave; anything else is analysed anew. Shell commands and file writes are kept (the
others cost little to analyse); an analysis that failed, or that spent its CPU budget (a part of
it may then have been left unread for want of time), is never kept.
Standard library only: on the hook's path.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping

from vectimus import world
from vectimus.analyser.context import Analysis
from vectimus.analyser.pipeline import Pipeline
from vectimus.model import ToolCall
from vectimus.paths import Places

KEEP = 64                            # analyses kept, the most recently used
KINDS = ("shell", "file_write")      # the calls whose analyses are kept

# (call, places, environment) -> (looks, actions, files written, unseen writes); least recent first
_kept: dict[tuple, tuple] = {}


def analysis(call: ToolCall, places: Places, env: Mapping[str, str],
             analyse: Callable[[], Analysis]) -> Analysis:
    """The analysis ``analyse()`` gives for ``call``: a kept one when every look it took still
    answers the same, else a new one (kept for next time)."""
    key = _key(call, places, env)
    if key is None:
        return analyse()
    kept = _kept.pop(key, None)
    if kept is not None and world.unchanged(kept[0]):
        _kept[key] = kept
        _, actions, pending, unseen = kept
        again = Pipeline(call, places, env)
        again.actions, again.pending, again.unseen_writes = list(actions), dict(pending), unseen
        return again
    outer = world.record()
    try:
        an = analyse()
    finally:
        looks = world.stop(outer)
    if time.thread_time() > an.parse_deadline:  # a budget may have run out: on a busier moment,
        return an                                # not for good (a part read as too complex)
    _kept[key] = (looks, tuple(an.actions), dict(an.pending), an.unseen_writes)
    if len(_kept) > KEEP:
        del _kept[next(iter(_kept))]
    return an


def forget() -> None:
    """Drop every kept analysis."""
    _kept.clear()


def _key(call: ToolCall, places: Places, env: Mapping[str, str]) -> tuple | None:
    """What an analysis depends on besides its looks; None when it is not kept (another kind of
    call, or one analysed inside another's recording)."""
    if call.kind not in KINDS or world.recording():
        return None
    try:
        arguments = json.dumps(call.arguments, sort_keys=True, default=_unknown)
        key = (call._replace(tool_use_id="", raw=None, arguments=arguments), places, frozenset(env.items()))
        hash(key)
    except (TypeError, ValueError):  # a value JSON or a hash cannot hold: not kept rather than guessed at
        return None
    return key


def _unknown(value):
    raise TypeError(f"{type(value).__name__} in a call's arguments")
