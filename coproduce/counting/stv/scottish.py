"""Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42, Sch. 1).

Written here because votekit, stvpoll and pyrankvote each miss official Scottish results:
they transfer simultaneous surpluses together, round instead of truncating transfer values
to 5 decimal places, or break ties without looking back over earlier stages.

Rules followed (rule numbers of Schedule 1, Part III):
* quota = floor(valid / (seats + 1)) + 1 (r.46); a candidate reaching it is elected (r.47);
* each paper of a candidate with a surplus passes at surplus × its value ÷ the candidate's
  total, truncated to 5 decimal places (r.48); all that candidate's papers are transferred;
* the largest surplus goes first, one per stage, ties by the most recent stage at which the
  candidates differed, then lot (r.49); elected candidates receive no further papers;
* with no surplus left, the lowest candidate is excluded, one at a time, and the papers keep
  their value (r.50–51); ties as for surpluses but looking for the lowest;
* counting stops when the continuing candidates equal the vacancies left (r.52).
"""

from __future__ import annotations

from coproduce.counting.stv.model import Contest, Result
from coproduce.counting.stv.tally import ELECTED, EXCLUDED, Tally
from coproduce.counting.stv.ties import Ties

PLACES = 5


def order_by_total(tally: Tally, ties: Ties, group: list[int], *, kind: str) -> list[int]:
    """``group`` in descending order of total, ties broken by ``ties``."""
    rest = list(group)
    order = []
    while rest:
        top = max(tally.totals[c] for c in rest)
        tied = [c for c in rest if tally.totals[c] == top]
        c = ties.pick(tied, highest=True, kind=kind)
        order.append(c)
        rest.remove(c)
    return order


def count_scottish(contest: Contest, *, seats: int, seed: str | None = None) -> Result:
    """Count ``contest`` under the Scottish rules, exactly, in 5-decimal fixed point."""
    t = Tally(contest, PLACES)
    names = contest.candidates
    votes = t.valid // t.scale
    quota = (votes // (seats + 1) + 1) * t.scale
    ties = Ties(t.history, seed=seed, tie_order=contest.tie_order, most_recent=True, names=names)
    elected: list[int] = []
    elected_at: list[int] = []
    pending: list[int] = []
    t.record("first preferences", (), "First preferences counted")
    notes: list[str] = []
    while True:
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
        if len(elected) >= seats:
            break
        continuing = t.continuing()
        if len(continuing) <= seats - len(elected):
            order = order_by_total(t, ties, continuing, kind="election order")
            for c in order:
                t.state[c] = ELECTED
                elected.append(c)
                elected_at.append(stage)
            t.amend_last(elected=tuple(order), tie_breaks=ties.take())
            notes.append(f"Stage {stage}: continuing candidates equal the vacancies left; all elected.")
            break
        pending = [c for c in pending if t.totals[c] > quota]
        if pending:
            largest = max(t.totals[c] for c in pending)
            c = ties.pick([d for d in pending if t.totals[d] == largest], highest=True, kind="surplus")
            pending.remove(c)
            total = t.totals[c]
            surplus = total - quota
            entries, t.piles[c] = t.piles[c], []
            value = t.value
            for k in entries:
                value[k] = surplus * value[k] // total  # r.48: truncate to 5 places
            t.totals[c] = quota
            base = sum(t.totals)
            lost = t.transfer(entries)
            t.nt += surplus - (sum(t.totals) - base) - lost  # fractions lost to truncation
            tv = surplus * t.scale // total
            t.record(
                "surplus",
                (c,),
                f"Surplus of {names[c]} ({t.dec(surplus)}) transferred; transfer value {t.dec(tv)} per paper "
                "of value 1 (truncated to 5 places)",
                transfer_value=tv,
                tie_breaks=ties.take(),
            )
            continue
        continuing = t.continuing()
        lowest = min(t.totals[c] for c in continuing)
        c = ties.pick([d for d in continuing if t.totals[d] == lowest], highest=False, kind="exclusion")
        t.state[c] = EXCLUDED
        entries, t.piles[c] = t.piles[c], []
        t.totals[c] = 0
        t.transfer(entries)
        t.record(
            "exclusion",
            (c,),
            f"{names[c]} excluded with the fewest votes ({t.dec(lowest)}); papers transferred at their value",
            excluded=(c,),
            tie_breaks=ties.take(),
        )
    return t.result(
        "scottish", seats=seats, quota=quota, elected=elected, elected_at=elected_at, seed=seed, notes=notes
    )
