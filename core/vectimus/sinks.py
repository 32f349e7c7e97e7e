"""The receipt sink contract: where the body of each decision's receipt goes.

A sink is registered through the ``register_receipt_sinks`` plugin hook and subclasses
``ReceiptSink``. The built-in one, ``vectimus.receipts.sink.LocalChainSink``, signs each body and
chains it onto ``<project>/.vectimus/receipts/``; others ship bodies to an organisation's store.
Standard library only: this module is imported on the hook's hot path.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple


class SinkContext(NamedTuple):
    """Where a receipt is written: the project, the user's Vectimus home (``~/.vectimus``), the config."""

    project: Path
    home: Path
    config: Mapping


class ReceiptSink:
    """Base class for receipt sinks. Subclasses set ``name`` and implement ``emit``."""

    name: str = ""

    def emit(self, body: dict, ctx: SinkContext) -> None:
        """Record one decision's receipt body (from ``vectimus.receipts.body.receipt_body``)."""
        raise NotImplementedError

    def end_session(self, ctx: SinkContext, session: str) -> None:
        """An agent session ended: flush or seal what was written for it (default: nothing)."""
