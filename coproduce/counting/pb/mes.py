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
* Prices are compared in floating point; whenever two are within a relative ``1e-8`` (a possible
  tie), or a project's supporters have within ``1e-8`` of its cost, the decision is re-made in
  exact arithmetic from the exact class money. The funded project's price is always exact, so
  money never drifts. The outcome is therefore exactly the exact-arithmetic outcome.
* Add-one completion reruns MES at budgets one currency unit apart (tens of thousands of times on
  some files). With a run's decisions fixed, all money and prices are lines in the voter budget,
  so each run says how far the budget can rise before any of its decisions could change (its
  *headroom*, :class:`_Headroom`): completion jumps over the steps that covers, and a run at a
  higher budget resumes the previous run at the first round whose decisions are not covered.
* Those lines break whenever a voter who paid all she had could pay in full at a slightly higher
  budget, which on city-sized votes happens every few steps. A second, *robust* headroom does not
  need them: with the decisions fixed, money only rises and prices only fall as the budget rises,
  so bounds on how fast they move (chords of convex functions over a horizon) certify how far the
  decisions hold. It also lets a project funded later overtake ones it shares no supporter with
  (the same projects are funded, in another order), and a dropped project become affordable again
  as long as it stays too dear to be chosen.
* Within that horizon, a trial run at a higher budget starts each round from the last run's price
  bounds (moved along their robust fall) for as long as it funds the same projects, so it prices
  only the projects whose bound no longer clears the best price, and re-drops without pricing the
  projects still out of reach (:class:`_Carried`).

For points utilities (cumulative/scoring/ordinal ballots) supporters' utilities differ; that rule
runs in exact arithmetic over groups of identical ballots (:func:`run_mes_exact`), which is also
the reference the fast path is tested against.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from coproduce.counting.pb.profile import Compiled
from coproduce.counting.pb.ties import TieOrder

# Relative gap under which two floating-point prices are re-compared exactly.
TOLERANCE = 1e-8
# At most this many projects a round are priced early to lengthen a trial run's robust headroom.
REFINE = 4
# A trial run starts from the last one's bounds (see _Carried) only with at least this much of their
# robust horizon left.
CARRY = 1.0
# The shortest robust horizon a trial run aims for (see _Headroom).
SHORTEST = 32.0


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
    # Rounds a trial run started from an earlier trial run's price bounds (see _Carried).
    carried: int = 0
    # Every per-voter budget in [voter_budget, voter_budget + headroom] funds the same projects,
    # mostly in the same order (see :class:`_Headroom` and ``_require_order``); 0 when that is not
    # known for a whole currency unit.
    headroom: float = 0.0


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
    calls it hundreds of times). It keeps the last trial run's checkpoints (the state at the start
    of each round its headroom covers) for the next trial run to resume from.
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
        # Each project's price with everyone's money untouched (a lower bound ever after).
        with np.errstate(divide="ignore", invalid="ignore"):
            self.first_price = np.array(self.cost_f) / (np.array(compiled.backers, dtype=np.float64) * self.unit_f)
        rounds = len(_start(compiled, Fraction(0), utility)[1]) + 1
        self._state = _Classes(len(compiled.weights), rounds=rounds, pricer=self._price_exact, unit=self.unit)
        self._checkpoints: list[_Checkpoint] = []
        # The price bounds of earlier trial runs, round by round, for later runs to start from.
        self._carried: dict[int, _Carried] = {}
        # Every supporter group of every project MES may fund, end to end (for sums per project).
        self._candidates = [p for p, cost in enumerate(compiled.costs) if compiled.backers[p] and cost > 0]
        members = [compiled.supporters[p] for p in self._candidates]
        self._flat = np.concatenate(members) if members else np.zeros(0, dtype=np.int64)
        self._flat_weights = compiled.weights[self._flat]
        self._starts = np.cumsum([0] + [len(m) for m in members[:-1]], dtype=np.int64)
        self._candidate_costs = np.array([self.cost_f[p] for p in self._candidates])
        self._candidate_index = np.zeros(len(compiled.ids), dtype=np.int64)
        self._candidate_index[self._candidates] = np.arange(len(self._candidates))
        # How far ahead a trial run's robust bounds are meant to reach (see _Headroom).
        self.horizon = SHORTEST
        # Which projects share a supporter: paying for one changes the other's price only then.
        incidence = np.zeros((len(compiled.ids), len(compiled.weights)), dtype=bool)
        for p, members in enumerate(compiled.supporters):
            incidence[p, members] = True
        self.overlaps = np.array([incidence[:, members].any(axis=1) for members in compiled.supporters])

    def run(self, voter_budget: Fraction, *, exact_prices: bool = True) -> MesRun:
        """MES with every voter starting with ``voter_budget``.

        Decisions are always exact. ``exact_prices=False`` marks a trial run (add-one completion's):
        it skips computing the exact price of each funded project where no decision needs it (its
        ``rho`` is then left empty), and it may resume from the last run's
        checkpoint that provably decides the same up to there (see :class:`_Headroom`) instead of
        starting over; its ``ties`` then include those of the rounds it did not recount.

        The rounds follow the method's definition: price the projects that may be cheapest (each
        one's ρ, or dropped if its supporters cannot pay for it), fund the cheapest (ties exactly,
        then by the tie order), and its supporters pay. Around that, each round keeps what the
        speed-ups need: a checkpoint for later runs to resume from, the price bounds earlier runs
        leave, and the conditions of the run's headroom.
        """
        s = self._begin(voter_budget, exact_prices)
        while s.alive.any():
            self._save_checkpoint(s)
            s.round_number += 1
            if s.carry:
                self._start_round_from_earlier_bounds(s)
            priced, best = self._price_the_cheapest(s)
            if not priced:
                break
            chosen = self._choose_cheapest(s, priced, best)
            self._fund(s, chosen, priced[chosen])
        return self._finish(s)

    def _begin(self, voter_budget: Fraction, exact_prices: bool) -> _Run:
        """A run's state before its first round: from the start, or from a checkpoint."""
        budget_f = float(voter_budget)
        resume = None
        horizon = self.horizon if not exact_prices else 0.0
        # Within the robust horizon of earlier trial runs, this one can start from their bounds (see
        # _Carried), its own robust horizon then ending no later than theirs.
        end = max((c.end for c in self._carried.values()), default=0.0) if not exact_prices else 0.0
        carry = end - budget_f >= max(CARRY, horizon / 2)
        if carry:
            horizon = min(horizon, end - budget_f)
        else:
            self._carried = {}
        if not exact_prices:
            # (A checkpoint whose limit is near would cap the robust headroom: start over instead.)
            reach = budget_f + horizon / 2
            resume = next((c for c in reversed(self._checkpoints) if c.budget <= budget_f and reach <= c.limit), None)
        if resume is None:
            s = self._afresh(voter_budget, budget_f, exact_prices, horizon, carry)
        else:
            s = self._resumed(resume, voter_budget, budget_f, exact_prices, horizon, carry)
        s.sequence = [p for p in s.run.funded if s.run.round_of[p] > 0]
        return s

    def _afresh(self, voter_budget: Fraction, budget_f: float, exact_prices: bool, horizon: float, carry: bool) -> _Run:
        """Start at round 0: supported free projects funded at once (see _start), everyone's money whole."""
        compiled = self.compiled
        self._checkpoints = []
        run, remaining = _start(compiled, voter_budget, self.utility)
        alive = np.zeros(len(compiled.ids), dtype=bool)
        alive[remaining] = True
        self._state.reset(voter_budget)
        # A lower bound on each project's price (prices only rise as money is spent), as a line
        # in the voter budget: value now, slope, and the rounding error of the slope; and how fast
        # each lower bound can fall, whatever the capped classes (see _Headroom; kept across rounds,
        # read only while the robust bound is tracked).
        return self._new_run(
            run,
            budget_f,
            exact_prices,
            horizon,
            carry,
            alive,
            headroom=_Headroom(),
            robust=_Headroom(horizon),
            last=self.first_price.copy(),
            last_slope=np.zeros(len(compiled.ids)),
            last_error=np.zeros(len(compiled.ids)),
            fall=np.zeros(len(compiled.ids)),
            round_number=0,
        )

    def _resumed(
        self,
        resume: _Checkpoint,
        voter_budget: Fraction,
        budget_f: float,
        exact_prices: bool,
        horizon: float,
        carry: bool,
    ) -> _Run:
        """Start at a checkpoint's round, every class's money and price bound moved along its line."""
        del self._checkpoints[self._checkpoints.index(resume) :]
        state = self._state
        state.rewind(resume.classes, voter_budget)
        delta = budget_f - resume.budget
        run = MesRun(
            voter_budget=voter_budget,
            funded=list(resume.funded),
            round_of=dict(resume.round_of),
            dropped=dict(resume.dropped),
            ties=list(resume.ties),
        )
        alive = resume.alive.copy()
        headroom = _Headroom(resume.limit - budget_f)
        last = resume.last + resume.last_slope * delta
        last_slope, last_error = resume.last_slope.copy(), resume.last_error.copy()
        # Up to the checkpoint's limit, money and the lower bounds so far are exact lines: their
        # slopes are the robust bounds too.
        horizon = min(horizon, resume.limit - budget_f)
        robust = _Headroom(horizon)
        state.robust_from_lines()
        fall = np.maximum(last_error - last_slope, 0.0)
        return self._new_run(
            run,
            budget_f,
            exact_prices,
            horizon,
            carry,
            alive,
            headroom=headroom,
            robust=robust,
            last=last,
            last_slope=last_slope,
            last_error=last_error,
            fall=fall,
            round_number=resume.round_number,
        )

    def _new_run(
        self,
        run: MesRun,
        budget_f: float,
        exact_prices: bool,
        horizon: float,
        carry: bool,
        alive: np.ndarray,
        *,
        headroom: _Headroom,
        robust: _Headroom,
        last: np.ndarray,
        last_slope: np.ndarray,
        last_error: np.ndarray,
        fall: np.ndarray,
        round_number: int,
    ) -> _Run:
        count = len(self.compiled.ids)
        return _Run(
            run=run,
            budget_f=budget_f,
            exact_prices=exact_prices,
            horizon=horizon,
            carry=carry,
            alive=alive,
            headroom=headroom,
            robust=robust,
            last=last,
            last_slope=last_slope,
            last_error=last_error,
            fall=fall,
            round_number=round_number,
            known={},
            stale=np.ones(count, dtype=bool),
            deferred=[],
            ghost=np.zeros(count, dtype=np.int64),
            drop_reach=np.zeros(count),
            floor=self.first_price.copy(),
            sequence=[],
            carried={},
        )

    def _save_checkpoint(self, s: _Run) -> None:
        """The state at the start of a round, for later trial runs up to the headroom to resume from."""
        if s.headroom.tracking and s.round_number:
            self._checkpoints.append(
                _Checkpoint(
                    s.budget_f,
                    s.budget_f + s.headroom.value,
                    s.round_number,
                    self._state.checkpoint(),
                    s.alive.copy(),
                    s.last.copy(),
                    s.last_slope.copy(),
                    s.last_error.copy(),
                    list(s.run.funded),
                    dict(s.run.round_of),
                    dict(s.run.dropped),
                    list(s.run.ties),
                )
            )

    def _start_round_from_earlier_bounds(self, s: _Run) -> None:
        """Where an earlier trial run funded the same projects before this round, its price bounds
        here, moved along their robust fall, bound the prices here too (see :class:`_Carried`)."""
        earlier = self._carried.get(s.round_number)
        s.carry = (
            earlier is not None
            and earlier.budget <= s.budget_f
            and earlier.end - s.budget_f >= max(s.horizon, CARRY)
            and earlier.prefix == tuple(s.sequence)
        )
        if earlier is None or not s.carry:
            return
        s.run.carried += 1
        # Same projects funded so far: the earlier run's bounds at this round, moved along
        # their robust fall, bound the prices here too; what it dropped with reach to
        # spare is still out of reach.
        delta = s.budget_f - earlier.budget
        with np.errstate(invalid="ignore"):  # (projects no one supports: inf − inf)
            bound = earlier.last - earlier.fall * delta
            bound -= TOLERANCE * (np.abs(earlier.last) + earlier.fall * delta)
        last, fall = s.last, s.fall
        better = s.alive & s.stale & (bound > last)
        if better.any():
            last[better] = bound[better]
            fall[better] = earlier.fall[better]
            s.last_slope[better], s.last_error[better] = -fall[better], TOLERANCE * fall[better]
            s.headroom.limit(earlier.end - s.budget_f)  # (these lines hold that far only)
        for p in earlier.dropped:
            reach = earlier.drop_reach[p] - delta
            if s.alive[p] and reach > 0:
                s.run.dropped[p], s.alive[p] = s.round_number, False
                s.ghost[p], s.drop_reach[p] = s.round_number, reach
                last[p], fall[p] = bound[p], earlier.fall[p]
                s.headroom.limit(min(reach, earlier.end - s.budget_f))

    def _price_the_cheapest(self, s: _Run) -> tuple[dict[int, float], float]:
        """Each project that may be the cheapest, with its ρ (in floating point), and the least ρ.

        Projects are taken in order of their lower bounds until a bound is above the best price
        found (none after it can be cheaper). A project whose supporters cannot pay for it is
        dropped: it never becomes affordable again in this run, as money only falls.
        """
        best = math.inf
        priced: dict[int, float] = {}
        dropped: list[int] = []
        remaining = s.alive.nonzero()[0]
        remaining = remaining[np.argsort(s.last[remaining], kind="stable")]
        for p, bound in zip(remaining.tolist(), s.last[remaining].tolist(), strict=True):
            if bound > best * (1 + TOLERANCE):
                break
            if not s.stale[p]:
                priced[p] = bound
                best = min(best, bound)
                continue
            rho = self._evaluate(s, p, best * (1 + TOLERANCE))
            if rho is None:
                dropped.append(p)
            elif not s.stale[p]:
                priced[p] = rho
                best = min(best, rho)
            # (else: a lower bound on its price, already above the best: not in the running)
        for p in dropped:
            s.run.dropped[p] = s.round_number
            s.alive[p] = False
        return priced, best

    def _evaluate(self, s: _Run, p: int, above: float) -> float | None:
        """Price ``p`` now (None: its supporters cannot afford it), or a bound above ``above``.

        Updates its lower bound, the bound's slope and robust fall; a settled price is kept in
        ``known`` until one of its supporters pays.
        """
        compiled, state = self.compiled, self._state
        cost, unit, votes = self.cost_f[p], self.unit_f[p], compiled.backers[p]
        classes, sizes = state.histogram(compiled.supporters[p], self.weights_of[p])
        cash = state.money_f[classes]
        total = float(sizes @ cash)
        if total < cost * (1 - TOLERANCE) or (
            total <= cost * (1 + TOLERANCE) and state.exact_total(classes, sizes) < compiled.costs[p]
        ):
            self._unaffordable(s, p, classes, sizes, cash, total)
            return None
        payment, capped, settled = _water_fill(cash, sizes, cost, votes, above=above * unit)
        rho = s.last[p] = payment / unit
        if s.headroom.tracking or s.robust.tracking:
            payers, paying = classes[capped], sizes[capped]
        if s.headroom.tracking:
            slope, error = state.payment_slope(payers, paying, votes)
            s.last_slope[p], s.last_error[p] = slope / unit, error / unit
        if s.robust.tracking:
            rate = state.robust_rate(compiled.supporters[p], self.weights_of[p], payers, paying)
            s.fall[p] = rate / (votes - float(paying.sum())) / unit
        if settled:
            s.known[p] = (classes, sizes, capped)
            s.stale[p] = False
        return rho

    def _unaffordable(
        self, s: _Run, p: int, classes: np.ndarray, sizes: np.ndarray, cash: np.ndarray, total: float
    ) -> None:
        """What the headroom needs of a project its supporters cannot afford: that they stay unable
        to; and, over the robust horizon, how long that lasts and a lower bound on its price after."""
        compiled, state = self.compiled, self._state
        cost, unit, votes = self.cost_f[p], self.unit_f[p], compiled.backers[p]
        if s.headroom.tracking:
            # Stays unaffordable while its supporters' money stays below the cost.
            slope = -float(sizes @ state.slope_f[classes])
            head = classes[:2].tolist()  # (the broke class, if any, is among the first two)
            live = votes - (float(sizes[head.index(state.ZERO)]) if state.ZERO in head else 0.0)
            s.headroom.require(cost - total, slope, TOLERANCE * cost, state.slope_error * live)
        if s.robust.tracking:
            rate = state.robust_rate(compiled.supporters[p], self.weights_of[p], classes, sizes)
            # It stays unaffordable for a while; after that, any price it has is at least what
            # the richest class must pay with everyone else paying all they have.
            s.drop_reach[p] = _out_of_reach(cost, total, rate)
            if s.drop_reach[p] < s.horizon:
                # Over the horizon its supporters have at most their money at its end: its
                # price then is at least the water-filling of that.
                upper = cash + state.rslope[classes] * s.horizon
                broke = classes == state.ZERO
                if broke.any():
                    members = compiled.supporters[p]
                    upper[broke] = state.zslope[members[state.class_of[members] == state.ZERO]].max() * s.horizon
                s.floor[p] = _water_fill(upper, sizes, cost, votes)[0] / unit * (1 - TOLERANCE)
            j = int(cash.argmax())  # (every class with money left has more than 0)
            if cash[j] > 0:
                s.last[p] = (cost - total + sizes[j] * cash[j]) / sizes[j] / unit
                s.fall[p] = (rate - sizes[j] * state.rslope[classes[j]]) / sizes[j] / unit
            else:
                s.last[p], s.fall[p] = cost / votes / unit, 0.0
            s.ghost[p] = s.round_number

    def _choose_cheapest(self, s: _Run, priced: dict[int, float], best: float) -> int:
        """The project with the least ρ: prices within rounding of the best are compared exactly,
        and an exact tie is broken by the tie order."""
        near = [p for p, rho in priced.items() if rho <= best * (1 + TOLERANCE)]
        if len(near) > 1:
            # A possible tie: compare exactly.
            s.run.exact_rechecks += 1
            exact = {p: self._price_exact(p, *s.known[p][:2], self._state) for p in near}
            low = min(exact.values())
            near = [p for p in near if exact[p] == low]
        return _choose(s.run, near, self.order, s.round_number)

    def _fund(self, s: _Run, chosen: int, rho: float) -> None:
        """Fund ``chosen`` at ρ ``rho``: its supporters pay ``min(money, ρ × utility)``. Before they
        pay, the headroom's requirements that it stays the cheapest; after, that the same of them
        pay all they have."""
        run = s.run
        run.funded.append(chosen)
        run.round_of[chosen] = s.round_number
        s.alive[chosen] = False
        rise = self._robust_rise(s, chosen, rho) if s.robust.tracking else 0.0
        self._require_it_stays_cheapest(s, chosen, rho, rise)
        if s.robust.tracking and not s.exact_prices:
            s.carried[s.round_number] = _Carried(
                s.budget_f,
                s.budget_f + s.horizon,
                tuple(s.sequence),
                s.last.copy(),
                s.fall.copy(),
                s.drop_reach.copy(),
                [p for p, r in run.dropped.items() if r == s.round_number],
            )
        s.sequence.append(chosen)
        self._pay(s, chosen, rho, rise)

    def _robust_rise(self, s: _Run, chosen: int, rho: float) -> float:
        """How fast the chosen price falls at least over the robust horizon (its supporters' money
        rises at least at its lower slopes); a trial run then prices the stale projects whose lower
        bound would soon pass below it, since they may just be too low."""
        classes, sizes, _ = s.known[chosen]
        unit = self.unit_f[chosen]
        rise = self._state.payment_rise(
            classes, sizes, rho * unit, self.cost_f[chosen], self.compiled.backers[chosen], s.horizon
        )
        rise /= unit
        if not s.exact_prices:
            # (Their price is needed later anyway.)
            for _ in range(REFINE):
                remaining = (s.alive & s.stale).nonzero()[0]
                rate = s.fall[remaining] - rise
                with np.errstate(divide="ignore"):
                    reach = np.where(rate > 0, (s.last[remaining] - rho) / rate, math.inf)
                if not len(reach) or reach.min() >= s.robust.value:
                    break
                q = int(remaining[np.argmin(reach)])
                if self._evaluate(s, q, math.inf) is None:
                    s.run.dropped[q] = s.round_number
                    s.alive[q] = False
        return rise

    def _require_it_stays_cheapest(self, s: _Run, chosen: int, rho: float, rise: float) -> None:
        """Headroom: every other project's price stays above the chosen one's (or level with it and
        behind it in the tie order: then the two lines never cross — both slopes are 0). Robust
        headroom: the same, with the rivals that could undercut it, checked once the run knows what
        it funds later (see :meth:`_require_order`)."""
        remaining = s.alive.nonzero()[0]
        if s.headroom.tracking and len(remaining):
            slope, error = s.last_slope[chosen], s.last_error[chosen]
            others = s.last[remaining]
            s.headroom.require(
                others - rho,
                s.last_slope[remaining] - slope,
                TOLERANCE * (others + rho),
                s.last_error[remaining] + error,
            )
        if s.robust.tracking:
            # (A rival whose floor is above the chosen price now never undercuts it: the chosen
            # price only falls as budgets rise.)
            rivals = ((s.alive | (s.ghost > 0)) & (s.floor <= rho * (1 + 2 * TOLERANCE))).nonzero()[0]
            others, falls = s.last[rivals], s.fall[rivals]
            errors = (TOLERANCE * (others + rho), TOLERANCE * (falls + rise))
            s.deferred.append((s.round_number, rivals, (others - rho, rise - falls, *errors, s.drop_reach[rivals])))

    def _pay(self, s: _Run, chosen: int, rho: float, rise: float) -> None:
        """The chosen project's supporters pay; the prices of projects sharing a supporter are stale.
        Headroom: the same classes pay all they have at budgets within it."""
        state = self._state
        classes, sizes, capped = s.known[chosen]
        unit = self.unit_f[chosen]
        broke = state.pay(
            chosen,
            self.compiled.supporters[chosen],
            classes,
            sizes,
            rho * unit,
            s.last_slope[chosen] * unit,
            (s.fall[chosen] * unit, rise * unit, s.horizon) if s.robust.tracking else None,
        )
        s.stale |= self.overlaps[chosen]
        if s.robust.tracking:
            # A dropped project's supporters just paid: from the next round on it stays out of
            # reach at least as long as their money now says (it only falls round by round).
            for p in ((s.ghost > 0) & (s.drop_reach < s.horizon) & self.overlaps[chosen]).nonzero()[0].tolist():
                s.drop_reach[p] = max(s.drop_reach[p], self._drop_reach(p))
        if s.headroom.tracking:
            state.require_same_payers(
                s.headroom,
                classes,
                capped,
                broke,
                rho * unit,
                s.last_slope[chosen] * unit,
                s.last_error[chosen] * unit,
            )

    def _finish(self, s: _Run) -> MesRun:
        """The run's headroom (the longer of the two), bounds for later runs, the next horizon, and
        (unless a trial run) each funded project's exact price."""
        run = s.run
        if s.robust.tracking:
            self._require_order(s.robust, run, s.sequence, s.deferred, s.ghost, s.drop_reach)
        run.headroom = max(s.headroom.value, s.robust.value)
        self._carried.update(s.carried)
        if s.horizon:
            # The next run's horizon: past this one's reach if it was the limit, else near it.
            self.horizon = 4 * s.horizon if s.robust.value >= s.horizon else max(SHORTEST, 2 * s.robust.value)
        if s.exact_prices:
            for p in run.funded:
                if run.round_of.get(p, 0) > 0:
                    self._state.ensure_exact(run.round_of[p])
                    run.rho[p] = self._state.payments[run.round_of[p] - 1] / self.unit[p]
        return run

    def _require_order(
        self,
        robust: _Headroom,
        run: MesRun,
        sequence: list[int],
        deferred: list[tuple[int, np.ndarray, tuple[np.ndarray, ...]]],
        ghost: np.ndarray,
        drop_reach: np.ndarray,
    ) -> None:
        """Each round's chosen project stays cheapest, except against one funded later that depends
        on nothing funded from that round on.

        Call a voter *tight* if she paid all she had for some project of the run (she ends it
        broke), and two funded projects *dependent* if a tight voter supports both. Funding the
        run's projects in any order that keeps each dependent pair in the run's order charges
        everyone the same: a voter who is not tight can pay all she supports in full, whatever the
        order, and a tight voter pays for her projects in the same order. So a project dependent on
        none of the projects funded from some round on may overtake them, and the run funds the same
        projects (``sequence`` is the run's order, free projects left out). Over the robust horizon
        this stays true: with the projects before fixed, a higher budget leaves every voter more
        money and every price lower, so a voter who is not tight stays so.

        A project that overtakes nothing would win, though: in any such order, the first of the
        run's projects not yet funded has its price from the run, and every other project's price
        is at least what it was in that project's round (its supporters have no more money). That
        is why each round's other requirements are kept.

        A project the run dropped (a ghost) must, from the round of its drop, stay unaffordable, or
        else stay dearer than every project chosen from then on and unaffordable at the end.
        """
        count = len(self.compiled.ids)
        funded_in = np.full(count, -1)
        free_from = np.full(count, math.inf)
        state = self._state
        tight = state.class_of == state.ZERO
        # Per group, the position in the sequence of the last funded project it supports (if tight).
        last = np.full(len(tight), -1)
        for position, x in enumerate(sequence):
            funded_in[x] = run.round_of[x]
            members = self.compiled.supporters[x]
            members = members[tight[members]]
            first = int(last[members].max()) + 1 if len(members) else 0
            last[members] = position
            if first < position:
                free_from[x] = run.round_of[sequence[first]]
        ghost_reach = np.full(count, math.inf)
        if deferred:
            rounds = np.repeat([r for r, _, _ in deferred], [len(others) for _, others, _ in deferred])
            others = np.concatenate([others for _, others, _ in deferred])
            value, slope, value_error, slope_error, out_of_reach = (
                np.concatenate([lines[i] for _, _, lines in deferred]) for i in range(5)
            )
            keep = ~((free_from[others] <= rounds) & (rounds < funded_in[others]))
            haunt = (ghost[others] > 0) & (ghost[others] <= rounds)
            real = keep & ~haunt
            robust.require(value[real], slope[real], value_error[real], slope_error[real])
            if not robust.tracking:
                return
            # In each round, a ghost is out of reach or dearer than the chosen project.
            reach = _Headroom.reach(value[haunt], slope[haunt], value_error[haunt], slope_error[haunt])
            np.minimum.at(ghost_reach, others[haunt], np.maximum(reach, out_of_reach[haunt]))
        # And after the last round, out of reach (its drop reach, or that of the money then).
        ghosts = ghost.nonzero()[0]
        if len(ghosts):
            robust.limit(float(ghost_reach[ghosts].min()))
        ghosts = ghosts[drop_reach[ghosts] < robust.value]
        if len(ghosts) and robust.tracking:
            totals, rates = self._state.project_totals(self._flat, self._flat_weights, self._starts)
            at = self._candidate_index[ghosts]
            costs = self._candidate_costs[at]
            final = _Headroom.reach(costs - totals[at], -rates[at], TOLERANCE * costs, TOLERANCE * rates[at])
            robust.limit(float(np.maximum(drop_reach[ghosts], final).min()))

    def _drop_reach(self, p: int) -> float:
        """How far the voter budget can rise with ``p``'s supporters still unable to afford it."""
        state = self._state
        classes, sizes = state.histogram(self.compiled.supporters[p], self.weights_of[p])
        total = float(sizes @ state.money_f[classes])
        rate = state.robust_rate(self.compiled.supporters[p], self.weights_of[p], classes, sizes)
        return _out_of_reach(self.cost_f[p], total, rate)

    def _price_exact(self, p: int, classes: np.ndarray, sizes: np.ndarray, state: _Classes) -> Fraction:
        """ρ for project ``p`` in exact arithmetic.

        The floating-point water-filling says which (poorest) classes pay all they have; their
        exact money is summed, and only classes whose money is within rounding of the payment are
        re-compared exactly. If one of those is on the wrong side, every class is walked exactly.
        """
        cost, votes = self.compiled.costs[p], self.compiled.backers[p]
        cash_f = state.money_f[classes]
        payment_f, capped, _ = _water_fill(cash_f, sizes, self.cost_f[p], votes)
        paid = state.exact_total(classes[capped], sizes[capped])
        payment = (cost - paid) / (votes - int(sizes[capped].sum()))
        near = (np.abs(cash_f - payment_f) <= TOLERANCE * payment_f).nonzero()[0].tolist()
        money = {j: state.exact_money(int(classes[j])) for j in near}
        if all((money[j] <= payment) if capped[j] else (money[j] >= payment) for j in near):
            return payment / self.unit[p]
        pairs = sorted((state.exact_money(int(c)), int(n)) for c, n in zip(classes, sizes, strict=True))
        paid, left = Fraction(0), votes
        for cash, size in pairs:
            payment = (cost - paid) / left
            if payment <= cash:
                return payment / self.unit[p]
            paid += cash * size
            left -= size
        raise AssertionError("affordable project without a price")  # pragma: no cover


def _out_of_reach(cost: float, total: float, rate: float) -> float:
    """How far the voter budget can rise before supporters with ``total`` money, rising at most at
    ``rate``, can afford ``cost`` (rounding allowed for)."""
    return (cost - total - TOLERANCE * cost) / (rate * (1 + TOLERANCE)) if rate else math.inf


def histogram(class_of: np.ndarray, members: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The classes (``class_of``) the given groups are in, and how many voters (``weights``) of each."""
    counts = np.bincount(class_of[members], weights=weights)
    classes = (counts > 0).nonzero()[0]  # (numpy finds a mask's nonzeros faster than a count's)
    return classes, counts[classes]


def _water_fill(
    cash: np.ndarray, sizes: np.ndarray, cost: float, votes: float, above: float = math.inf
) -> tuple[float, np.ndarray, bool]:
    """The payment π per supporter with Σ size·min(cash, π) = cost, in floating point.

    Returns π, which classes pay all they have (money below π), and True. Starting from the equal
    split, classes that cannot pay it are capped and the rest share the remainder, until no new
    class is capped (π only rises, so this ends; in practice after two or three passes, with no
    sort). Each pass's payment, with its capped classes, is a lower bound on π (for any set of
    capped classes, ``(cost − their money) / (votes − their size)`` is); as soon as one exceeds
    ``above`` it is returned with False instead.
    """
    payment = cost / votes
    capped = cash < payment
    if not capped.any():
        return payment, capped, True
    spend = sizes * cash
    for _ in range(4):
        left = votes - float(sizes @ capped)
        if left <= 0:
            break  # rounding capped everyone: settle it by sorting
        payment = (cost - float(spend @ capped)) / left
        if payment > above:
            return payment, capped, False
        again = cash < payment
        if not (again != capped).any():
            return payment, capped, True
        capped = again
    # Slow convergence (many classes just below the payment): sort once instead. The richest
    # class is never capped, so the exact re-computation always has someone left to pay.
    order = np.argsort(cash, kind="stable")
    spent = (sizes * cash)[order]
    paid_before = np.cumsum(spent) - spent
    left_before = votes - (np.cumsum(sizes[order]) - sizes[order])
    payments = (cost - paid_before) / left_before
    fits = (payments <= cash[order] * (1 + TOLERANCE)).nonzero()[0]
    first = int(fits[0]) if len(fits) else len(order) - 1
    capped = np.zeros(len(cash), dtype=bool)
    capped[order[:first]] = True
    return float(payments[first]), capped, True


class _Classes:
    """Voters' money during one MES run, by class (see :class:`ConstantUtilityMes`).

    Payments are applied in floating point; the exact payment of each round is computed only when
    an exact comparison needs it (:meth:`ensure_exact`), from what the round recorded.
    """

    ZERO = 1  # the class of voters with no money left

    def __init__(
        self,
        groups: int,
        *,
        rounds: int,
        pricer: Callable[[int, np.ndarray, np.ndarray, _Classes], Fraction],
        unit: list[Fraction],
    ) -> None:
        capacity = 2 * groups + 64
        self.class_of = np.zeros(groups, dtype=np.int64)
        # A class is its parent class plus one funded project: the round it was created in.
        self.parent = np.zeros(capacity, dtype=np.int64)
        self.born = np.zeros(capacity, dtype=np.int64)
        self.money_f = np.zeros(capacity, dtype=np.float64)
        # How each class's money moves with the voter budget (see _Headroom): 1 at the start, 0 for
        # the broke.
        self.slope_f = np.zeros(capacity, dtype=np.float64)
        # Upper bounds on how fast each class's money, and each broke group's, can rise with the
        # voter budget whichever classes end up capped (see _Headroom): robust, not exact, slopes.
        self.rslope = np.zeros(capacity, dtype=np.float64)
        self.lslope = np.zeros(capacity, dtype=np.float64)
        self.zslope = np.zeros(groups, dtype=np.float64)
        self.remap = np.zeros(capacity, dtype=np.int64)
        self.width = rounds
        self.pricer = pricer
        self.unit = unit

    def reset(self, voter_budget: Fraction) -> None:
        """Everyone in class 0 with ``voter_budget``; nothing paid yet."""
        self.start = voter_budget
        self.start_f = float(voter_budget)
        self.class_of[:] = 0
        self.money_f[0], self.money_f[1] = self.start_f, 0.0
        self.slope_f[0], self.slope_f[1] = 1.0, 0.0
        self.rslope[0], self.rslope[1] = 1.0, 0.0
        self.lslope[0], self.lslope[1] = 1.0, 0.0
        self.zslope[:] = 0.0
        # The rounding error allowed on any money slope (grows with the largest one).
        self.slope_error = TOLERANCE
        self.born[:2] = -1
        self.count = 2  # class 0: everyone at the start; class 1: no money
        # History bits (class × round), built from the parent links only when exact sums need them.
        self.history = np.zeros((0, self.width), dtype=np.int8)
        self.payments: list[Fraction] = []
        self.payments_f: list[float] = []
        self.payment_slopes: list[float] = []
        # Per round: the funded project, and its supporters' classes and sizes before paying.
        self.rounds: list[tuple[int, np.ndarray, np.ndarray]] = []
        self._known: int | None = None

    def checkpoint(self) -> tuple[int, np.ndarray, int]:
        """What :meth:`rewind` needs to return to this point (classes made later may be reused)."""
        return self.count, self.class_of.copy(), len(self.rounds)

    def rewind(self, saved: tuple[int, np.ndarray, int], voter_budget: Fraction) -> None:
        """Back to a checkpoint, with every voter's budget moved to ``voter_budget``.

        Only valid where the rounds before the checkpoint decide the same at both budgets: then
        every class's money and every payment so far moves along its slope.
        """
        count, class_of, rounds = saved
        delta = float(voter_budget) - self.start_f
        self.start, self.start_f = voter_budget, float(voter_budget)
        self.count = count
        self.class_of[:] = class_of
        self.money_f[:count] += self.slope_f[:count] * delta
        del self.rounds[rounds:], self.payments_f[rounds:], self.payment_slopes[rounds:]
        self.payments_f = [x + slope * delta for x, slope in zip(self.payments_f, self.payment_slopes, strict=True)]
        self.payments = []
        self.history = self.history[:count]
        self._known = None

    def _history(self) -> np.ndarray:
        """History bits of every class so far (extending the cached matrix)."""
        done = len(self.history)
        if done < self.count:
            extra = np.zeros((self.count - done, self.width), dtype=np.int8)
            self.history = np.concatenate([self.history, extra])
            # Classes are created round by round, parents before children.
            for c in range(max(done, 2), self.count):
                self.history[c] = self.history[self.parent[c]]
                self.history[c, self.born[c]] = 1
        return self.history

    def ensure_exact(self, rounds: int) -> None:
        """Compute the exact payments of the first ``rounds`` rounds (in order, each needs the last)."""
        while len(self.payments) < rounds:
            r = len(self.payments)
            p, classes, sizes = self.rounds[r]
            # Pricing round r needs the money before it: only payments of earlier rounds.
            self._known = r
            try:
                self.payments.append(self.pricer(p, classes, sizes, self) * self.unit[p])
            finally:
                self._known = None

    def _ensure_known(self) -> int:
        """Make exact every payment the current question depends on; return how many there are."""
        if self._known is not None:
            return self._known
        self.ensure_exact(len(self.rounds))
        return len(self.rounds)

    def histogram(self, members: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The classes the given groups are in and how many voters of each."""
        return histogram(self.class_of, members, weights)

    def exact_total(self, classes: np.ndarray, sizes: np.ndarray) -> Fraction:
        """Σ size × money over the classes, exactly (``b₀·N − Σ_f π_f·K_f``)."""
        live = classes != self.ZERO
        if not live.any():
            return Fraction(0)
        known = self._ensure_known()
        classes, sizes = classes[live], sizes[live].astype(np.int64)
        total = self.start * int(sizes.sum())
        if known:
            per_round = sizes @ self._history()[classes, :known].astype(np.int64)
            for payment, times in zip(self.payments[:known], per_round.tolist(), strict=True):
                if times:
                    total -= payment * times
        return total

    def exact_money(self, c: int) -> Fraction:
        """One class's money, exactly."""
        if c == self.ZERO:
            return Fraction(0)
        known = self._ensure_known()
        rounds = self._history()[c, :known].nonzero()[0].tolist()
        return self.start - sum((self.payments[r] for r in rounds), Fraction(0))

    def payment_slope(self, capped: np.ndarray, sizes: np.ndarray, votes: int) -> tuple[float, float]:
        """How the water-filling payment moves with the voter budget, and the rounding error of that.

        ``capped``: the classes that pay all they have, ``sizes`` their supporters. With them fixed,
        π = (cost − Σ capped size·money) / (votes − Σ capped size), so
        dπ/db = −Σ capped size·(d money/db) / (votes − Σ capped size).
        """
        left = votes - float(sizes.sum())
        live = float(sizes[capped != self.ZERO].sum())
        return -float(sizes @ self.slope_f[capped]) / left, self.slope_error * live / left

    def robust_from_lines(self) -> None:
        """Robust slopes from the exact (linear) ones, where those hold; no broke voter gains money."""
        count = self.count
        self.rslope[:count] = self.slope_f[:count] + self.slope_error
        self.lslope[:count] = np.maximum(self.slope_f[:count] - self.slope_error, 0.0)
        self.rslope[self.ZERO] = self.lslope[self.ZERO] = 0.0
        self.zslope[:] = 0.0

    def project_totals(
        self, flat: np.ndarray, weights: np.ndarray, starts: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per project (supporter groups ``flat``, split at ``starts``): money now and its robust rate."""
        if not len(flat):
            return np.zeros(0), np.zeros(0)
        money = self.money_f[self.class_of]
        rate = np.where(self.class_of == self.ZERO, self.zslope, self.rslope[self.class_of])
        return np.add.reduceat(money[flat] * weights, starts), np.add.reduceat(rate[flat] * weights, starts)

    def robust_rate(self, members: np.ndarray, weights: np.ndarray, classes: np.ndarray, sizes: np.ndarray) -> float:
        """An upper bound on how fast the money of the given classes (of ``members``) can rise.

        Σ size·(robust slope) over the classes; the broke class's voters count each at their own
        group's robust slope (a broke voter may have money again at a higher budget).
        """
        rate = float(sizes @ self.rslope[classes])
        if self.ZERO in classes[:2].tolist():
            rate += float(self.zslope[members] @ weights)
        return rate

    def payment_rise(
        self, classes: np.ndarray, sizes: np.ndarray, payment: float, cost: float, votes: int, horizon: float
    ) -> float:
        """How fast the water-filling payment falls at least, over ``horizon`` (≥ 0).

        Every class's money rises at least at its lower slope, so the payment is at most the
        water-filling of that lower money; along that line it is a maximum of linear functions
        (convex), so below its chord over the horizon.
        """
        lower = self.money_f[classes] + self.lslope[classes] * horizon
        end, _, _ = _water_fill(lower, sizes, cost, votes)
        return max(0.0, (payment - end) / horizon)

    def require_same_payers(
        self,
        headroom: _Headroom,
        classes: np.ndarray,
        capped: np.ndarray,
        broke: np.ndarray,
        payment: float,
        payment_slope: float,
        payment_error: float,
    ) -> None:
        """The funded project's capped classes and broke classes stay the same.

        Capped (and broke) classes keep money ≤ π, the others > π. Which side of π a class within
        rounding of it is on was not all decided exactly, so a class that close gives no headroom.
        """
        live = classes != self.ZERO
        if (live & broke & ~capped).any():
            headroom.stop()  # level with π: would need money = π to stay so
            return
        side = np.where(broke, -1.0, 1.0)[live]
        gap = self.money_f[classes[live]] - payment
        gap_slope = self.slope_f[classes[live]] - payment_slope
        error = TOLERANCE * (np.abs(gap) + 2 * payment)
        headroom.require(side * gap, side * gap_slope, error, self.slope_error + payment_error, decided=False)

    def pay(
        self,
        p: int,
        members: np.ndarray,
        classes: np.ndarray,
        sizes: np.ndarray,
        payment_f: float,
        payment_slope: float,
        robust: tuple[float, float, float] | None,
    ) -> np.ndarray:
        """Supporters of ``p`` (groups ``members``, in ``classes``) each pay ``min(money, payment)``.

        Returns which of the classes paid all they had. ``payment_slope`` (dπ/db) keeps the
        classes' money slopes for :class:`_Headroom` (meaningless once the run stops tracking).
        ``robust`` (None once the robust headroom is not tracked): how fast π can fall at most and
        at least over the horizon, and the horizon; whatever she paid, a supporter's money can now
        rise that much faster (at most and at least).
        """
        r = len(self.rounds)
        self.rounds.append((p, classes, sizes))
        self.payments_f.append(payment_f)
        self.payment_slopes.append(payment_slope)
        left_f = self.money_f[classes] - payment_f
        broke = left_f <= TOLERANCE * payment_f
        # Near the boundary, decide exactly whether the class can pay in full.
        close = (np.abs(left_f) <= TOLERANCE * payment_f).nonzero()[0].tolist()
        if close:
            self.ensure_exact(r + 1)
            for j in close:
                broke[j] = self.exact_money(int(classes[j])) <= self.payments[r]
        penniless = classes == self.ZERO
        newly = broke & ~penniless
        broke |= penniless
        old = self.class_of[members]
        if robust is not None and newly.any():
            # Newly broke voters: money max(0, m − π) ≤ max(0, (S + fall)·Δ − gap) over the horizon,
            # below its chord. (Broke voters paying again cannot gain money.)
            fall, _, horizon = robust
            gap = np.maximum(payment_f - self.money_f[classes] - TOLERANCE * payment_f, 0.0)
            chord = np.maximum(0.0, self.rslope[classes] + fall - gap / horizon)
            self.remap[classes] = np.arange(len(classes))
            position = self.remap[old]
            poor = newly[position].nonzero()[0]
            self.zslope[members[poor]] = chord[position[poor]]
        keep = classes[~broke]
        new = len(keep)
        if self.count + new > len(self.money_f):
            size = 2 * (self.count + new)
            grow = size - len(self.money_f)
            self.money_f = np.concatenate([self.money_f, np.zeros(grow)])
            self.parent = np.concatenate([self.parent, np.zeros(grow, dtype=np.int64)])
            self.born = np.concatenate([self.born, np.zeros(grow, dtype=np.int64)])
            self.remap = np.concatenate([self.remap, np.zeros(grow, dtype=np.int64)])
            self.slope_f = np.concatenate([self.slope_f, np.zeros(grow)])
            self.rslope = np.concatenate([self.rslope, np.zeros(grow)])
            self.lslope = np.concatenate([self.lslope, np.zeros(grow)])
        fresh = slice(self.count, self.count + new)
        self.parent[fresh] = keep
        self.born[fresh] = r
        self.money_f[fresh] = left_f[~broke]
        self.slope_f[fresh] = self.slope_f[keep] - payment_slope
        if robust is not None:
            self.rslope[fresh] = self.rslope[keep] + robust[0]
            self.lslope[fresh] = self.lslope[keep] + robust[1]
        if new:
            self.slope_error = max(self.slope_error, TOLERANCE * float(np.abs(self.slope_f[fresh]).max()))
        self.remap[classes[broke]] = self.ZERO
        self.remap[keep] = np.arange(self.count, self.count + new)
        self.count += new
        self.class_of[members] = self.remap[old]
        return broke


@dataclass(slots=True)
class _Run:
    """One run of :meth:`ConstantUtilityMes.run` in progress: the run so far and what its rounds
    keep for the speed-ups (each field as the run's methods describe it)."""

    run: MesRun
    budget_f: float
    # A full run (exact prices reported) or a trial run (add-one completion's).
    exact_prices: bool
    # How far ahead the robust bounds reach (see _Headroom), and whether rounds may still start
    # from an earlier trial run's bounds (see _Carried).
    horizon: float
    carry: bool
    # Projects still in the running (neither funded nor dropped).
    alive: np.ndarray
    headroom: _Headroom
    robust: _Headroom
    # Per project: a lower bound on its price (ρ), as a line in the voter budget (value, slope, the
    # slope's rounding error), and how fast the bound can fall whatever the capped classes.
    last: np.ndarray
    last_slope: np.ndarray
    last_error: np.ndarray
    fall: np.ndarray
    round_number: int
    # Each project's classes and sizes, capped classes and price while none of its supporters
    # has paid since (then its price is unchanged): ``stale`` is False exactly then.
    known: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]
    stale: np.ndarray
    # The robust order requirements, per round: applied once the run knows what it funds later.
    deferred: list[tuple[int, np.ndarray, tuple[np.ndarray, ...]]]
    # Projects dropped in this run, still in the robust order requirements with a lower bound on
    # their price should their supporters afford them again: the round it was dropped in, and how
    # far the budget can rise with it still out of reach.
    ghost: np.ndarray
    drop_reach: np.ndarray
    # A lower bound on each project's price over the horizon: its equal split, or for one dropped
    # within reach of affording it, what its supporters' most money then makes it.
    floor: np.ndarray
    # The projects funded so far, round by round (free ones aside); this run's bounds for later
    # runs to start from.
    sequence: list[int]
    carried: dict[int, _Carried]


@dataclass
class _Carried:
    """A trial run's price bounds at the start of one round (after pricing, before paying).

    Every lower bound ``last`` on a price falls at most at ``fall`` as the voter budget rises, and
    a dropped project stays out of reach for ``drop_reach`` more, up to ``end`` (the run's robust
    horizon) — as long as the same projects were funded before (``prefix``). A later trial run at a
    higher budget that has funded the same projects so far starts the round from these bounds, so it
    prices only the projects whose bound no longer clears the best price.
    """

    budget: float
    end: float
    prefix: tuple[int, ...]
    last: np.ndarray
    fall: np.ndarray
    drop_reach: np.ndarray
    dropped: list[int]


@dataclass
class _Checkpoint:
    """A trial run at the start of a round, for later runs at budgets up to ``limit`` to resume from."""

    budget: float
    limit: float
    round_number: int
    classes: tuple[int, np.ndarray, int]
    alive: np.ndarray
    # The price lower bounds (at ``budget``) and their slopes.
    last: np.ndarray
    last_slope: np.ndarray
    last_error: np.ndarray
    funded: list[int]
    round_of: dict[int, int]
    dropped: dict[int, int]
    ties: list[tuple[int, list[int], int]]


class _Headroom:
    """How far every voter's budget ``b`` can rise without changing any decision of an MES run.

    With the decisions fixed — which project each round funds, which classes of voters pay all they
    have for it, which projects are dropped — every class's money and every price is a line in
    ``b`` (a class's money is ``b`` minus payments, and a payment is ``(cost − Σ capped money) /
    (voters not capped)``). Each decision holds while some line stays ≥ 0; a line that is ≥ 0 at
    ``b`` and does not fall stays so, and one that falls stays so for ``value / −slope`` more.
    Other projects' prices enter through lower bounds (the price with any fixed set of capped
    classes is at most the true price), so only the funded projects' payments must be exact lines.

    The run also keeps a *robust* headroom with the same interface, which replaces the lines by
    bounds valid over a horizon: whatever the capped classes, a class's money rises at most at its
    upper slope (1, plus the fastest each payment it made can fall) and at least at its lower slope
    (1 plus how fast each payment must fall, from the chord of the convex water-filling); a voter
    who paid all she had stays broke until the payment falls to her money. A price's lower bound
    then falls at most at its ``fall``, and the chosen price falls at least at its ``rise``.

    Every value and slope is floating point, so each is first moved against the decision by its
    rounding allowance (relative :data:`TOLERANCE`, as for the run's own decisions). A line that
    then falls from below 0 gives no headroom; so does a ``decided=False`` line within rounding of
    0 at ``b`` (which side of 0 it is on was not checked exactly). Once the headroom is below one
    currency unit it is 0: add-one completion steps by whole units, so nothing is gained by
    tracking it further.
    """

    def __init__(self, value: float = math.inf) -> None:
        self.value = math.inf
        self.tracking = True
        self.limit(value)

    def require(
        self,
        value: float | np.ndarray,
        slope: float | np.ndarray,
        value_error: float | np.ndarray,
        slope_error: float | np.ndarray,
        *,
        decided: bool = True,
    ) -> None:
        """Each ``value + slope·Δ ≥ 0`` (true at Δ = 0) must hold: limit Δ accordingly."""
        sure = value - value_error
        falling = slope - slope_error
        if isinstance(sure, float) and isinstance(falling, float):
            if (not decided or falling < 0) and sure < 0:
                self.stop()
            elif falling < 0:
                self.limit(sure / -falling)
            return
        sure, falling = np.broadcast_arrays(sure, falling)
        if not decided and (sure < 0).any():
            self.stop()
            return
        down = falling < 0
        if down.any():
            if (sure[down] < 0).any():
                self.stop()
            else:
                self.limit(float((sure[down] / -falling[down]).min()))

    @staticmethod
    def reach(value: np.ndarray, slope: np.ndarray, value_error: np.ndarray, slope_error: np.ndarray) -> np.ndarray:
        """Per line ``value + slope·Δ``: how far Δ may go with it ≥ 0 (0 if it may be < 0 now)."""
        sure = value - value_error
        falling = slope - slope_error
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(sure < 0, 0.0, np.where(falling < 0, sure / -falling, math.inf))

    def limit(self, headroom: float) -> None:
        """At most ``headroom`` (0 if that is under one currency unit)."""
        self.value = min(self.value, headroom)
        if self.value < 1:
            self.stop()

    def stop(self) -> None:
        self.value = 0.0
        self.tracking = False
