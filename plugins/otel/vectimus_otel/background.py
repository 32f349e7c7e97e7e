"""The resident evaluator's exporter: one background thread draining every spool it is told about.

In the daemon, ``emit`` spools a decision exactly as the in-process hook does, then calls
``note``: a dict update and an event, nothing that waits. The thread lets decisions gather for
``LINGER`` seconds after a wake-up so they go out in one request, exports, and after a failure
backs off (``MIN_BACKOFF`` doubling to ``MAX_BACKOFF``, with jitter) before trying that spool
again; the decisions stay spooled meanwhile and nothing reaches back to the requests being served.
When the daemon exits, each spool not in back-off gets one last try within the time allowed.
"""

from __future__ import annotations

import random
import sys
import threading
import time
from pathlib import Path

from vectimus_otel.settings import Settings
from vectimus_otel.spool import Spool

LINGER = 1.0          # seconds decisions gather after a wake-up before they are exported
RECHECK = 1.0         # seconds before decisions waiting for their signed receipt are looked at again
MIN_BACKOFF = 1.0
MAX_BACKOFF = 300.0
ROUND_BUDGET = 30.0   # seconds one spool may take per round, so others are not starved


def _say(message: str) -> None:
    """One line to the daemon's log (its stderr)."""
    sys.stderr.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} vectimus-otel: {message}\n")
    sys.stderr.flush()


class Exporter:
    """The background exporter of one process."""

    def __init__(self):
        self.targets: dict[str, Settings] = {}   # Vectimus home -> the settings last seen for it
        self.retry_at: dict[str, float] = {}
        self.backoff: dict[str, float] = {}
        self.senders: dict = {}                  # Settings -> export.Sender
        self.lock = threading.Lock()
        self.wakeup = threading.Event()
        self.stopping = threading.Event()
        self.stop_by = 0.0
        self.thread = threading.Thread(target=self.run, name="vectimus-otel-export", daemon=True)

    def note(self, home: Path, settings: Settings) -> None:
        """A decision was spooled in ``home`` under ``settings``: export it soon (never waits)."""
        with self.lock:
            self.targets[str(home)] = settings
        self.wakeup.set()

    def run(self) -> None:
        from vectimus_otel import export
        from vectimus_otel.signed import SignedReceipts

        receipts = SignedReceipts()
        due: float | None = None
        while not self.stopping.is_set():
            self.wakeup.wait(timeout=due)
            if self.wakeup.is_set():
                self.wakeup.clear()
                self.stopping.wait(LINGER)
            if self.stopping.is_set():
                break
            due = self.round(export, receipts, final=False)
        self.round(export, receipts, final=True)

    def round(self, export, receipts, *, final: bool) -> float | None:
        """Export every known spool that is not backing off; return when to look again (None: on wake-up)."""
        with self.lock:
            targets = list(self.targets.items())
        due: list[float] = []
        for home, settings in targets:
            now = time.monotonic()
            if self.retry_at.get(home, 0.0) > now:
                due.append(self.retry_at[home] - now)
                continue
            deadline = self.stop_by if final else now + ROUND_BUDGET
            try:
                with Spool(Path(home)).exclusive(0) as turn:
                    if turn is None:  # a session end or `vectimus otel flush` is exporting it
                        due.append(RECHECK)
                        continue
                    sender = self.senders.get(settings) or self.senders.setdefault(settings, export.Sender(settings))
                    outcome = export.export_pending(turn, sender, receipts, deadline=deadline, final=final)
            except Exception as exc:  # a bug or an unreadable spool must not end the thread
                outcome = export.Outcome(error=f"{exc.__class__.__name__}: {exc}")
            if outcome.error:
                wait = min(max(self.backoff.get(home, 0.0) * 2, MIN_BACKOFF), MAX_BACKOFF)
                if home not in self.backoff:
                    _say(f"export from {home} failed, retrying with back-off: {outcome.error}")
                self.backoff[home] = wait
                self.retry_at[home] = time.monotonic() + wait * random.uniform(0.8, 1.2)
                due.append(wait)
            else:
                if self.backoff.pop(home, None) is not None:
                    _say(f"export from {home} works again")
                self.retry_at.pop(home, None)
                if outcome.waiting:
                    due.append(RECHECK)
        return min(due) if due else None

    def stop(self, timeout: float) -> None:
        """Give the thread ``timeout`` seconds for a last export, then leave it (it is a daemon thread)."""
        self.stop_by = time.monotonic() + timeout
        self.stopping.set()
        self.wakeup.set()
        self.thread.join(timeout)


running: Exporter | None = None


def start(*, warm: bool) -> Exporter:
    """Start this process's background exporter; ``warm``: import the SDK now, before serving."""
    global running
    if running is None:
        if warm:
            import vectimus_otel.export  # noqa: F401  (the SDK: a few hundred ms, not during a request)
        running = Exporter()
        running.thread.start()
    return running


def stop(timeout: float) -> None:
    """Stop this process's background exporter, if it runs."""
    global running
    if running is not None:
        running.stop(timeout)
        running = None
