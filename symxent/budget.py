"""A time budget for one piece of work that cannot be asked to stop (SymPy, a user's function).

Contract: ``with budget(seconds): ...`` raises :class:`OverBudget` in the main thread when the
work runs past ``seconds`` (a SIGALRM timer; the previous handler and timer are restored on
exit). Outside the main thread, or with ``seconds <= 0``, it does nothing: a signal can only be
delivered there, and a budget of 0 means none.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["OverBudget", "budget"]


class OverBudget(Exception):
    """The work ran past its time budget."""

    def __init__(self, seconds: float):
        super().__init__(f"ran past its time budget of {seconds:g} s")
        self.seconds = seconds


@contextlib.contextmanager
def budget(seconds: float) -> Iterator[None]:
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        raise OverBudget(seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
