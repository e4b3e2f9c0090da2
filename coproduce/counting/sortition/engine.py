"""``select``: the one entry point the CLI and the later Django ``panels`` app call.

It ties the pieces together and checks every lottery before drawing from it (valid panels,
probabilities summing to 1 and to k), so a solver slip can never reach a published draw.
"""

from __future__ import annotations

import secrets
from collections import Counter

import numpy as np

from coproduce.counting.errors import InputError
from coproduce.counting.sortition.draw import SeedStream, draw_panel, numbered_panels
from coproduce.counting.sortition.infeasibility import diagnose
from coproduce.counting.sortition.legacy import legacy_panel
from coproduce.counting.sortition.model import Distribution, Pool, Selection, Targets
from coproduce.counting.sortition.optimise import NoPanelError, optimise
from coproduce.counting.sortition.panels import Instance, PanelOracle, build_instance, check_panel

ALGORITHMS = ("leximin", "maximin", "legacy")
ENGINE_VERSION = "coproduce-sortition/1"


class InvalidLottery(AssertionError):
    """The solver returned a lottery that breaks a rule; never expected, always fatal."""


def verify(inst: Instance, distribution: Distribution) -> None:
    """Check the lottery on every run: panels valid, probabilities sum to 1 and to k."""
    for counts, probability in distribution.panels:
        problem = check_panel(inst, counts)
        if problem:
            raise InvalidLottery(problem)
        if probability < 0:
            raise InvalidLottery("negative panel probability")
    total = sum(p for _c, p in distribution.panels)
    if abs(total - 1.0) > 1e-9:
        raise InvalidLottery(f"panel probabilities sum to {total}")
    expected = sum(distribution.person_probabilities().values())
    if abs(expected - inst.k) > 1e-6:
        raise InvalidLottery(f"individual probabilities sum to {expected}, not k={inst.k}")


def select(
    targets: Targets,
    pool: Pool,
    k: int,
    *,
    algorithm: str = "leximin",
    seed: str | None = None,
    panels: int = 0,
    legacy_draws: int = 1000,
) -> Selection:
    """Compute the lottery, then draw the panel with ``seed`` (a fresh random seed if ``None``).

    ``panels > 0`` also lists that many numbered panels for a public physical draw.
    ``legacy`` draws ``legacy_draws`` greedy panels to estimate probabilities (no bound).
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS}")
    if not 1 <= k <= len(pool.people):
        raise InputError(f"panel size k={k} must be between 1 and the pool size {len(pool.people)}", file=pool.source)
    if pool.features != targets.features:
        raise ValueError("pool was read with other targets")
    seed = secrets.token_hex(16) if seed is None else seed
    if algorithm == "legacy":
        return _legacy(targets, pool, k, seed, legacy_draws)
    inst = build_instance(targets, pool, k)
    try:
        lottery = optimise(inst, leximin=algorithm == "leximin")
    except NoPanelError:
        raise diagnose(targets, pool, k) from None
    distribution = Distribution(inst.groups, lottery.panels)
    verify(inst, distribution)
    by_id = distribution.person_probabilities()
    return Selection(
        algorithm=algorithm,
        k=k,
        seed=seed,
        panel=draw_panel(distribution, seed),
        probabilities=tuple((pid, by_id[pid]) for pid in pool.ids),
        min_probability=lottery.min_probability,
        bound=lottery.bound,
        distribution=distribution,
        numbered_panels=numbered_panels(distribution, seed, panels) if panels else (),
        stats=(
            ("iterations", lottery.iterations),
            ("rounds", lottery.rounds),
            ("groups", inst.n_groups),
            ("panels_in_support", len(lottery.panels)),
        ),
    )


def _legacy(targets: Targets, pool: Pool, k: int, seed: str, draws: int) -> Selection:
    stream = SeedStream(seed, "legacy")
    inst = build_instance(targets, pool, k)
    if PanelOracle(inst).best(np.zeros(inst.n_groups)) is None:
        raise diagnose(targets, pool, k)
    panel = legacy_panel(targets, pool, k, stream)
    counts: Counter[str] = Counter(panel)
    for _ in range(max(draws, 1) - 1):
        counts.update(legacy_panel(targets, pool, k, stream))
    total = max(draws, 1)
    probabilities = tuple((pid, counts[pid] / total) for pid in pool.ids)
    return Selection(
        algorithm="legacy",
        k=k,
        seed=seed,
        panel=panel,
        probabilities=probabilities,
        min_probability=min(p for _pid, p in probabilities),
        bound=None,
        distribution=None,
        estimated=True,
        stats=(("draws", total),),
    )
