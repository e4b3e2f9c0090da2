"""``count``: run a participatory-budgeting rule on an instance and explain every decision."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from fractions import Fraction

from coproduce.counting.errors import InputError
from coproduce.counting.pb.batch import BatchMes
from coproduce.counting.pb.greedy import GREEDY_VARIANTS, GreedyRun, run_greedy
from coproduce.counting.pb.mes import ConstantUtilityMes, MesRun, run_mes_exact
from coproduce.counting.pb.model import Instance, ProjectOutcome, Result, TieBreak
from coproduce.counting.pb.profile import UTILITIES, Compiled, compile_instance
from coproduce.counting.pb.ties import TieOrder, tie_order

RULES = (*GREEDY_VARIANTS, "mes", "as-declared")
COMPLETIONS = ("none", "add1", "add1-exhaustive")


def _money(value: Fraction) -> str:
    return f"{float(value):,.2f}"


def declared(instance: Instance) -> dict[str, object]:
    """The count settings that reproduce the rule the file's META declares.

    ``equalshares/add1`` (Assen 2024, Świecie 2023) stops add-one completion as soon as the outcome
    is exhaustive; ``equalshares/add1-comparison`` (Wieliczka 2023 Green Budget) continues until the
    next step would overspend, as the equalshares.net tool's ``add1``. Rules we cannot reproduce
    (``greedy-custom``, ``unknown``) raise :class:`InputError`.
    """
    rule = (instance.rule or "").strip()
    threshold_text = instance.meta_value("min_project_score_threshold")
    threshold = Fraction(threshold_text) if threshold_text else None
    if rule in GREEDY_VARIANTS:
        if rule == "greedy-threshold" and threshold is None:
            raise InputError("rule greedy-threshold but no min_project_score_threshold in META", file=instance.source)
        return {"rule": rule, "threshold": threshold, "ballots": "native"}
    if rule == "equalshares/add1":
        return {"rule": "mes", "utility": "cost", "completion": "add1", "ballots": "approval"}
    if rule == "equalshares/add1-comparison":
        return {"rule": "mes", "utility": "cost", "completion": "add1", "ballots": "approval"}
    raise InputError(f"declared rule {rule or '(none)'!r} cannot be reproduced", file=instance.source)


def count(
    instance: Instance,
    *,
    rule: str = "greedy",
    utility: str | None = None,
    completion: str = "none",
    then_greedy: bool = False,
    ballots: str = "native",
    tie_break: str = "default",
    seed: int | None = 0,
    threshold: Fraction | None = None,
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Decide which projects are funded, and why.

    ``rule``: a greedy variant, ``mes`` (Method of Equal Shares) or ``as-declared`` (the rule in the
    file's META). ``utility`` (MES): ``cost`` (default), ``approval`` or ``points``. ``completion``
    (MES): ``none``, ``add1`` or ``add1-exhaustive``; ``then_greedy`` spends what is left greedily.
    ``ballots="approval"`` treats every listed project as approved. ``tie_break``: ``default``
    (lower cost, more votes, seeded lot) or ``project-id``.
    """
    notes: list[str] = []
    if rule == "as-declared":
        settings = declared(instance)
        notes.append(f"as declared: {instance.rule}")
        rule = str(settings["rule"])
        threshold = settings.get("threshold", threshold)  # type: ignore[assignment]
        utility = settings.get("utility", utility)  # type: ignore[assignment]
        completion = str(settings.get("completion", completion))
        ballots = str(settings["ballots"])
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, not {rule!r}")
    if completion not in COMPLETIONS:
        raise ValueError(f"completion must be one of {COMPLETIONS}, not {completion!r}")
    if utility is not None and utility not in UTILITIES:
        raise ValueError(f"utility must be one of {UTILITIES}, not {utility!r}")
    if rule == "greedy-threshold" and threshold is None:
        text = instance.meta_value("min_project_score_threshold")
        if text is None:
            raise InputError("greedy-threshold needs min_project_score_threshold", file=instance.source)
        threshold = Fraction(text)
    if threshold is not None:
        notes.append(f"projects scoring below {threshold} cannot win")
    if rule == "greedy-exclusive":
        notes.append("greedy-exclusive: Pabulib files record no groups of exclusive projects; counted as greedy")

    compiled = compile_instance(instance, ballots=ballots)
    if utility == "points" and not compiled.has_points:
        utility = "approval"  # approval ballots: one point per approved project
        notes.append("points utility on approval ballots is approval utility")
    order = tie_order(compiled, tie_break, seed)
    outcomes: dict[int, ProjectOutcome] = {}
    ties: list[TieBreak] = []
    voter_budget: Fraction | None = None
    steps: int | None = None
    if rule == "mes":
        utility = utility or "cost"
        run, steps = _mes_with_completion(compiled, utility, completion, order, progress)
        voter_budget = run.voter_budget
        _explain_mes(compiled, run, utility, outcomes)
        ties += [
            TieBreak(r, tuple(compiled.ids[p] for p in tied), compiled.ids[c], order.reason(tied, c))
            for r, tied, c in run.ties
        ]
        funded = list(run.funded)
        if then_greedy:
            spent = sum((compiled.costs[p] for p in funded), Fraction(0))
            top_up = run_greedy(compiled, order, budget=compiled.budget - spent, exclude=frozenset(funded))
            _explain_greedy(compiled, top_up, outcomes, stage="completion", budget=compiled.budget - spent)
            ties += [
                TieBreak(r, tuple(compiled.ids[p] for p in tied), compiled.ids[c], order.reason(tied, c))
                for r, tied, c in top_up.ties
            ]
            funded += top_up.funded
    else:
        greedy = run_greedy(compiled, order, variant=rule, utility=utility, threshold=threshold)
        _explain_greedy(compiled, greedy, outcomes, stage="greedy", budget=compiled.budget)
        ties += [
            TieBreak(r, tuple(compiled.ids[p] for p in tied), compiled.ids[c], order.reason(tied, c))
            for r, tied, c in greedy.ties
        ]
        funded = greedy.funded
        completion = "none"
    selected = tuple(compiled.ids[p] for p in funded)
    return Result(
        rule=rule,
        utility=utility,
        completion=completion if rule == "mes" else None,
        tie_break=tie_break,
        budget=compiled.budget,
        selected=selected,
        cost=sum((compiled.costs[p] for p in funded), Fraction(0)),
        projects=tuple(outcomes[p] for p in range(len(compiled.ids))),
        ties=tuple(ties),
        voter_budget=voter_budget,
        completion_steps=steps,
        seed=order.seed,
        notes=tuple(notes),
    )


# Add-one completion counts a batch of budgets at once (see BatchMes) while that is quicker per
# budget than trial runs so far were per step they covered, and tries one anyway after NARROW trial
# runs (twice as many after each batch that was slower, up to WAIT_MOST): first BATCH_FIRST budgets,
# then twice as many while batches are quicker, up to BATCH_MOST.
NARROW = 3
WAIT_MOST = 96
BATCH_FIRST = 32
BATCH_MOST = 128


def _mes_with_completion(
    compiled: Compiled, utility: str, completion: str, order: TieOrder, progress: Callable[[str], None] | None
) -> tuple[MesRun, int | None]:
    """MES, then add-one completion: raise every voter's money by 1 per step.

    ``add1`` keeps raising until the next step would overspend the budget (equalshares.net);
    ``add1-exhaustive`` also stops at the first outcome to which no further project fits
    (pabutools' default). Either stops once every supported project is funded.

    Each trial run says how many further steps fund the same (its headroom), and completion jumps
    over those. Where that is slower than counting the next budgets as a batch (:class:`BatchMes`),
    it counts batches, with the exact engine for the budgets a batch leaves undecided.
    """
    # The fast exact engine where utilities allow it (it takes ``exact_prices=False`` for trial runs,
    # whose prices are not reported), else exact arithmetic throughout.
    batch = None
    if utility in ("cost", "approval"):
        fast = ConstantUtilityMes(compiled, utility, order)
        engine: Callable[..., MesRun] = fast.run
    else:

        def engine(voter_budget: Fraction, exact_prices: bool = True) -> MesRun:
            return run_mes_exact(compiled, utility, voter_budget, order)

    start = compiled.budget / compiled.n_voters if compiled.n_voters else Fraction(0)
    if completion == "none" or not compiled.n_voters:
        return engine(start), None
    if utility in ("cost", "approval"):
        batch = BatchMes(compiled, utility, order, fast.overlaps)
    started = time.process_time()
    run = engine(start, exact_prices=False)
    funded, headroom = run.funded, run.headroom
    # The CPU time trial runs took and the steps they covered (over the whole completion: on some
    # votes a few runs cover hundreds of steps between many that cover one); the last batch's CPU
    # time per budget it decided (inf: it decided too few); trial runs since it, and how many to wait
    # for before trying one that may be slower; the next batch's size.
    trial_seconds, trial_steps = time.process_time() - started, 1 + _whole(headroom)
    batch_pace, since, wait, size = math.inf, 0, NARROW, BATCH_FIRST
    candidates = [p for p in range(len(compiled.ids)) if compiled.backers[p] and compiled.costs[p] > 0]
    step = reported = 0

    # Costs and budget as whole multiples of their least common unit: exact, and quick to add up.
    unit = Fraction(1, math.lcm(compiled.budget.denominator, *(c.denominator for c in compiled.costs)))
    costs = [int(c / unit) for c in compiled.costs]
    budget = int(compiled.budget / unit)

    def spent(projects: list[int]) -> int:
        return sum(costs[p] for p in projects)

    def exhaustive(projects: list[int]) -> bool:
        left = budget - spent(projects)
        chosen = set(projects)
        return all(costs[p] > left for p in candidates if p not in chosen)

    # What batches decided, by step.
    ahead: dict[int, list[int]] = {}
    while True:
        if (completion == "add1-exhaustive" and exhaustive(funded)) or set(candidates) <= set(funded):
            break
        # The next whole steps the run's headroom covers fund the same projects, so stepping one by
        # one would pass them all without stopping: go straight to the last of them.
        if math.isfinite(headroom):
            step += math.floor(headroom)
        # (A trial run always comes between two batches: where single runs can jump, they show it.)
        if batch is not None and since and step + 1 > max(ahead, default=step):
            trial_pace = trial_seconds / trial_steps
            if batch_pace < trial_pace or since >= wait:
                started = time.process_time()
                outcomes = batch.run([float(start + step + 1 + i) for i in range(size)])
                ahead = {step + 1 + i: o for i, o in enumerate(outcomes) if o is not None}
                # Whether it was quicker is a matter of speed only (batches and trial runs decide the
                # same).
                seconds = time.process_time() - started
                batch_pace = seconds / len(ahead) if len(ahead) >= max(1, size // 2) else math.inf
                since = 0
                if batch_pace < trial_pace:
                    wait, size = NARROW, min(2 * size, BATCH_MOST)
                else:
                    wait, size = min(2 * wait, WAIT_MOST), BATCH_FIRST
        if step + 1 in ahead:
            following, following_headroom = ahead.pop(step + 1), 0.0
        else:
            started = time.process_time()
            trial = engine(start + step + 1, exact_prices=False)
            trial_seconds += time.process_time() - started
            trial_steps += 1 + _whole(trial.headroom)
            following, following_headroom = trial.funded, trial.headroom
            since += 1
        if spent(following) > budget:
            break
        funded, headroom, step = following, following_headroom, step + 1
        if progress and step >= reported + 100:
            reported = step - step % 100
            progress(f"add-one completion: step {step}")
    # Rerun the chosen step with exact prices for the explanations (same decisions).
    return engine(start + step), step


def _whole(headroom: float) -> int:
    """The whole steps a trial run's headroom covers beyond its own (a finite stand-in for inf)."""
    return math.floor(headroom) if math.isfinite(headroom) else 1


def _explain_mes(compiled: Compiled, run: MesRun, utility: str, outcomes: dict[int, ProjectOutcome]) -> None:
    for p, pid in enumerate(compiled.ids):
        cost = compiled.costs[p]
        common = {"id": pid, "cost": cost, "votes": compiled.votes[p], "score": compiled.score[p]}
        if p in run.round_of:
            rho = run.rho[p]
            if utility == "points":
                mean = compiled.score[p] / compiled.backers[p]
            else:
                mean = cost if utility == "cost" else Fraction(1)
            effective = float(cost / (rho * mean)) if rho else None
            reason = (
                f"funded in round {run.round_of[p]}: its supporters paid {_money(cost)} from their equal shares"
                + (f" (effective vote count {effective:,.2f})" if effective is not None else " (free)")
            )
            outcomes[p] = ProjectOutcome(
                **common,
                funded=True,
                reason=reason,
                round=run.round_of[p],
                effective_votes=effective,
                money_from_supporters=cost,
                stage="mes",
            )
        elif compiled.backers[p] == 0:
            outcomes[p] = ProjectOutcome(**common, funded=False, reason="no voter supported it")
        elif cost == 0:
            reason = "free, so worth nothing under cost utilities; a greedy top-up (--then-greedy) funds it"
            outcomes[p] = ProjectOutcome(**common, funded=False, reason=reason)
        else:
            reason = (
                f"not enough supporters' money left: from round {run.dropped.get(p, '?')} its "
                f"{compiled.votes[p]} supporters together had less than its cost {_money(cost)}"
            )
            outcomes[p] = ProjectOutcome(**common, funded=False, reason=reason)


def _explain_greedy(
    compiled: Compiled, run: GreedyRun, outcomes: dict[int, ProjectOutcome], *, stage: str, budget: Fraction
) -> None:
    left = budget
    rank = {p: i + 1 for i, p in enumerate(run.ranking)}
    funded = set(run.funded)
    below, skipped, unreached = set(run.below_threshold), set(run.did_not_fit), set(run.not_reached)
    for p in run.ranking:
        cost = compiled.costs[p]
        common = {
            "id": compiled.ids[p],
            "cost": cost,
            "votes": compiled.votes[p],
            "score": compiled.score[p],
            "rank": rank[p],
        }
        where = "after Equal Shares, " if stage == "completion" else ""
        previous = outcomes.get(p)
        prefix = f"{previous.reason}; " if previous is not None else ""
        if p in funded:
            left -= cost
            reason = f"{where}rank {rank[p]}: fitted ({_money(left)} left after it)"
            outcomes[p] = ProjectOutcome(**common, funded=True, reason=prefix + reason, stage=stage)
        elif p in below:
            outcomes[p] = ProjectOutcome(
                **common, funded=False, reason=f"score {compiled.score[p]} below the threshold"
            )
        elif p in skipped:
            reason = f"{where}rank {rank[p]}: over budget — costs {_money(cost)}, only {_money(left)} left"
            outcomes[p] = ProjectOutcome(**common, funded=False, reason=prefix + reason)
        elif p in unreached:
            outcomes[p] = ProjectOutcome(
                **common,
                funded=False,
                reason=f"rank {rank[p]}: not reached — the count stops at the first "
                "project that does not fit (greedy-no-skip)",
            )
