"""Electoral Reform Society STV rules, 1997 (3rd edition), for co-op and society elections.

Written here because the libraries that claim ERS97 (votekit, pyrankvote, stvpoll) do not
transfer only the last parcel received, or do not truncate and cap the transfer value,
or do not defer surpluses or exclude in bulk. Values are integer hundredths (2 places).
Clause numbers below are those of the 1997 rules (section 5, glossary section 6).

- 5.1.6 quota: total valid vote ÷ (places + 1) to two decimal places; exact → that is the
  quota, otherwise the remainder is ignored and 0.01 added.
- 5.4.8 quota recalculation: while nobody has been deemed elected, after each batch of an
  exclusion the quota is recalculated as in 5.1.6 from the valid vote less the
  non-transferable vote. Once someone is elected the quota is fixed.
- 5.1.7 / 5.3.13 / 5.4.9 election: considering candidates in descending order of votes,
  deem elected any whose vote equals or exceeds (a) the quota or (b) the total active vote
  (6.20, computed as in 5.6.1) ÷ (places not yet filled + 1), up to the places left. The rules
  give no rounding for (b); it is taken to two places like the quota in 5.1.6.
- 5.6.2 ties at election: if more equal candidates reach the threshold than there are places,
  they are taken by votes at the earliest stage where they differed; equal throughout →
  none of them is elected at that stage (no lot).
- 5.2.2 deferral: surpluses wait while their total does not exceed (a) the gap between the
  two lowest candidates or (b) the gap between a 5.2.5 bulk-exclusion group and the
  candidate next above.
- 5.2.3 largest surplus first; ties by earliest differing stage, then lot.
- 5.3.1 / 5.3.2 surplus from the last received batch only (all papers at the first stage);
  5.3.7 transfer value = surplus ÷ transferable papers truncated to 2 places if their total
  value exceeds the surplus, else their present value; the rest is non-transferable.
- 5.2.5 bulk exclusion of as many lowest candidates as possible whose votes plus deferred
  surpluses do not exceed the next candidate's, leaving enough candidates for the places;
  ties for the lowest by earliest differing stage, then lot. A group whose top member ties
  with the candidate next above is not used (which of the tied belongs in it is undefined).
- 5.4.1 / 5.4.11 excluded papers transferred one batch (value) at a time, highest first, with
  5.4.8 and 5.4.9 applied after each batch and no papers given to the newly elected (5.4.10).
- 5.5.1 when a proposed exclusion would leave as many continuing candidates as places, they
  are all deemed elected (no transfer is made); 5.5.2 the count stops when all places fill.
"""

from __future__ import annotations

from coproduce.counting.stv.model import Contest, Result, TieBreak
from coproduce.counting.stv.scottish import order_by_total
from coproduce.counting.stv.tally import CONTINUING, ELECTED, EXCLUDED, Tally
from coproduce.counting.stv.ties import Ties

PLACES = 2


def _quota(votes: int, places: int) -> int:
    """5.1.6: ``votes`` ÷ (places + 1) in hundredths; exact, or truncated plus 0.01."""
    return -(-votes // (places + 1))


def count_ers97(contest: Contest, *, seats: int, seed: str | None = None) -> Result:
    """Count ``contest`` under the ERS 1997 rules in 2-place fixed point."""
    return _Ers97(contest, seats, seed).count()


class _Ers97:
    """One ERS97 count. :meth:`count` is the rules' order of play (5.2 to 5.5); each step is a
    method named for what it does, with its clause numbers."""

    def __init__(self, contest: Contest, seats: int, seed: str | None) -> None:
        self.t = Tally(contest, PLACES)
        self.seats = seats
        self.seed = seed
        self.names = contest.candidates
        # 5.1.6: 107.58 for the booklet's 753 votes and 6 seats; 1.00 for 2 votes and 1 seat.
        self.quota = _quota(self.t.valid, seats)
        self.ties = Ties(self.t.history, seed=seed, tie_order=contest.tie_order, most_recent=False, names=self.names)
        self.elected: list[int] = []
        self.elected_at: list[int] = []
        # The elected whose surplus is not yet transferred, in order of election.
        self.pending: list[int] = []
        # The parcel each candidate received most recently (first preferences to begin with).
        self.last: list[list[int]] = [list(pile) for pile in self.t.piles]
        self.notes: list[str] = []

    @property
    def places_left(self) -> int:
        return self.seats - len(self.elected)

    def count(self) -> Result:
        """First preferences (5.1); then, until every place is filled (5.5.2), a surplus is
        transferred where it could change who is excluded (5.2.2, 5.2.3, 5.3), else the lowest
        candidates are excluded (5.2.5, 5.4), with those reaching the threshold deemed elected
        after each stage (5.1.7, 5.3.13, 5.4.9)."""
        t = self.t
        t.record("first preferences", (), "First preferences counted")
        while not self._elect_those_reaching_the_threshold():
            continuing = t.continuing()
            if len(continuing) <= self.places_left:
                # Fewer candidates than places from the start (4.3).
                self._deem_elected(continuing, "continuing candidates no more than the places left; all elected (4.3).")
                break
            self.pending = [c for c in self.pending if t.totals[c] > self.quota]
            surpluses = sum(t.totals[c] - self.quota for c in self.pending)
            continuing.sort(key=lambda c: t.totals[c])
            group = _exclusion_group(t, continuing, self.places_left, surpluses)
            # 5.2.2: surpluses are deferred while they cannot change who is excluded.
            if self.pending and not group:
                self._transfer_largest_surplus()
                continue
            if self.pending:
                self.notes.append(f"Stage {len(t.stages) + 1}: surpluses ({t.dec(surpluses)}) deferred (5.2.2).")
            if self._exclude(group, continuing):
                break
        return t.result(
            "ers97",
            seats=self.seats,
            quota=self.quota,
            elected=self.elected,
            elected_at=self.elected_at,
            seed=self.seed,
            notes=self.notes,
        )

    def _elect_those_reaching_the_threshold(self) -> bool:
        """5.1.7, 5.3.13, 5.4.9 with 5.6.2; True once every place is filled (5.5.2)."""
        t, quota = self.t, self.quota
        new: list[int] = []
        used: list[TieBreak] = []
        while len(self.elected) < self.seats:
            places = self.places_left
            # 5.6.1: the total active vote is the valid vote less the non-transferable vote
            # and the quotas (or votes, if less) of those deemed elected.
            active = t.valid - t.nt - sum(min(t.totals[c], quota) for c in self.elected)
            threshold = min(quota, _quota(active, places))
            reached = [c for c in t.continuing() if t.totals[c] >= threshold]
            if not reached:
                break
            top = max(t.totals[c] for c in reached)
            tied = [c for c in reached if t.totals[c] == top]
            if len(tied) <= places:
                order = order_by_total(t, self.ties, tied, kind="election order")
            else:
                order, broke = _look_back_order(t, tied, places)
                used.extend(broke)
                if len(order) < places:
                    self.notes.append(
                        f"Stage {len(t.stages)}: {', '.join(self.names[c] for c in sorted(tied))} "
                        "equal at every stage with too few places for all: none deemed elected (5.6.2)."
                    )
            for c in order:
                self._deem(c)
            new.extend(order)
            if len(tied) > places:
                break
        if new or used:
            t.amend_last(elected=tuple(new), tie_breaks=self.ties.take() + tuple(used))
        return len(self.elected) >= self.seats

    def _deem(self, c: int) -> None:
        self.t.state[c] = ELECTED
        self.elected.append(c)
        self.elected_at.append(len(self.t.stages))
        self.pending.append(c)

    def _deem_elected(self, continuing: list[int], why: str) -> None:
        """4.3 and 5.5.1: every continuing candidate left is deemed elected, in order of votes."""
        order = order_by_total(self.t, self.ties, continuing, kind="election order")
        for c in order:
            self._deem(c)
        self.t.amend_last(elected=tuple(order), tie_breaks=self.ties.take())
        self.notes.append(f"Stage {len(self.t.stages)}: {why}")

    def _transfer_largest_surplus(self) -> None:
        """5.2.3: the largest surplus first; 5.3.1 / 5.3.2: from the parcel its candidate received
        last; 5.3.7: at the surplus ÷ transferable papers, truncated, but no more than the papers'
        present value; what is not transferred is non-transferable."""
        t, quota = self.t, self.quota
        largest = max(t.totals[c] for c in self.pending)
        c = self.ties.pick([d for d in self.pending if t.totals[d] == largest], highest=True, kind="surplus")
        self.pending.remove(c)
        surplus = t.totals[c] - quota
        transferable = [k for k in self.last[c] if _next(t, k) is not None]
        papers = sum(t.counts[k] for k in transferable)
        present = max((t.value[k] for k in transferable), default=0)
        tv = min(surplus // papers, present) if papers else 0
        in_parcel = set(transferable)
        t.piles[c] = [k for k in t.piles[c] if k not in in_parcel]
        for k in transferable:
            t.value[k] = min(tv, t.value[k])
        t.totals[c] = quota
        base = sum(t.totals)
        self._move(transferable)
        t.nt += surplus - (sum(t.totals) - base)
        t.record(
            "surplus",
            (c,),
            f"Surplus of {self.names[c]} ({t.dec(surplus)}) transferred from the last parcel: "
            f"{papers} transferable papers at {t.dec(tv)}",
            transfer_value=tv,
            tie_breaks=self.ties.take(),
        )

    def _exclude(self, group: list[int], continuing: list[int]) -> bool:
        """5.2.5: exclude ``group`` (the lowest candidate alone if no bulk group of two or more
        qualifies); True once every place is filled.

        5.5.1: if that would leave as many candidates as places, they are deemed elected instead.
        5.4.1 / 5.4.11: the excluded candidates' papers are transferred one batch (value) at a
        time, highest first, with 5.4.8 and 5.4.9 after each batch.
        """
        t = self.t
        if len(group) <= 1:
            lowest = t.totals[continuing[0]]
            group = [self.ties.pick([d for d in continuing if t.totals[d] == lowest], highest=False, kind="exclusion")]
        for c in group:
            t.state[c] = EXCLUDED
        rest = [c for c in continuing if c not in group]
        who = ", ".join(self.names[c] for c in group)
        if len(rest) <= self.places_left:
            t.amend_last(tie_breaks=self.ties.take())
            self._deem_elected(
                rest, f"excluding {who} would leave as many candidates as places; they are deemed elected (5.5.1)."
            )
            return True
        entries = [k for c in group for k in t.piles[c]]
        for c in group:
            t.piles[c] = []
        values = sorted({t.value[k] for k in entries}, reverse=True)
        if not values:
            values = [0]  # candidates with no papers: their exclusion is still a stage (6.16)
        for n, value in enumerate(values):
            parcel = [k for k in entries if t.value[k] == value]
            for c in group:
                t.totals[c] -= sum(t.counts[k] * value for k in parcel if _holder(t, k) == c)
            self._move(parcel)
            t.record(
                "exclusion",
                tuple(group),
                f"{who} excluded; papers at value {t.dec(value)} transferred" if parcel else f"{who} excluded",
                excluded=tuple(group) if n == 0 else (),
                tie_breaks=self.ties.take() if n == 0 else (),
            )
            self._recalculate_quota()
            # (5.4.10: the newly elected receive no papers from the batches that follow.)
            if n < len(values) - 1 and self._elect_those_reaching_the_threshold():
                return True
        return False

    def _recalculate_quota(self) -> None:
        """5.4.8: before anyone is elected, non-transferable papers reduce the quota."""
        t = self.t
        if self.elected or not t.nt:
            return
        new = _quota(t.valid - t.nt, self.seats)
        if new != self.quota:
            self.quota = new
            stage = t.stages[-1]
            t.amend_last(description=f"{stage.description}; quota recalculated to {t.dec(new)} (5.4.8)")
            self.notes.append(f"Stage {len(t.stages)}: quota recalculated to {t.dec(new)} (5.4.8).")

    def _move(self, entries: list[int]) -> None:
        """Transfer ``entries`` and note the parcel each receiving candidate got last (5.3.1)."""
        t = self.t
        sizes = [len(pile) for pile in t.piles]
        t.transfer(entries)
        for c, pile in enumerate(t.piles):
            if len(pile) > sizes[c]:
                self.last[c] = pile[sizes[c] :]


def _exclusion_group(t: Tally, ascending: list[int], places: int, surpluses: int) -> list[int]:
    """5.2.5 / 5.2.2: the largest group of lowest candidates whose votes plus ``surpluses`` do
    not exceed the next candidate's, leaving at least ``places`` candidates; [] if none.

    With surpluses a group of one is 5.2.2(a); without, any single lowest candidate qualifies.
    A group whose top member ties with the candidate next above is skipped.
    """
    group: list[int] = []
    running = surpluses
    room = len(ascending) - places
    for i in range(min(room, len(ascending) - 1)):
        running += t.totals[ascending[i]]
        below, above = t.totals[ascending[i]], t.totals[ascending[i + 1]]
        if running <= above and (below < above or i == 0):
            group = ascending[: i + 1]
    return group


def _look_back_order(t: Tally, tied: list[int], places: int) -> tuple[list[int], list[TieBreak]]:
    """5.6.2: up to ``places`` of ``tied`` in order of their votes at the earliest stage where
    they differed; stops (electing no more) where the rest were equal at every stage."""
    chosen: list[int] = []
    breaks: list[TieBreak] = []
    rest = sorted(tied)
    while len(chosen) < places:
        group = list(rest)
        for s, totals in enumerate(t.history):
            top = max(totals[c] for c in group)
            if any(totals[c] != top for c in group):
                group = [c for c in group if totals[c] == top]
                if len(group) == 1:
                    method = f"stage {s + 1} (earliest stage where they differed)"
                    breaks.append(TieBreak("election order", tuple(rest), group[0], method))
                    break
        if len(group) != 1:
            break
        chosen.append(group[0])
        rest.remove(group[0])
    return chosen, breaks


def _next(t: Tally, k: int) -> int | None:
    """The next continuing preference of entry ``k`` after its current one."""
    prefs = t.rankings[k]
    for p in range(t.pos[k] + 1, len(prefs)):
        if t.state[prefs[p]] == CONTINUING:
            return prefs[p]
    return None


def _holder(t: Tally, k: int) -> int:
    return t.rankings[k][t.pos[k]]
