"""The Method of Equal Shares (MES) for participatory budgeting.

Every voter gets an equal share of the budget. In each round the project that its supporters can
pay for at the lowest price per unit of utility (its *affordability* ρ) is funded; each supporter
pays ``min(her money left, ρ × her utility)``. A project its supporters can no longer pay for is
dropped. See Peters, Pierczyński & Skowron (NeurIPS 2021) and equalshares.net.

Why our own: pabutools (GPL) recomputes every project over every voter with exact fractions; on
Warszawa 2026 with add-one completion it needs ~10 minutes and 12 GB. Two observations make ours
fast *and* exact:

* With cost or approval utilities every supporter of a project has the same utility, so a voter's
  money left depends only on which funded projects she supported. We keep voters in *classes* of
  equal money (split only when a funded project's supporters are a part of a class) and the money
  of each class as an exact :class:`~fractions.Fraction`. Pricing a project is then a water-filling
  over a few classes whose sizes numpy counts exactly (integers).
* Prices are compared in floating point; whenever two are within a relative ``1e-9`` (a possible
  tie), or a project's supporters have within ``1e-9`` of its cost, the decision is re-made in
  exact arithmetic from the exact class money. The funded project's price is always exact, so
  money never drifts. The outcome is therefore exactly the exact-arithmetic outcome.

For points utilities (cumulative/scoring/ordinal ballots) supporters' utilities differ; that rule
runs in exact arithmetic over groups of identical ballots (:func:`run_mes_exact`), which is also
the reference the fast path is tested against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from coproduce.counting.pb.profile import Compiled
from coproduce.counting.pb.ties import TieOrder

# Relative gap under which two floating-point prices are re-compared exactly.
TOLERANCE = 1e-9


@dataclass
class MesRun:
    """One run of MES at one per-voter budget: what was funded, when, and at what price."""

    voter_budget: Fraction
    funded: list[int] = field(default_factory=list)
    round_of: dict[int, int] = field(default_factory=dict)
    # ρ: the price per unit of utility each full-paying supporter paid.
    rho: dict[int, Fraction] = field(default_factory=dict)
    # Projects dropped because their supporters' money left fell below the cost: the round.
    dropped: dict[int, int] = field(default_factory=dict)
    ties: list[tuple[int, list[int], int]] = field(default_factory=list)
    exact_rechecks: int = 0


def utilities(compiled: Compiled, utility: str) -> tuple[tuple[Fraction, ...], ...]:
    """Each supporter's utility per project: the cost, 1, or her points."""
    if utility == "points":
        return compiled.points
    if utility == "cost":
        return tuple((cost,) * len(s) for cost, s in zip(compiled.costs, compiled.supporters, strict=True))
    return tuple((Fraction(1),) * len(s) for s in compiled.supporters)


def _start(compiled: Compiled, voter_budget: Fraction, utility: str) -> tuple[MesRun, list[int]]:
    """Fund supported free projects at once; return the run and the projects MES will price.

    Under cost utilities a free project is worth nothing to its supporters (utility = cost = 0),
    so MES leaves it to a greedy top-up, as pabutools does.
    """
    run = MesRun(voter_budget=voter_budget)
    candidates = []
    for p, cost in enumerate(compiled.costs):
        if compiled.backers[p] == 0:
            continue
        if cost == 0:
            if utility == "cost":
                continue
            run.funded.append(p)
            run.round_of[p] = 0
            run.rho[p] = Fraction(0)
        else:
            candidates.append(p)
    return run, candidates


def _choose(run: MesRun, tied: list[int], order: TieOrder, round_number: int) -> int:
    chosen = min(tied, key=lambda p: order.rank[p])
    if len(tied) > 1:
        run.ties.append((round_number, sorted(tied, key=lambda p: order.rank[p]), chosen))
    return chosen


def run_mes_exact(compiled: Compiled, utility: str, voter_budget: Fraction, order: TieOrder) -> MesRun:
    """MES in exact arithmetic over groups of identical ballots (any additive utility)."""
    util = utilities(compiled, utility)
    weights = [int(w) for w in compiled.weights]
    money = [voter_budget] * len(weights)
    supporters = [s.tolist() for s in compiled.supporters]
    run, remaining = _start(compiled, voter_budget, utility)
    total_util = {
        p: sum((u * weights[g] for g, u in zip(supporters[p], util[p], strict=True)), Fraction(0)) for p in remaining
    }
    last = {p: compiled.costs[p] / total_util[p] for p in remaining}

    def price(p: int) -> Fraction | None:
        cost = compiled.costs[p]
        pairs = list(zip(supporters[p], util[p], strict=True))
        if sum(money[g] * weights[g] for g, _u in pairs) < cost:
            return None
        pairs.sort(key=lambda pair: money[pair[0]] / pair[1])
        paid, rest = Fraction(0), total_util[p]
        for g, u in pairs:
            rho = (cost - paid) / rest
            if rho * u <= money[g]:
                return rho
            paid += money[g] * weights[g]
            rest -= u * weights[g]
        raise AssertionError("affordable project without a price")  # pragma: no cover

    round_number = 0
    while remaining:
        round_number += 1
        best: Fraction | None = None
        tied: list[int] = []
        for p in sorted(remaining, key=lambda q: last[q]):
            if best is not None and last[p] > best:
                break
            rho = price(p)
            if rho is None:
                run.dropped[p] = round_number
                continue
            last[p] = rho
            if best is None or rho < best:
                best, tied = rho, [p]
            elif rho == best:
                tied.append(p)
        remaining = [p for p in remaining if p not in run.dropped]
        if best is None:
            break
        chosen = _choose(run, tied, order, round_number)
        for g, u in zip(supporters[chosen], util[chosen], strict=True):
            money[g] -= min(money[g], best * u)
        run.funded.append(chosen)
        run.round_of[chosen] = round_number
        run.rho[chosen] = best
        remaining.remove(chosen)
    return run


class ConstantUtilityMes:
    """Fast exact MES when all supporters of a project share one utility (cost or approval).

    Voters live in *classes*: all voters of a class supported the same funded projects, so they
    have the same money left — ``b₀ − Σ π_f`` over the funded projects ``f`` in the class's history
    (``π_f`` the payment per supporter), or exactly 0 once they could not pay in full (one shared
    class). A class stores its history as a row of bits, so any exact sum of money is
    ``b₀·N − Σ_f π_f·K_f`` with integer counts ``K_f`` that numpy computes: exact arithmetic costs
    one multiplication per round, not one per voter.

    Built once per instance; :meth:`run` is called once per per-voter budget (add-one completion
    calls it hundreds of times).
    """

    def __init__(self, compiled: Compiled, utility: str, order: TieOrder) -> None:
        if utility not in ("cost", "approval"):
            raise ValueError("ConstantUtilityMes needs cost or approval utilities")
        self.compiled = compiled
        self.order = order
        self.utility = utility
        self.unit = [cost if utility == "cost" else Fraction(1) for cost in compiled.costs]
        self.unit_f = [float(u) for u in self.unit]
        self.cost_f = [float(c) for c in compiled.costs]
        self.weights_of = [compiled.weights[s] for s in compiled.supporters]

    def run(self, voter_budget: Fraction) -> MesRun:
        """MES with every voter starting with ``voter_budget``."""
        compiled = self.compiled
        run, remaining = _start(compiled, voter_budget, self.utility)
        state = _Classes(len(compiled.weights), voter_budget, len(remaining) + 1)
        # A lower bound on each project's price (prices only rise as money is spent).
        last = {p: self.cost_f[p] / (compiled.backers[p] * self.unit_f[p]) for p in remaining}
        round_number = 0
        while remaining:
            round_number += 1
            best = math.inf
            priced: dict[int, float] = {}
            histograms: dict[int, tuple[np.ndarray, np.ndarray]] = {}
            dropped: list[int] = []
            for p in sorted(remaining, key=last.__getitem__):
                if last[p] > best * (1 + TOLERANCE):
                    break
                classes, sizes = state.histogram(compiled.supporters[p], self.weights_of[p])
                histograms[p] = (classes, sizes)
                total = float(sizes @ state.money_f[classes])
                cost = self.cost_f[p]
                if total < cost * (1 - TOLERANCE) or (
                    total <= cost * (1 + TOLERANCE) and state.exact_total(classes, sizes) < compiled.costs[p]
                ):
                    dropped.append(p)
                    continue
                rho = _water_fill(state.money_f[classes], sizes, cost, compiled.backers[p])[0] / self.unit_f[p]
                last[p] = priced[p] = rho
                best = min(best, rho)
            for p in dropped:
                run.dropped[p] = round_number
                remaining.remove(p)
            if not priced:
                break
            near = [p for p, rho in priced.items() if rho <= best * (1 + TOLERANCE)]
            exact = {p: self._price_exact(p, *histograms[p], state) for p in near}
            if len(near) > 1:
                run.exact_rechecks += 1
                low = min(exact.values())
                near = [p for p in near if exact[p] == low]
            chosen = _choose(run, near, self.order, round_number)
            rho = exact[chosen]
            run.funded.append(chosen)
            run.round_of[chosen] = round_number
            run.rho[chosen] = rho
            remaining.remove(chosen)
            state.pay(compiled.supporters[chosen], histograms[chosen][0], rho * self.unit[chosen])
        return run

    def _price_exact(self, p: int, classes: np.ndarray, sizes: np.ndarray, state: _Classes) -> Fraction:
        """ρ for project ``p`` in exact arithmetic.

        The floating-point water-filling says which (poorest) classes pay all they have; their
        exact money is summed, and only classes whose money is within rounding of the payment are
        re-compared exactly. If one of those is on the wrong side, every class is walked exactly.
        """
        cost, votes = self.compiled.costs[p], self.compiled.backers[p]
        payment_f, order, capped = _water_fill(state.money_f[classes], sizes, self.cost_f[p], votes)
        ordered, counts = classes[order], sizes[order]
        paid = state.exact_total(ordered[:capped], counts[:capped])
        payment = (cost - paid) / (votes - int(counts[:capped].sum()))
        cash_f = state.money_f[ordered]
        near = np.flatnonzero(np.abs(cash_f - payment_f) <= TOLERANCE * payment_f)
        money = {j: state.exact_money(int(ordered[j])) for j in near.tolist()}
        if all((money[j] <= payment) if j < capped else (money[j] >= payment) for j in money):
            return payment / self.unit[p]
        pairs = sorted((state.exact_money(int(c)), int(n)) for c, n in zip(ordered, counts, strict=True))
        paid, left = Fraction(0), votes
        for cash, size in pairs:
            payment = (cost - paid) / left
            if payment <= cash:
                return payment / self.unit[p]
            paid += cash * size
            left -= size
        raise AssertionError("affordable project without a price")  # pragma: no cover


def _water_fill(cash: np.ndarray, sizes: np.ndarray, cost: float, votes: int) -> tuple[float, np.ndarray, int]:
    """The payment π per supporter with Σ size·min(cash, π) = cost, in floating point.

    Returns π, the order of the classes by money, and how many of them (the poorest) pay all they
    have.
    """
    order = np.argsort(cash, kind="stable")
    cash, sizes = cash[order], sizes[order]
    spent = sizes * cash
    paid_before = np.cumsum(spent) - spent
    left_before = votes - (np.cumsum(sizes) - sizes)
    payment = (cost - paid_before) / left_before
    fits = np.flatnonzero(payment <= cash * (1 + TOLERANCE))
    capped = int(fits[0]) if len(fits) else len(cash) - 1
    return float(payment[capped]), order, capped


class _Classes:
    """Voters' money during one MES run, by class (see :class:`ConstantUtilityMes`)."""

    ZERO = 1  # the class of voters with no money left

    def __init__(self, groups: int, voter_budget: Fraction, rounds: int) -> None:
        self.start = voter_budget
        self.class_of = np.zeros(groups, dtype=np.int64)
        capacity = 64
        self.history = np.zeros((capacity, rounds), dtype=np.int64)
        self.money_f = np.zeros(capacity, dtype=np.float64)
        self.money_f[0] = float(voter_budget)
        self.count = 2  # class 0: everyone at the start; class 1: no money
        self.payments: list[Fraction] = []
        self.payments_f: list[float] = []

    def histogram(self, members: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The classes the given groups are in and how many voters of each."""
        counts = np.bincount(self.class_of[members], weights=weights, minlength=self.count)
        classes = np.flatnonzero(counts)
        return classes, counts[classes]

    def exact_total(self, classes: np.ndarray, sizes: np.ndarray) -> Fraction:
        """Σ size × money over the classes, exactly (``b₀·N − Σ_f π_f·K_f``)."""
        live = classes != self.ZERO
        classes, sizes = classes[live], sizes[live].astype(np.int64)
        total = self.start * int(sizes.sum())
        if self.payments:
            per_round = sizes @ self.history[classes, : len(self.payments)]
            for payment, times in zip(self.payments, per_round.tolist(), strict=True):
                if times:
                    total -= payment * times
        return total

    def exact_money(self, c: int) -> Fraction:
        """One class's money, exactly."""
        if c == self.ZERO:
            return Fraction(0)
        rounds = np.flatnonzero(self.history[c, : len(self.payments)]).tolist()
        return self.start - sum((self.payments[r] for r in rounds), Fraction(0))

    def pay(self, members: np.ndarray, classes: np.ndarray, payment: Fraction) -> None:
        """The groups ``members`` (in ``classes``) each pay ``min(money, payment)``."""
        r = len(self.payments)
        self.payments.append(payment)
        payment_f = float(payment)
        self.payments_f.append(payment_f)
        left_f = self.money_f[classes] - payment_f
        broke = left_f <= TOLERANCE * payment_f
        # Near the boundary, decide exactly whether the class can pay in full.
        for j in np.flatnonzero(np.abs(left_f) <= TOLERANCE * payment_f).tolist():
            broke[j] = self.exact_money(int(classes[j])) <= payment
        broke |= classes == self.ZERO
        new = int((~broke).sum())
        if self.count + new > len(self.money_f):
            size = 2 * (self.count + new)
            self.money_f = np.concatenate([self.money_f, np.zeros(size - len(self.money_f))])
            self.history = np.concatenate(
                [self.history, np.zeros((size - len(self.history), self.history.shape[1]), dtype=np.int64)]
            )
        remap = np.arange(self.count, dtype=np.int64)
        keep = classes[~broke]
        fresh = np.arange(self.count, self.count + new, dtype=np.int64)
        remap[classes[broke]] = self.ZERO
        remap[keep] = fresh
        self.history[fresh] = self.history[keep]
        self.history[fresh, r] = 1
        # Recompute from the start (not by subtraction) so rounding does not accumulate.
        self.money_f[fresh] = float(self.start) - (self.history[fresh, : r + 1] @ np.asarray(self.payments_f))
        self.count += new
        self.class_of[members] = remap[self.class_of[members]]
