"""Deciding one tool call for one project: its config, its policy set and the engine."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from vectimus.adapter import AgentAdapter
from vectimus.model import Decision, ToolCall

if TYPE_CHECKING:
    from vectimus.engine import Trace


class Evaluation:
    """Everything needed to decide for one project: config, policy set, engine.

    The daemon caches these per project and environment (``vectimus.daemon.cache``); the
    in-process hook builds one per call.
    """

    def __init__(self, project: str, env: dict[str, str]):
        from vectimus.config import load_config
        from vectimus.engine import Engine
        from vectimus.policies import load_policy_set

        self.project = project
        self.config = load_config(Path(project), env)
        self.policy_set = load_policy_set(Path(project), self.config)
        self.engine = Engine(self.config, self.policy_set)
        self.trace: Trace | None = None

    def decide(self, call: ToolCall, adapter: AgentAdapter, env: dict[str, str]) -> Decision:
        """The decision for ``call`` (never raises); its Cedar trace is kept in ``self.trace``."""
        from vectimus.engine import Trace

        self.trace = trace = Trace()
        started = time.perf_counter()
        decision = self.engine.decide(call, env, can_ask=adapter.supports_ask, trace=trace)
        trace.timings_ms["total"] = (time.perf_counter() - started) * 1000
        return decision
