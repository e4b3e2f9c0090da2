"""MES at many per-voter budgets at once, for add-one completion where single runs cannot skip.

On some city-wide votes (Warszawa 2026 is one) two overlapping projects swap places every few
budget steps, so no trial run's headroom (see :mod:`~coproduce.counting.pb.mes`) covers even one
step and completion runs MES at every step. Consecutive budgets still decide the same for most of
the run, so :class:`BatchMes` runs a batch of budgets together: one row per budget, the rows
sharing the voters' classes and each project's supporter histogram, and a batch splits in two
only in the round where its budgets choose different projects. Batches advance round by round
together, and two that have funded the same projects (in different orders: on those votes, usually
a swap of two near-tied projects) join again — their voters fall into the same classes, whatever
each budget's money.

It works in floating point and decides nothing near a tie: a row whose decision comes within the
relative :data:`~coproduce.counting.pb.mes.TOLERANCE` of going the other way (two prices, a
project's cost and its supporters' money, a payment and a class's money) is given up, and the
exact engine counts that budget instead. Every decision it does take has the margin under which
the exact engine itself trusts floating point, so a row it finishes funds what exact arithmetic
funds. The one exception is common enough to settle exactly: projects whose supporters with money
left all pay the same (under cost utilities, any two with as many such supporters tie exactly).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from coproduce.counting.pb.mes import TOLERANCE, _Classes, _start, _water_fill, histogram
from coproduce.counting.pb.profile import Compiled
from coproduce.counting.pb.ties import TieOrder

ZERO = _Classes.ZERO  # the class of voters with no money left (in every row)


@dataclass(eq=False)
class _Batch:
    """Rows (budgets) that have funded the same projects so far (in the same order, but for rows
    that joined), and their money by class."""

    rows: np.ndarray  # positions in the caller's list of budgets
    class_of: np.ndarray  # per supporter group: its class (shared by the rows)
    count: int  # classes in use
    money: np.ndarray  # row × class
    low: np.ndarray  # row × project: a lower bound on the price (per unit of utility)
    price: np.ndarray  # row × project: the price, while the project is not stale
    alive: np.ndarray  # row × project: neither funded nor found unaffordable
    stale: np.ndarray  # per project: a supporter paid since it was last priced
    histograms: dict[int, tuple[np.ndarray, np.ndarray]]  # per fresh project: classes and sizes
    funded: list[int]
    # Rows that joined from a batch that funded the same projects in another order: their order up
    # to then (``funded`` after that).
    orders: dict[int, list[int]]

    def order(self, row: int) -> list[int]:
        """What ``row`` (a position in the caller's list of budgets) funded, in order."""
        before = self.orders.get(row, [])
        return before + self.funded[len(before) :]

    def take(self, keep: np.ndarray) -> _Batch:
        """The rows in ``keep``, as a batch of their own from here on."""
        return _Batch(
            self.rows[keep],
            self.class_of.copy(),
            self.count,
            self.money[keep],
            self.low[keep],
            self.price[keep],
            self.alive[keep],
            self.stale.copy(),
            dict(self.histograms),
            list(self.funded),
            {row: self.orders[row] for row in self.rows[keep].tolist() if row in self.orders},
        )

    def keep(self, keep: np.ndarray) -> None:
        """Go on with only the rows in ``keep``."""
        if keep.all():
            return
        self.rows, self.money, self.low = self.rows[keep], self.money[keep], self.low[keep]
        self.price, self.alive = self.price[keep], self.alive[keep]
        if self.orders:
            self.orders = {row: self.orders[row] for row in self.rows.tolist() if row in self.orders}

    def join(self, other: _Batch) -> None:
        """Take in ``other``'s rows: it funded the same projects (perhaps in another order).

        A voter's class is the funded projects she supports (or no money left, in every row), so
        the classes of both are split where they differ, and each row keeps its own money.
        """
        # Usually the classes are the same under other numbers: match them through one voter each.
        someone = np.zeros(other.count, dtype=np.int64)
        someone[other.class_of] = np.arange(len(other.class_of))
        used = np.zeros(other.count, dtype=bool)
        used[other.class_of] = True
        theirs = self.class_of[someone]
        same = (theirs[other.class_of] == self.class_of).all()
        if same and ((theirs == ZERO) == (np.arange(other.count) == ZERO))[used].all():
            money = np.zeros((len(self.rows) + len(other.rows), self.money.shape[1]))
            money[: len(self.rows)] = self.money
            money[len(self.rows) :, theirs[used]] = other.money[:, : other.count][:, used]
        else:
            key = self.class_of * other.count + other.class_of
            pairs, class_of = np.unique(key, return_inverse=True)
            mine, theirs = pairs // other.count, pairs % other.count
            broke = (mine == ZERO) & (theirs == ZERO)
            # (Class numbers from 2 up; the class of those broke in every row stays ZERO.)
            number = np.where(broke, ZERO, 1 + np.cumsum(~broke))
            count = 2 + int((~broke).sum())
            money = np.zeros((len(self.rows) + len(other.rows), max(256, 2 * count)))
            money[: len(self.rows), number] = self.money[:, mine]
            money[len(self.rows) :, number] = other.money[:, theirs]
            self.class_of, self.count = number[class_of], count
            self.histograms = {}  # (with the new class numbers, made again as needed)
        self.money = money
        self.orders.update({row: other.order(row) for row in other.rows.tolist()})
        self.rows = np.concatenate([self.rows, other.rows])
        self.low, self.price = np.vstack([self.low, other.low]), np.vstack([self.price, other.price])
        self.alive = np.vstack([self.alive, other.alive])
        self.stale |= other.stale


class BatchMes:
    """MES with cost or approval utilities at several per-voter budgets at once (see module)."""

    def __init__(self, compiled: Compiled, utility: str, order: TieOrder, overlaps: np.ndarray) -> None:
        if utility not in ("cost", "approval"):
            raise ValueError("BatchMes needs cost or approval utilities")
        self.compiled = compiled
        self.cost = np.array([float(c) for c in compiled.costs])
        self.unit = self.cost if utility == "cost" else np.ones(len(self.cost))
        self.votes = np.array(compiled.backers, dtype=np.float64)
        # Free projects MES funds at once (approval utilities), and the projects it prices.
        self.free, candidates = _start(compiled, Fraction(0), utility)
        self.candidate = np.zeros(len(self.cost), dtype=bool)
        self.candidate[candidates] = True
        with np.errstate(divide="ignore", invalid="ignore"):
            self.first_price = np.where(self.candidate, self.cost / (self.votes * self.unit), np.inf)
        self.rank = np.array(order.rank)
        # Exact utilities, for exact prices where all payers pay alike (see _price_alike).
        self.exact_unit = [c if utility == "cost" else Fraction(1) for c in compiled.costs]
        self.overlaps = overlaps
        self.weights_of = [compiled.weights[s] for s in compiled.supporters]

    def run(self, budgets: Sequence[float]) -> list[list[int] | None]:
        """The projects MES funds at each per-voter budget, in order, or None for a budget too close
        to a tie to decide in floating point."""
        count = len(budgets)
        projects, groups = len(self.cost), len(self.compiled.weights)
        money = np.zeros((count, 256))
        money[:, 0] = budgets
        start = _Batch(
            rows=np.arange(count),
            class_of=np.zeros(groups, dtype=np.int64),
            count=2,  # class 0: everyone at the start; class 1 (ZERO): no money
            money=money,
            low=np.tile(self.first_price, (count, 1)),
            price=np.full((count, projects), np.inf),
            alive=np.tile(self.candidate, (count, 1)),
            stale=np.ones(projects, dtype=bool),
            histograms={},
            funded=list(self.free.funded),
            orders={},
        )
        outcomes: list[list[int] | None] = [None] * count
        # Batches still running, all at the start of a round; the one that has funded least goes
        # first, and joins one that has funded the same projects once it has too.
        running = [start]
        while running:
            batch = min(running, key=lambda b: len(b.funded))
            running.remove(batch)
            if not self._round(batch, running, outcomes):
                continue
            funded = set(batch.funded)
            twin = next((b for b in running if len(b.funded) == len(funded) and set(b.funded) == funded), None)
            if twin is None:
                running.append(batch)
            else:
                twin.join(batch)
        return outcomes

    def _round(self, batch: _Batch, running: list[_Batch], outcomes: list[list[int] | None]) -> bool:
        """One round of ``batch``; rows that choose another project part into batches of their own
        (on ``running``, still to pay). False once none of its rows goes on."""
        if not len(batch.rows):
            return False
        doubtful = self._price(batch)
        price = np.where(batch.alive & ~batch.stale, batch.price, np.inf)
        best = price.min(axis=1)
        done = np.isinf(best) & ~doubtful
        for row in batch.rows[done].tolist():
            outcomes[row] = batch.order(row)
        near = price <= (best * (1 + TOLERANCE))[:, None]
        choice = price.argmin(axis=1)
        # A second price within rounding of the best is a possible tie: decided exactly where
        # each such project's payers all pay alike, else left to the exact engine.
        tied = ~doubtful & ~done & (near.sum(axis=1) > 1)
        for row in np.flatnonzero(tied).tolist():
            exact = {p: self._price_alike(batch, row, p) for p in np.flatnonzero(near[row]).tolist()}
            if None not in exact.values():
                choice[row] = min(exact, key=lambda p: (exact[p], self.rank[p]))
                tied[row] = False
        going = ~doubtful & ~done & ~tied
        if not going.any():
            return False
        chosen = int(choice[going][0])
        parting = going & (choice != chosen)
        if parting.any():
            for other in np.unique(choice[parting]).tolist():
                running.append(batch.take(going & (choice == other)))
        batch.keep(going & (choice == chosen))
        self._pay(batch, chosen)
        return bool(len(batch.rows))

    def _price(self, batch: _Batch) -> np.ndarray:
        """Price every stale project that might be the cheapest in some row; return the rows where
        a project's affordability is within rounding."""
        doubtful = np.zeros(len(batch.rows), dtype=bool)
        price = np.where(batch.alive & ~batch.stale, batch.price, np.inf)
        best = price.min(axis=1)
        wanted = batch.alive & batch.stale & (batch.low <= (best * (1 + TOLERANCE))[:, None])
        columns = np.flatnonzero(wanted.any(axis=0))
        if not len(columns):
            return doubtful
        lowest = np.where(wanted[:, columns], batch.low[:, columns], np.inf).min(axis=0)
        ranked = np.argsort(lowest, kind="stable")
        for p, bound in zip(columns[ranked].tolist(), lowest[ranked].tolist(), strict=True):
            if bound > float(best.max()) * (1 + TOLERANCE):
                break  # (bounds in rising order: no row needs this one or any later one)
            if not (batch.alive[:, p] & (batch.low[:, p] <= best * (1 + TOLERANCE))).any():
                continue
            batch.histograms.pop(p, None)
            classes, sizes = self._histogram(batch, p)
            batch.stale[p] = False
            cash = batch.money[:, classes]
            total = cash @ sizes
            cost = self.cost[p]
            short = total < cost * (1 - TOLERANCE)
            sure = total > cost * (1 + TOLERANCE)
            doubtful |= ~short & ~sure & batch.alive[:, p]
            batch.alive[:, p] &= ~short
            prices = np.full(len(batch.rows), np.inf)
            if sure.any():
                prices[sure] = _water_fill_rows(cash[sure], sizes, cost, self.votes[p]) / self.unit[p]
            batch.price[:, p] = prices
            batch.low[:, p] = np.where(short, batch.low[:, p], prices)
            best = np.minimum(best, np.where(batch.alive[:, p], prices, np.inf))
        return doubtful

    def _histogram(self, batch: _Batch, p: int) -> tuple[np.ndarray, np.ndarray]:
        """The classes of ``p``'s supporters and how many voters of each (kept while fresh)."""
        if p not in batch.histograms:
            batch.histograms[p] = histogram(batch.class_of, self.compiled.supporters[p], self.weights_of[p])
        return batch.histograms[p]

    def _price_alike(self, batch: _Batch, row: int, p: int) -> Fraction | None:
        """The exact price of fresh project ``p`` in ``row`` if all its supporters with money left
        can pay an equal split with room to spare (then they all pay it), else None.

        Money is exactly 0 only for voters who paid all they had, so the payers are counted exactly.
        """
        classes, sizes = self._histogram(batch, p)
        cash = batch.money[row, classes]
        broke = cash == 0
        payers = int(self.votes[p] - sizes[broke].sum())
        if not payers or cash[~broke].min() <= self.cost[p] / payers * (1 + TOLERANCE):
            return None
        return self.compiled.costs[p] / (payers * self.exact_unit[p])

    def _pay(self, batch: _Batch, chosen: int) -> None:
        """Every row funds ``chosen``: its supporters pay, and classes split where some of a class
        pays and the rest does not."""
        classes = self._histogram(batch, chosen)[0]
        payment = batch.price[:, chosen] * self.unit[chosen]
        left = batch.money[:, classes] - payment[:, None]
        # A class's money within rounding of the payment: whether it pays in full is left to the
        # exact engine.
        doubtful = (np.abs(left) <= TOLERANCE * payment[:, None]).any(axis=1)
        if doubtful.any():
            batch.keep(~doubtful)
            left = left[~doubtful]
            if not len(batch.rows):
                return
        broke = left < 0
        gone = broke.all(axis=0) | (classes == ZERO)
        kept = classes[~gone]
        new = len(kept)
        if batch.count + new > batch.money.shape[1]:
            grown = np.zeros((len(batch.rows), 2 * (batch.count + new)))
            grown[:, : batch.count] = batch.money[:, : batch.count]
            batch.money = grown
        remap = np.zeros(batch.count, dtype=np.int64)
        remap[classes[gone]] = ZERO
        remap[kept] = np.arange(batch.count, batch.count + new)
        batch.money[:, batch.count : batch.count + new] = np.where(broke[:, ~gone], 0.0, left[:, ~gone])
        batch.count += new
        members = self.compiled.supporters[chosen]
        batch.class_of[members] = remap[batch.class_of[members]]
        batch.stale |= self.overlaps[chosen]
        batch.alive[:, chosen] = False
        batch.funded.append(chosen)


def _water_fill_rows(cash: np.ndarray, sizes: np.ndarray, cost: float, votes: float) -> np.ndarray:
    """Per row of ``cash`` (row × class), the payment π with Σ size·min(cash, π) = cost.

    As :func:`~coproduce.counting.pb.mes._water_fill`, over all rows at once: from the equal split,
    classes that cannot pay it are capped and the rest share the remainder until no new class is
    capped; rows that have not settled after a few passes are settled one by one.
    """
    payment = np.full(len(cash), cost / votes)
    capped = cash < payment[:, None]
    if not capped.any():
        return payment
    spend = cash * sizes
    for _ in range(6):
        payment = (cost - (spend * capped).sum(axis=1)) / (votes - capped @ sizes)
        again = cash < payment[:, None]
        moved = (again != capped).any(axis=1)
        if not moved.any():
            return payment
        capped = again
    # The rows still moving are settled one by one (a row that settled stays settled: the same
    # capped classes give the same payment).
    for row in np.flatnonzero(moved).tolist():
        payment[row] = _water_fill(cash[row], sizes, cost, votes)[0]
    return payment
