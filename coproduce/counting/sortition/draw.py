"""The public, reproducible draw: a published seed turns a lottery into one panel.

Construction (engine version 1; this text is the specification):

1. **Stream.** For a seed string ``S`` and a purpose label ``L`` (``draw``, ``panels``,
   ``reserves``, ``legacy``), block ``i`` (``i = 0, 1, …``) is
   ``SHA-256(b"coproduce-sortition/1\\0" + L + b"\\0" + S + b"\\0" + i as 8 bytes big-endian)``
   with ``L`` and ``S`` UTF-8 encoded. The blocks are concatenated and read as consecutive
   unsigned 64-bit big-endian integers ``x0, x1, …``.
2. **Uniform integer below n.** Take the next ``x``; if ``x >= 2**64 - (2**64 mod n)`` take
   another (rejection keeps it exactly uniform); the result is ``x mod n``.
3. **Panel.** The lottery's panels are sorted by their count vectors (the canonical order of
   :class:`~coproduce.counting.sortition.model.Distribution`); their probabilities are summed
   left to right in IEEE double precision. With the next ``x``, the chosen panel is the first
   whose running sum times ``2**64`` exceeds ``x`` (the last panel if rounding leaves none).
4. **Members.** For each group in order with a count ``c > 0``, a Fisher–Yates shuffle of
   the group's sorted ids, stopped after ``c`` steps (step ``j`` swaps position ``j`` with
   ``j + uniform(len - j)``), selects its first ``c`` ids. The panel is reported sorted by id.

Anyone with the input files, the engine version (pinned HiGHS included) and the seed can
recompute the lottery and this draw. We wrote it ourselves because the reference package's
seeded runs depend on set iteration order, which changes between Python processes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

from coproduce.counting.sortition.model import Distribution

DOMAIN = b"coproduce-sortition/1"
TWO64 = 1 << 64


class SeedStream:
    """The SHA-256 counter-mode stream of the construction above."""

    def __init__(self, seed: str, purpose: str) -> None:
        self._prefix = DOMAIN + b"\0" + purpose.encode() + b"\0" + seed.encode() + b"\0"
        self._words = self._generate()

    def _generate(self) -> Iterator[int]:
        counter = 0
        while True:
            block = hashlib.sha256(self._prefix + counter.to_bytes(8, "big")).digest()
            for offset in range(0, 32, 8):
                yield int.from_bytes(block[offset : offset + 8], "big")
            counter += 1

    def next64(self) -> int:
        return next(self._words)

    def below(self, n: int) -> int:
        """A uniform integer in ``range(n)``."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = TWO64 - (TWO64 % n)
        while True:
            x = self.next64()
            if x < limit:
                return x % n

    def sample(self, items: Sequence[str], count: int) -> list[str]:
        """``count`` items chosen uniformly without replacement (partial Fisher–Yates)."""
        pool = list(items)
        for j in range(count):
            r = j + self.below(len(pool) - j)
            pool[j], pool[r] = pool[r], pool[j]
        return pool[:count]

    def shuffled(self, items: Sequence[str]) -> list[str]:
        return self.sample(items, len(items))


def _panel_index(distribution: Distribution, x: int) -> int:
    running = 0.0
    for index, (_counts, probability) in enumerate(distribution.panels):
        running += probability
        if running * TWO64 > x:
            return index
    return len(distribution.panels) - 1


def draw_panel(distribution: Distribution, seed: str) -> tuple[str, ...]:
    """Draw one panel (sorted ids) from the lottery with the published ``seed``."""
    stream = SeedStream(seed, "draw")
    counts = distribution.panels[_panel_index(distribution, stream.next64())][0]
    chosen: list[str] = []
    for members, count in zip(distribution.groups, counts, strict=True):
        if count:
            chosen.extend(stream.sample(members, count))
    return tuple(sorted(chosen))


def numbered_panels(distribution: Distribution, seed: str, m: int) -> tuple[tuple[str, ...], ...]:
    """``m`` panels to number 1..m for a public physical draw (dice, balls from a bag).

    Panel ``j`` (0-based) is the lottery panel at cumulative point ``(j + 1/2)/m`` (systematic
    rounding, so each lottery panel appears about ``m × probability`` times). Within each group
    the members, shuffled once with the seed, are dealt round-robin to the panels that need
    them, so everyone in a group appears within one panel of equally often. Choosing one of
    the ``m`` panels uniformly then gives each person a probability within about ``1/m`` of the
    optimal one.
    """
    if m <= 0:
        raise ValueError("m must be positive")
    stream = SeedStream(seed, "panels")
    picks = [distribution.panels[_panel_index(distribution, ((2 * j + 1) * TWO64) // (2 * m))][0] for j in range(m)]
    result: list[list[str]] = [[] for _ in range(m)]
    for g, members in enumerate(distribution.groups):
        order = stream.shuffled(members)
        cursor = 0
        for j, counts in enumerate(picks):
            for _ in range(counts[g]):
                result[j].append(order[cursor % len(order)])
                cursor += 1
    return tuple(tuple(sorted(panel)) for panel in result)
