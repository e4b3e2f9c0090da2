"""Meek's method, as the Proportional Representation Foundation's reference rule defines it.

Written here because no maintained Python library implements Meek with the reference rule's
fixed-point rounding (keep factors and transferred weights rounded *up*, quota truncated
plus one unit), which is what makes counts repeatable to the last digit. ``precision``
(decimal places, default 9) and ``omega`` (iteration stops when the total surplus is below
10^-omega, default 6) are configurable; the defaults are the PRF reference ("meek-prf").

Each round: distribute every ballot through the keep factors; recompute the quota from the
votes held; elect anyone at or above it; otherwise iterate keep factors until the surplus
falls below omega (or stops falling), then defeat the lowest hopeful. Candidates within the
total surplus of the lowest vote count as tied with it (they might be lowest in an exact
count); ties are then broken by the contest's tie order or by lot.
"""

from __future__ import annotations

from decimal import Decimal

from coproduce.counting.errors import CountingError
from coproduce.counting.stv.model import Contest, Result, Stage
from coproduce.counting.stv.tally import CONTINUING, ELECTED, EXCLUDED
from coproduce.counting.stv.ties import Ties


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def count_meek(contest: Contest, *, seats: int, seed: str | None = None, precision: int = 9, omega: int = 6) -> Result:
    """Count ``contest`` by Meek's method in ``precision``-place fixed point."""
    scale = 10**precision
    n = len(contest.candidates)
    names = contest.candidates
    state = [CONTINUING] * n
    keep = [scale] * n
    for c in contest.withdrawn:
        state[c] = EXCLUDED
        keep[c] = 0
    rankings = [tuple(c for c in r if c not in contest.withdrawn) for r in contest.rankings]
    counts = contest.counts
    ballots = sum(m for r, m in zip(rankings, counts, strict=True) if r)
    tiny = scale // 10**omega
    votes = [0] * n
    history: list[list[int]] = []
    # The reference rule breaks ties by lot (or a given order) only, without looking back.
    ties = Ties([], seed=seed, tie_order=contest.tie_order, most_recent=True, names=names)
    stages: list[Stage] = []
    elected: list[int] = []
    elected_at: list[int] = []
    quota = ballots * scale // (seats + 1) + 1
    residual = 0

    def dec(v: int) -> Decimal:
        return Decimal(v).scaleb(-precision)

    def distribute() -> None:
        nonlocal residual
        for c in range(n):
            votes[c] = 0
        residual = 0
        for ranking, m in zip(rankings, counts, strict=True):
            w = scale
            for c in ranking:
                kf = keep[c]
                if kf == scale:  # hopeful: keeps everything left
                    votes[c] += w * m
                    w = 0
                    break
                if kf:
                    kept = _ceil_div(w * kf, scale)
                    votes[c] += kept * m
                    w -= kept
                    if w <= 0:
                        break
            residual += w * m

    def record(action: str, subject: int, description: str, surplus: int) -> None:
        # Conservation: votes held plus residual (exhausted and rounding) equal the ballots.
        if sum(votes) + residual != ballots * scale:
            raise CountingError(f"votes not conserved at stage {len(stages) + 1}: engine fault")
        previous = history[-1] if history else [0] * n
        history.append(list(votes))
        stages.append(
            Stage(
                number=len(stages) + 1,
                action=action,
                subjects=(subject,),
                description=description,
                totals=tuple(dec(v) for v in votes),
                transfers=tuple(dec(v - w) for v, w in zip(votes, previous, strict=True)),
                non_transferable=dec(residual),
                non_transferable_change=dec(residual - (stages[-1].non_transferable * scale if stages else 0)),
                elected=(subject,) if action.startswith("elect") else (),
                excluded=(subject,) if action.startswith("defeat") else (),
                transfer_value=None,
                tie_breaks=ties.take(),
            )
        )

    def hopeful() -> list[int]:
        return [c for c in range(n) if state[c] == CONTINUING]

    while len(hopeful()) > seats - len(elected) > 0:
        last_surplus = ballots * scale
        status = "iterate"
        while True:
            distribute()
            quota = sum(votes) // (seats + 1) + 1
            winners = [c for c in hopeful() if votes[c] >= quota]
            if winners:
                status = "elected"
                for c in winners:  # file order, as the reference implementation reports them
                    state[c] = ELECTED
                    elected.append(c)
                    elected_at.append(len(stages) + 1)
                    record("elect", c, f"{names[c]} elected with {dec(votes[c])} (quota {dec(quota)})", 0)
            surplus = max(0, sum(votes[c] - quota for c in elected))
            if status != "elected":
                if surplus < tiny:
                    status = "omega"
                elif surplus >= last_surplus:
                    status = "stable"
            if status != "iterate":
                break
            last_surplus = surplus
            for c in elected:
                # kf × quota, then ÷ vote, each rounded up to the precision (rule B.2.f)
                keep[c] = _ceil_div(_ceil_div(keep[c] * quota, scale) * scale, votes[c])
        if status == "elected":
            continue
        low = min(votes[c] for c in hopeful())
        near = [c for c in hopeful() if votes[c] <= low + surplus]
        c = ties.pick(near, highest=False, kind="exclusion")
        state[c] = EXCLUDED
        keep[c] = 0
        why = "surplus below omega" if status == "omega" else "surplus no longer falling"
        record("defeat", c, f"{names[c]} defeated with the lowest vote {dec(votes[c])} ({why})", surplus)
        # Its votes stay in the record until the next distribution passes them on.
    for c in hopeful():
        if len(elected) < seats:
            state[c] = ELECTED
            elected.append(c)
            elected_at.append(len(stages) + 1)
            record("elect remaining", c, f"{names[c]} elected: the remaining hopefuls fill the seats", 0)
        else:
            state[c] = EXCLUDED
            record("defeat remaining", c, f"{names[c]} defeated: all seats are filled", 0)
    return Result(
        rules="meek",
        title=contest.title,
        candidates=names,
        seats=seats,
        valid=Decimal(ballots),
        quota=dec(quota),
        elected=tuple(elected),
        elected_at=tuple(elected_at),
        stages=tuple(stages),
        seed=seed,
        withdrawn=contest.withdrawn,
        precision=precision,
    )
