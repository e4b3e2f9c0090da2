"""``count``: run a participatory-budgeting rule on an instance and explain every decision."""

from __future__ import annotations

import math
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from fractions import Fraction
from multiprocessing.sharedctypes import Synchronized

import numpy as np

from coproduce.counting.errors import InputError
from coproduce.counting.pb.batch import BatchMes
from coproduce.counting.pb.greedy import GREEDY_VARIANTS, GreedyRun, run_greedy
from coproduce.counting.pb.mes import ConstantUtilityMes, MesRun, run_mes_exact
from coproduce.counting.pb.model import Instance, ProjectOutcome, Result, TieBreak
from coproduce.counting.pb.profile import UTILITIES, Compiled, compile_instance
from coproduce.counting.pb.ties import TieOrder, tie_order

RULES = (*GREEDY_VARIANTS, "mes", "as-declared")
COMPLETIONS = ("none", "add1", "add1-exhaustive")
# Pabulib's names for the Method of Equal Shares: (completion, comparison step).
EQUAL_SHARES_VARIANTS = {
    "equalshares": ("none", False),
    "equalshares-comparison": ("none", True),
    "equalshares/add1": ("add1", False),
    "equalshares/add1-comparison": ("add1", True),
}


def _money(value: Fraction) -> str:
    return f"{float(value):,.2f}"


def declared(instance: Instance) -> dict[str, object]:
    """The count settings that reproduce the rule the file's META declares.

    Pabulib names four variants of the Method of Equal Shares (its checker, ``pabulib/checker``,
    verifies each file's winners with them), all with cost utilities on approval ballots:
    ``equalshares`` (MES alone), ``equalshares/add1`` (MES with add-one completion, raising every
    voter's money by 1 until the next step would overspend — Assen 2024, Świecie 2023; it does not
    stop early at an exhaustive outcome), and each of those followed by the *comparison step*
    (``equalshares-comparison``, ``equalshares/add1-comparison`` — Wieliczka 2023 Green Budget):
    the greedy outcome replaces MES's where more voters prefer it (see :func:`_compare_with_greedy`).
    Rules we cannot reproduce (``greedy-custom``, ``unknown``) raise :class:`InputError`.
    """
    rule = (instance.rule or "").strip()
    threshold_text = instance.meta_value("min_project_score_threshold")
    threshold = Fraction(threshold_text) if threshold_text else None
    if rule in GREEDY_VARIANTS:
        if rule == "greedy-threshold" and threshold is None:
            raise InputError("rule greedy-threshold but no min_project_score_threshold in META", file=instance.source)
        return {"rule": rule, "threshold": threshold, "ballots": "native"}
    if rule in EQUAL_SHARES_VARIANTS:
        completion, comparison = EQUAL_SHARES_VARIANTS[rule]
        return {
            "rule": "mes",
            "utility": "cost",
            "completion": completion,
            "comparison": comparison,
            "ballots": "approval",
        }
    raise InputError(f"declared rule {rule or '(none)'!r} cannot be reproduced", file=instance.source)


def count(
    instance: Instance,
    *,
    rule: str = "greedy",
    utility: str | None = None,
    completion: str = "none",
    then_greedy: bool = False,
    comparison: bool = False,
    ballots: str = "native",
    tie_break: str = "default",
    seed: int | None = 0,
    threshold: Fraction | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int = 1,
) -> Result:
    """Decide which projects are funded, and why.

    ``rule``: a greedy variant, ``mes`` (Method of Equal Shares) or ``as-declared`` (the rule in the
    file's META). ``utility`` (MES): ``cost`` (default), ``approval`` or ``points``. ``completion``
    (MES): ``none``, ``add1`` or ``add1-exhaustive``; ``then_greedy`` spends what is left greedily.
    ``comparison`` (MES): the comparison step of Pabulib's ``…-comparison`` rules and
    equalshares.net (see :func:`_compare_with_greedy`). ``ballots="approval"`` treats every listed
    project as approved. ``tie_break``: ``default``
    (lower cost, more votes, seeded lot) or ``project-id``. ``jobs``: processes a long add-one
    completion may use; the outcome does not depend on it. By default a count runs in the calling
    process (a web process must not be forked behind its back); callers that own their process
    ask for more — the CLI's ``--jobs`` (default :func:`default_jobs`), a task that opts in.
    """
    notes: list[str] = []
    if rule == "as-declared":
        settings = declared(instance)
        notes.append(f"as declared: {instance.rule}")
        rule = str(settings["rule"])
        threshold = settings.get("threshold", threshold)  # type: ignore[assignment]
        utility = settings.get("utility", utility)  # type: ignore[assignment]
        completion = str(settings.get("completion", completion))
        comparison = bool(settings.get("comparison", comparison))
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
        run, steps = _mes_with_completion(compiled, utility, completion, order, progress, jobs)
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
        if comparison:
            funded, ties = _compare_with_greedy(compiled, order, funded, ties, outcomes, notes)
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


def _compare_with_greedy(
    compiled: Compiled,
    order: TieOrder,
    funded: list[int],
    ties: list[TieBreak],
    outcomes: dict[int, ProjectOutcome],
    notes: list[str],
) -> tuple[list[int], list[TieBreak]]:
    """The comparison step (Pabulib's ``…-comparison`` rules, equalshares.net's "comparison").

    Greedy funds projects by most votes first, skipping any that no longer fit the budget. Each
    voter prefers the outcome that funds more of the projects she voted for; if more voters prefer
    greedy's outcome than prefer Equal Shares', greedy's is chosen, else Equal Shares' stands (a
    draw keeps it). Returns the funded projects and the ties that decided them.
    """
    greedy = run_greedy(compiled, order)
    satisfaction = np.zeros((2, len(compiled.weights)))
    for row, projects in enumerate((funded, greedy.funded)):
        for p in projects:
            satisfaction[row, compiled.supporters[p]] += 1
    mes_better = int(compiled.weights[satisfaction[0] > satisfaction[1]].sum())
    greedy_better = int(compiled.weights[satisfaction[1] > satisfaction[0]].sum())
    counted = f"voters preferring the greedy outcome: {greedy_better}; Equal Shares': {mes_better}"
    if greedy_better <= mes_better:
        notes.append(f"comparison step: {counted}, so Equal Shares' outcome stands")
        return funded, ties
    notes.append(f"comparison step: {counted}, so the greedy outcome is chosen")
    outcomes.clear()
    _explain_greedy(compiled, greedy, outcomes, stage="greedy", budget=compiled.budget)
    ties = [
        TieBreak(r, tuple(compiled.ids[p] for p in tied), compiled.ids[c], order.reason(tied, c))
        for r, tied, c in greedy.ties
    ]
    return list(greedy.funded), ties


# Add-one completion counts a batch of budgets at once (see BatchMes) while that is quicker per
# budget than trial runs so far were per step they covered, and tries one anyway after NARROW trial
# runs (twice as many after each batch that was slower, up to WAIT_MOST): first BATCH_FIRST budgets,
# then twice as many while batches are quicker, up to BATCH_MOST.
NARROW = 3
WAIT_MOST = 96
BATCH_FIRST = 32
BATCH_MOST = 128
# A completion still going after PARALLEL_AFTER seconds of CPU time walks on in parallel (see
# _walk_in_parallel), in chunks of as many steps as it walked in CHUNK_SECONDS so far (at least
# CHUNK_LEAST).
PARALLEL_AFTER = 0.25
CHUNK_SECONDS = 0.25
CHUNK_LEAST = 64


def default_jobs() -> int:
    """Processes the CLI lets a long add-one completion use by default: the CPUs this process may
    use, up to 4."""
    return max(1, min(4, os.process_cpu_count() or 1))


def _mes_with_completion(
    compiled: Compiled,
    utility: str,
    completion: str,
    order: TieOrder,
    progress: Callable[[str], None] | None,
    jobs: int = 1,
) -> tuple[MesRun, int | None]:
    """MES, then add-one completion: raise every voter's money by 1 per step.

    ``add1`` keeps raising until the next step would overspend the budget (equalshares.net);
    ``add1-exhaustive`` also stops at the first outcome to which no further project fits
    (pabutools' default). Either stops once every supported project is funded.

    Each trial run says how many further steps fund the same (its headroom), and completion jumps
    over those. Where that is slower than counting the next budgets as a batch (:class:`BatchMes`),
    it counts batches, with the exact engine for the budgets a batch leaves undecided. A long
    completion walks on in ``jobs`` processes (see :func:`_walk_in_parallel`).
    """
    walk = _Completion(compiled, utility, completion, order)
    if completion == "none" or not compiled.n_voters:
        return walk.engine(walk.start), None
    started = time.process_time()
    funded, headroom = walk.trial(0)
    jobs = parallel_jobs(jobs)
    deadline = started + PARALLEL_AFTER if jobs > 1 else math.inf
    stopped, step, funded, headroom = walk.walk(0, funded, headroom, deadline=deadline, progress=progress)
    if not stopped:
        size = max(CHUNK_LEAST, round(step * CHUNK_SECONDS / max(time.process_time() - started, 1e-9)))
        step = _walk_in_parallel(walk, jobs, step, size, funded, headroom, progress)
    # Rerun the chosen step with exact prices for the explanations (same decisions).
    return walk.engine(walk.start + step), step


class _Completion:
    """Add-one completion's walk over the steps: which projects each step funds, and where to stop.

    Whether the completion stops at a step depends only on what that step and the next fund, so
    any stretch of steps can be walked on its own (:meth:`chunk`), in any process.
    """

    def __init__(self, compiled: Compiled, utility: str, completion: str, order: TieOrder) -> None:
        self.compiled, self.utility, self.completion, self.order = compiled, utility, completion, order
        # The fast exact engine where utilities allow it (it takes ``exact_prices=False`` for trial
        # runs, whose prices are not reported), else exact arithmetic throughout.
        self.batch: BatchMes | None = None
        if utility in ("cost", "approval"):
            fast = ConstantUtilityMes(compiled, utility, order)
            self.engine: Callable[..., MesRun] = fast.run
            self.batch = BatchMes(compiled, utility, order, fast.overlaps)
        else:

            def engine(voter_budget: Fraction, exact_prices: bool = True) -> MesRun:
                return run_mes_exact(compiled, utility, voter_budget, order)

            self.engine = engine
        self.start = compiled.budget / compiled.n_voters if compiled.n_voters else Fraction(0)
        self.candidates = [p for p in range(len(compiled.ids)) if compiled.backers[p] and compiled.costs[p] > 0]
        # Costs and budget as whole multiples of their least common unit: exact, and quick to add up.
        unit = Fraction(1, math.lcm(compiled.budget.denominator, *(c.denominator for c in compiled.costs)))
        self.costs = [int(c / unit) for c in compiled.costs]
        self.budget = int(compiled.budget / unit)
        # The CPU time trial runs took and the steps they covered (over the whole walk: on some votes
        # a few runs cover hundreds of steps between many that cover one); the last batch's CPU time
        # per budget it decided (inf: it decided too few); trial runs since it, and how many to wait
        # for before trying one that may be slower; the next batch's size.
        self.trial_seconds, self.trial_steps = 0.0, 0
        self.batch_pace, self.since, self.wait, self.size = math.inf, 0, NARROW, BATCH_FIRST
        # What batches decided, by step.
        self.ahead: dict[int, list[int]] = {}

    def trial(self, step: int) -> tuple[list[int], float]:
        """What step ``step`` funds, and the run's headroom (a trial run)."""
        started = time.process_time()
        run = self.engine(self.start + step, exact_prices=False)
        self.trial_seconds += time.process_time() - started
        self.trial_steps += 1 + _whole(run.headroom)
        return run.funded, run.headroom

    def overspends(self, funded: list[int]) -> bool:
        return sum(self.costs[p] for p in funded) > self.budget

    def stops(self, funded: list[int]) -> bool:
        """Whether the completion stops at a step that funds ``funded`` (the next step aside)."""
        chosen = set(funded)
        if set(self.candidates) <= chosen:
            return True
        if self.completion != "add1-exhaustive":
            return False
        left = self.budget - sum(self.costs[p] for p in funded)
        return all(self.costs[p] > left for p in self.candidates if p not in chosen)

    def walk(
        self,
        step: int,
        funded: list[int],
        headroom: float,
        *,
        end: float = math.inf,
        deadline: float = math.inf,
        progress: Callable[[str], None] | None = None,
    ) -> tuple[bool, int, list[int], float]:
        """From ``step`` (which funds ``funded``, with that run's ``headroom``), step on.

        Returns ``(True, the step the completion stops at, …)``, or ``(False, step, funded,
        headroom)`` to carry on from: once the next step would be ``end`` or later, or past the CPU
        time ``deadline``.
        """
        reported = step
        while True:
            if self.stops(funded):
                return True, step, funded, headroom
            if time.process_time() >= deadline:
                return False, step, funded, headroom
            # The next whole steps the run's headroom covers fund the same projects, so stepping one
            # by one would pass them all without stopping: go straight to the last of them.
            if math.isfinite(headroom):
                step += math.floor(headroom)
            if step + 1 >= end:
                return False, step, funded, 0.0
            self._batch(step, end)
            if step + 1 in self.ahead:
                following, following_headroom = self.ahead.pop(step + 1), 0.0
            else:
                following, following_headroom = self.trial(step + 1)
                self.since += 1
            if self.overspends(following):
                return True, step, funded, headroom
            funded, headroom, step = following, following_headroom, step + 1
            if progress and step >= reported + 100:
                reported = step - step % 100
                progress(f"add-one completion: step {step}")

    def _batch(self, step: int, end: float) -> None:
        """Count the budgets after ``step`` (before ``end``) as a batch, if that is likely quicker
        (see NARROW)."""
        # (A trial run always comes between two batches: where single runs can jump, they show it.)
        if self.batch is None or not self.since or step + 1 <= max(self.ahead, default=step):
            return
        trial_pace = self.trial_seconds / max(self.trial_steps, 1)
        if not (self.batch_pace < trial_pace or self.since >= self.wait):
            return
        size = min(self.size, end - step - 1)
        started = time.process_time()
        outcomes = self.batch.run([float(self.start + step + 1 + i) for i in range(int(size))])
        self.ahead = {step + 1 + i: o for i, o in enumerate(outcomes) if o is not None}
        # Whether it was quicker is a matter of speed only (batches and trial runs decide the same).
        seconds = time.process_time() - started
        self.batch_pace = seconds / len(self.ahead) if len(self.ahead) >= max(1, size // 2) else math.inf
        self.since = 0
        if self.batch_pace < trial_pace:
            self.wait, self.size = NARROW, min(2 * self.size, BATCH_MOST)
        else:
            self.wait, self.size = min(2 * self.wait, WAIT_MOST), BATCH_FIRST

    def chunk(self, first: int, end: int) -> int | None:
        """The step in ``[first − 1, end)`` the completion stops at, if any (walked from ``first``).

        (At ``first − 1`` when step ``first`` overspends: the walk up to there did not look.)
        """
        self.ahead = {}
        funded, headroom = self.trial(first)
        if self.overspends(funded):
            return first - 1
        stopped, step, _, _ = self.walk(first, funded, headroom, end=end)
        return step if stopped else None


def parallel_jobs(jobs: int) -> int:
    """How many processes a completion may really use: forking a process that runs other threads
    (a web server's) could deadlock the copy, so there it walks in one."""
    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return jobs


def _walk_in_parallel(
    walk: _Completion,
    jobs: int,
    step: int,
    size: int,
    funded: list[int],
    headroom: float,
    progress: Callable[[str], None] | None,
) -> int:
    """Walk on from ``step`` in ``jobs`` processes; return the step the completion stops at.

    The steps ahead are cut into chunks of ``size`` steps. This process walks the first chunk on
    from where it is; it and ``jobs − 1`` forked copies of it then each take the next chunk no one
    has taken, in step order. The completion stops in the first chunk, in step order, that finds a
    stop: the same step as one walk would find, since each chunk's answer depends only on its
    steps. The copies are stopped as soon as that is known.
    """

    def bounds(k: int) -> tuple[int, int]:
        return step + k * size, step + (k + 1) * size

    context = multiprocessing.get_context("fork")
    following = context.Value("q", 1)  # the next chunk no one has taken (the first is this process's)
    answers = context.Queue()
    # (Forked: each copy inherits the walk as it is, nothing pickled.)
    args = (walk, following, answers, bounds)
    workers = [context.Process(target=_work, args=args, daemon=True) for _ in range(jobs - 1)]
    for worker in workers:
        worker.start()
    try:
        stopped, at, _, _ = walk.walk(step, funded, headroom, end=bounds(1)[0])
        found: dict[int, int | None] = {0: at if stopped else None}
        while True:
            while not answers.empty():
                _receive(answers.get(), found, bounds, progress)
            # The first chunk that stops, once every chunk before it is walked.
            first = min((k for k, at in found.items() if at is not None), default=None)
            if first is not None and all(k in found for k in range(first)):
                return found[first]  # type: ignore[return-value]
            if first is None:
                k = _take(following)
                found[k] = walk.chunk(*bounds(k))
                continue
            # Only chunks before the first stop still matter, and others walk them: wait.
            try:
                _receive(answers.get(timeout=1), found, bounds, progress)
            except queue.Empty:
                if not all(worker.is_alive() for worker in workers):
                    raise RuntimeError("a process walking add-one completion stopped") from None
    finally:
        for worker in workers:
            worker.terminate()
            worker.join()


def _take(following: Synchronized[int]) -> int:
    with following.get_lock():
        k = following.value
        following.value += 1
    return k


def _work(
    walk: _Completion,
    following: Synchronized[int],
    answers: multiprocessing.Queue,
    bounds: Callable[[int], tuple[int, int]],
) -> None:
    """A worker process: walk the next chunk no one has taken, and tell, until stopped."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # (Ctrl-C stops the process that started it, which stops this)
    while True:
        k = _take(following)
        try:
            answers.put((k, walk.chunk(*bounds(k)), None))
        except Exception as error:  # (shown by the process that waits for it)
            answers.put((k, None, repr(error)))
            return


def _receive(
    answer: tuple[int, int | None, str | None],
    found: dict[int, int | None],
    bounds: Callable[[int], tuple[int, int]],
    progress: Callable[[str], None] | None,
) -> None:
    k, at, error = answer
    if error is not None:
        raise RuntimeError(f"a process walking add-one completion failed: {error}")
    found[k] = at
    if progress:
        first, end = bounds(k)
        progress(f"add-one completion: steps {first}–{end - 1} walked")


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
