"""The receipt log's lock: an exclusive ``flock`` on the receipts directory, waited for until a
deadline and no longer (a hung or hostile holder makes the call a deny, never a hang).
"""

from __future__ import annotations

import fcntl
import time
from pathlib import Path

from vectimus.receipts.state import ReceiptLogError


class _Waited(Exception):
    """The alarm that ends a bounded wait for the lock."""


def _alarm(signum, frame):
    raise _Waited


def _wait_blocking(fd: int, left: float) -> bool | None:
    """Block on the lock for at most ``left`` seconds (SIGALRM ends the wait); None when that cannot be done here.

    A blocked ``flock`` is woken in turn by the kernel, so waiters are served fairly; only the main
    thread can take a signal, and an interval timer already in use is not disturbed.
    """
    import signal

    if signal.getitimer(signal.ITIMER_REAL)[0]:
        return None
    try:
        previous = signal.signal(signal.SIGALRM, _alarm)
    except ValueError:  # not the main thread
        return None
    try:
        signal.setitimer(signal.ITIMER_REAL, left)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            return True
        except _Waited:
            return False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Waited:  # the alarm rang just as the lock came: closing fd releases it
        return False
    finally:
        signal.signal(signal.SIGALRM, previous)


def lock(fd: int, deadline: float, where: Path) -> None:
    """Take the log's lock by ``deadline`` (Unix time) or raise ReceiptLogError."""
    started, delay = time.time(), 0.0005
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    got = _wait_blocking(fd, deadline - started) if deadline > started else False
    while got is None:  # another thread: poll
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            left = deadline - time.time()
            if left <= 0:
                got = False
            else:
                time.sleep(min(delay, left))
                delay = min(delay * 2, 0.005)
    if not got:
        raise ReceiptLogError(f"the receipt log {where} is locked by another process "
                              f"(waited {time.time() - started:.1f} s)")
