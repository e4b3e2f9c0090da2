"""Electoral Reform Society STV rules, 1997 (3rd edition), for co-op and society elections.

Written here because the libraries that claim ERS97 (votekit, pyrankvote, stvpoll) do not
transfer only the last parcel received, or do not truncate and cap the transfer value,
or do not defer surpluses or exclude in bulk. Values are integer hundredths (2 places).

Implemented: quota = valid ÷ (seats + 1) truncated to 2 places plus 0.01; election at the quota;
surplus transfer from the last parcel received, transfer value = surplus ÷ transferable
papers truncated to 2 places and never above the papers' present value, the rest
non-transferable; surplus transfer deferred while all surpluses together could not change
which candidate is lowest; bulk exclusion of the lowest candidates whose votes together
(plus surpluses) stay below the next candidate, with their papers transferred one value
parcel per stage, highest value first; ties by the earliest stage at which the candidates
differed, then lot. Not implemented: the quota recalculation of the 1997 rules for
exhausted papers and election under 5.1.7(b) (see the module's tests and the report).
"""

from __future__ import annotations

from coproduce.counting.stv.model import Contest, Result
from coproduce.counting.stv.scottish import order_by_total
from coproduce.counting.stv.tally import CONTINUING, ELECTED, EXCLUDED, Tally
from coproduce.counting.stv.ties import Ties

PLACES = 2


def count_ers97(contest: Contest, *, seats: int, seed: str | None = None) -> Result:
    """Count ``contest`` under the ERS 1997 rules in 2-place fixed point."""
    t = Tally(contest, PLACES)
    names = contest.candidates
    # Truncated to hundredths plus 0.01: above valid/(seats+1) even when that is exact, so no
    # more candidates than seats can reach it (107.58 for the booklet's 753 votes, 6 seats).
    quota = t.valid // (seats + 1) + 1
    ties = Ties(t.history, seed=seed, tie_order=contest.tie_order, most_recent=False, names=names)
    elected: list[int] = []
    elected_at: list[int] = []
    pending: list[int] = []
    # The parcel each candidate received most recently (first preferences to begin with).
    last: list[list[int]] = [list(pile) for pile in t.piles]
    t.record("first preferences", (), "First preferences counted")
    notes: list[str] = []

    def move(entries: list[int]) -> None:
        sizes = [len(pile) for pile in t.piles]
        t.transfer(entries)
        for c, pile in enumerate(t.piles):
            if len(pile) > sizes[c]:
                last[c] = pile[sizes[c] :]

    def elect_reached() -> bool:
        stage = len(t.stages)
        reached = [c for c in t.continuing() if t.totals[c] >= quota]
        if reached:
            order = order_by_total(t, ties, reached, kind="election order")
            for c in order:
                t.state[c] = ELECTED
                elected.append(c)
                elected_at.append(stage)
                pending.append(c)
            t.amend_last(elected=tuple(order), tie_breaks=ties.take())
        return len(elected) >= seats

    def fill_if_equal() -> bool:
        continuing = t.continuing()
        if len(continuing) <= seats - len(elected):
            order = order_by_total(t, ties, continuing, kind="election order")
            for c in order:
                t.state[c] = ELECTED
                elected.append(c)
                elected_at.append(len(t.stages))
            t.amend_last(elected=tuple(order), tie_breaks=ties.take())
            notes.append(f"Stage {len(t.stages)}: continuing candidates equal the vacancies left; all elected.")
            return True
        return False

    while not elect_reached() and not fill_if_equal():
        pending = [c for c in pending if t.totals[c] > quota]
        surpluses = sum(t.totals[c] - quota for c in pending)
        continuing = sorted(t.continuing(), key=lambda c: t.totals[c])
        lowest_gap = t.totals[continuing[1]] - t.totals[continuing[0]] if len(continuing) > 1 else 0
        if pending and surpluses >= lowest_gap:
            largest = max(t.totals[c] for c in pending)
            c = ties.pick([d for d in pending if t.totals[d] == largest], highest=True, kind="surplus")
            pending.remove(c)
            surplus = t.totals[c] - quota
            parcel = last[c]
            transferable = [k for k in parcel if _next(t, k) is not None]
            papers = sum(t.counts[k] for k in transferable)
            present = max((t.value[k] for k in transferable), default=0)
            tv = min(surplus // papers, present) if papers else 0  # truncated, capped
            in_parcel = set(transferable)
            t.piles[c] = [k for k in t.piles[c] if k not in in_parcel]
            for k in transferable:
                t.value[k] = min(tv, t.value[k])
            t.totals[c] = quota
            base = sum(t.totals)
            move(transferable)
            t.nt += surplus - (sum(t.totals) - base)
            t.record(
                "surplus",
                (c,),
                f"Surplus of {names[c]} ({t.dec(surplus)}) transferred from the last parcel: "
                f"{papers} transferable papers at {t.dec(tv)}",
                transfer_value=tv,
                tie_breaks=ties.take(),
            )
            continue
        if pending:
            notes.append(f"Stage {len(t.stages) + 1}: surpluses ({t.dec(surpluses)}) deferred: too small to matter.")
        # Bulk exclusion: the largest group of lowest candidates whose votes together (plus
        # all surpluses) are below the next candidate, leaving enough candidates for the seats.
        group: list[int] = []
        room = len(continuing) - (seats - len(elected))
        running = surpluses
        for i in range(min(room, len(continuing) - 1)):
            running += t.totals[continuing[i]]
            if running < t.totals[continuing[i + 1]]:
                group = continuing[: i + 1]
        if len(group) <= 1:
            lowest = t.totals[continuing[0]]
            group = [ties.pick([d for d in continuing if t.totals[d] == lowest], highest=False, kind="exclusion")]
        for c in group:
            t.state[c] = EXCLUDED
        entries = [k for c in group for k in t.piles[c]]
        for c in group:
            t.piles[c] = []
        values = sorted({t.value[k] for k in entries}, reverse=True)
        who = ", ".join(names[c] for c in group)
        for n, value in enumerate(values):
            parcel = [k for k in entries if t.value[k] == value]
            for c in group:
                t.totals[c] -= sum(t.counts[k] * value for k in parcel if _holder(t, k) == c)
            move(parcel)
            t.record(
                "exclusion",
                tuple(group),
                f"{who} excluded; papers at value {t.dec(value)} transferred",
                excluded=tuple(group) if n == 0 else (),
                tie_breaks=ties.take() if n == 0 else (),
            )
            if n < len(values) - 1 and (elect_reached() or fill_if_equal()):
                break
        else:
            continue
        break
    return Result(
        rules="ers97",
        title=contest.title,
        candidates=names,
        seats=seats,
        valid=t.dec(t.valid),
        quota=t.dec(quota),
        elected=tuple(elected),
        elected_at=tuple(elected_at),
        stages=tuple(t.stages),
        seed=seed,
        withdrawn=contest.withdrawn,
        precision=PLACES,
        notes=tuple(notes),
    )


def _next(t: Tally, k: int) -> int | None:
    """The next continuing preference of entry ``k`` after its current one."""
    prefs = t.rankings[k]
    for p in range(t.pos[k] + 1, len(prefs)):
        if t.state[prefs[p]] == CONTINUING:
            return prefs[p]
    return None


def _holder(t: Tally, k: int) -> int:
    return t.rankings[k][t.pos[k]]
