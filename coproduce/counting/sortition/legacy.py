"""The practitioners' original greedy draw ("LEGACY"), kept for comparison only.

Until 2021 the Sortition Foundation drew panels one person at a time: pick the feature value
whose unmet minimum is largest relative to the people still available with it, draw one of
those people uniformly, remove anyone who would now break a maximum or share the chosen
person's household, and start again if a minimum becomes unreachable. Flanigan et al. show it
gives some respondents far lower chances than necessary; we keep it so councils can see the
difference on their own pool. Reimplemented from that description (the reference code is GPL).
"""

from __future__ import annotations

from coproduce.counting.sortition.draw import SeedStream
from coproduce.counting.sortition.model import Pool, Targets

MAX_ATTEMPTS = 1000


class LegacyFailed(Exception):
    """The greedy draw found no panel in :data:`MAX_ATTEMPTS` attempts."""


def _attempt(targets: Targets, pool: Pool, k: int, stream: SeedStream) -> list[str] | None:
    people = pool.people
    quota_of = {(q.feature, q.value): i for i, q in enumerate(targets.quotas)}
    person_quotas = [[quota_of[(f, v)] for f, v in zip(pool.features, p.values, strict=True)] for p in people]
    chosen_count = [0] * len(targets.quotas)
    available = list(range(len(people)))
    chosen: list[int] = []
    while len(chosen) < k:
        if not available:
            return None
        have = [0] * len(targets.quotas)
        for i in available:
            for q in person_quotas[i]:
                have[q] += 1
        best, best_ratio = None, 0.0
        for q, quota in enumerate(targets.quotas):
            need = quota.min - chosen_count[q]
            if need > 0:
                if have[q] < need:
                    return None
                ratio = need / have[q]
                if ratio > best_ratio:
                    best, best_ratio = q, ratio
        candidates = available if best is None else [i for i in available if best in person_quotas[i]]
        pick = candidates[stream.below(len(candidates))]
        chosen.append(pick)
        for q in person_quotas[pick]:
            chosen_count[q] += 1
        household = people[pick].household
        available = [
            i
            for i in available
            if i != pick
            and (household is None or people[i].household != household)
            and all(chosen_count[q] < targets.quotas[q].max for q in person_quotas[i])
        ]
    if any(chosen_count[q] < quota.min for q, quota in enumerate(targets.quotas)):
        return None
    return [people[i].id for i in chosen]


def legacy_panel(targets: Targets, pool: Pool, k: int, stream: SeedStream) -> tuple[str, ...]:
    """One greedy panel (sorted ids), retrying failed attempts with the same stream."""
    for _ in range(MAX_ATTEMPTS):
        panel = _attempt(targets, pool, k, stream)
        if panel is not None:
            return tuple(sorted(panel))
    raise LegacyFailed(f"legacy greedy found no panel in {MAX_ATTEMPTS} attempts")
