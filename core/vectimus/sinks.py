"""The receipt sink contract: where the body of each decision's receipt goes.

A sink is registered through the ``register_receipt_sinks`` plugin hook and subclasses
``ReceiptSink``. The built-in one, ``vectimus.receipts.sink.LocalChainSink``, signs each body and
chains it onto ``<project>/.vectimus/receipts/``; others ship bodies to an organisation's store.
Standard library only: this module is imported on the hook's hot path.

A sink that sends receipts somewhere slow keeps that work off the hot path: ``emit`` only writes
locally, and the resident evaluator (a long-lived process) lets the sink run background threads
through ``start_background`` / ``stop_background``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from vectimus.records import Record


class SinkContext(Record):
    """Where a receipt is written: the project, the user's Vectimus home (``~/.vectimus``), the config,
    and the hook's environment (the agent's, also inside the resident evaluator).

    ``deadline`` is the Unix time by which the hook must answer (None: no particular hurry); a
    sink that waits (a lock, the network) gives up by then and raises.
    """

    project: Path
    home: Path
    config: Mapping
    env: Mapping = MappingProxyType({})
    deadline: float | None = None


class ReceiptSink:
    """Base class for receipt sinks. Subclasses set ``name`` and implement ``emit``."""

    name: str = ""

    def emit(self, body: dict, ctx: SinkContext) -> None:
        """Record one decision's receipt body (from ``vectimus.receipts.body.receipt_body``)."""
        raise NotImplementedError

    def end_session(self, ctx: SinkContext, session: str) -> None:
        """An agent session ended: flush or seal what was written for it (default: nothing)."""

    def start_background(self) -> None:
        """Called once in the resident evaluator before it serves: start threads for slow work.

        ``emit`` runs in that process too (on other instances of the class: keep shared state in
        the module) and must never wait on those threads. Default: nothing.
        """

    def stop_background(self, timeout: float) -> None:
        """The resident evaluator is exiting: finish or abandon background work within ``timeout`` s."""

    def status(self, ctx: SinkContext, *, probe: bool = False) -> dict | None:
        """What ``status``, ``doctor`` and the job summary show for this sink (default: None, nothing).

        A dict with ``ok`` (bool) and ``summary`` (one line), plus anything for ``--json``.
        ``probe``: ``vectimus doctor`` asks the sink to check its destination, in bounded time.
        """
        return None

