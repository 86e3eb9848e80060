"""Pacing a run at a chosen number of epochs per second: a token bucket on a monotonic clock.

Epoch credit accrues with the clock's time at the chosen speed.  The run
spends one credit per epoch and, when it has none, waits for enough credit
for a tick's worth of epochs (several epochs per wait at high speeds, so a
thousand epochs a second does not mean a thousand sleeps).  Sleeping once per
epoch would add each epoch's own time and the sleep's overshoot to the period;
credit by the clock does not drift.  The bucket holds at most a fraction of a
second of credit: after a pause or a slow stretch the run does not race to
catch up.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

#: the shortest wait worth making: at high speeds epochs are released in groups of this many seconds' worth
TICK = 0.01
#: the most credit kept (seconds' worth, and at least two epochs): a late run catches up this much, no more
BURST = 0.25
#: round-off allowed when credit is counted in whole epochs
EPSILON = 1e-9


class EpochPacer:
    """How many epochs may run now at ``speed`` epochs per second (0 = as fast as possible)."""

    def __init__(self, speed: float = 0.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.clock, self.sleep = clock, sleep
        self.speed = 0.0
        self._credit = 0.0
        self._last = clock()
        self.set_speed(speed)

    @property
    def paced(self) -> bool:
        return self.speed > 0

    def set_speed(self, speed: float) -> None:
        """A new pace; credit starts from one epoch so the first epoch runs at once."""
        speed = float(speed)
        if not math.isfinite(speed) or speed < 0:
            raise ValueError(f"speed must be 0 (as fast as possible) or a positive number of epochs/s, not {speed!r}")
        self.speed = speed
        self.restart()

    def restart(self) -> None:
        """Forget the credit (after a pause): the next epoch runs now, the rest at the pace."""
        self._credit = 1.0
        self._last = self.clock()

    def _accrue(self) -> None:
        now = self.clock()
        capacity = max(2.0, self.speed * BURST)
        self._credit = min(capacity, self._credit + (now - self._last) * self.speed)
        self._last = now

    def allowance(self) -> int:
        """Epochs that may run now (a large number when unpaced)."""
        if not self.paced:
            return 2**62
        self._accrue()
        return int(self._credit + EPSILON)

    def spend(self, epochs: int) -> None:
        if self.paced:
            self._credit -= epochs

    def wait_time(self) -> float:
        """Seconds to wait before the next group of epochs (0 when one may run now)."""
        if not self.paced:
            return 0.0
        self._accrue()
        if self._credit + EPSILON >= 1.0:
            return 0.0
        group = max(1.0, self.speed * TICK)
        return (group - self._credit) / self.speed + EPSILON

    def wait(self) -> None:
        """Sleep (with the given ``sleep``, which may return early) until epochs may run."""
        delay = self.wait_time()
        if delay > 0:
            self.sleep(delay)
