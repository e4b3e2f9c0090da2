"""BLT and .dat readers: every quirk in PROVENANCE.md, and clear refusals with file and line."""

from __future__ import annotations

from collections import Counter

import pytest

from coproduce.counting.errors import InputError
from coproduce.counting.formats.blt import parse_blt, write_blt
from coproduce.counting.formats.dat import parse_dat
from coproduce.counting.stv import count, read_blt, read_dat

from . import HANDMADE_FIXTURES

FIXTURES = HANDMADE_FIXTURES / "stv"


def test_quirky_file_bom_withdrawn_commas_names_title():
    contest = read_blt(FIXTURES / "quirks.blt")
    assert contest.candidates == ("Ann ONE (Party A)", "Bob TWO (Ind)", 'Cat THREE "Green"', "Dan FOUR")
    assert contest.title == "Unquoted title without newline"
    assert contest.withdrawn == frozenset({3})
    assert contest.seats == 2
    # "2,2,1,0" is weight 2 for 2 > 1; weights above 1 are kept as counts.
    assert dict(zip(contest.rankings, contest.counts, strict=True)) == {(0, 1): 3, (1, 0): 2, (2,): 1, (3, 0): 2}


def test_withdrawn_candidate_gets_no_votes():
    result = count(read_blt(FIXTURES / "quirks.blt"), rules="scottish")
    assert all(stage.totals[3] == 0 for stage in result.stages)
    assert 3 not in result.elected
    # The paper "4 1" counts for Ann: 3 + 2 = 5 of 8 valid first preferences.
    assert result.stages[0].totals[0] == 5
    assert result.valid == 8


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("bad_token.blt", 3, "expected a candidate number, found 'x'"),
        ("equal_rank.blt", 3, "equal rankings"),
        ("no_end.blt", None, "no end-of-ballots line"),
    ],
)
def test_malformed_files_are_refused_with_file_line_and_reason(name, line, words):
    with pytest.raises(InputError) as caught:
        read_blt(FIXTURES / name)
    error = caught.value
    assert error.file == str(FIXTURES / name)
    if line is not None:
        assert error.line == line
    assert words in error.reason
    assert str(error).startswith(str(FIXTURES / name))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty file"),
        ("three 1\n", "expected 'CANDIDATES SEATS'"),
        ("2 1\n1 3 0\n0\n", "out of range"),
        ("2 1\n1 1 1 0\n0\n", "ranked twice"),
        ('2 1\n1 1 0\n0\n"A"\n', "expected 2 candidate names"),
        ("2 1\n1 1 2\n0\n", "must end with 0"),
    ],
)
def test_parse_errors(text, reason):
    with pytest.raises(InputError, match=reason):
        parse_blt(text, file="x.blt")


def test_droop_options_nick_and_tie():
    contest = parse_blt('3 1\n[nick a b c]\n[tie 3 2 1]\n[withdrawn c]\n2 a b 0\n1 b 0\n0\n"A"\n"B"\n"C"\n"T"\n')
    assert contest.tie_order == (2, 1, 0)
    assert contest.withdrawn == frozenset({2})
    assert contest.rankings == ((0, 1), (1,))


def test_dat_rank_vectors_become_preference_orders():
    text = "7 Ward\n2 3 2 5\nAnn A, Lab\nBob B, SNP\nCat C, Con\n3 2 1 0\n2 0 0 1\n"
    contest = parse_dat(text, file="w.dat")
    assert contest.rankings == ((1, 0), (2,))
    assert contest.counts == (3, 2)
    assert contest.seats == 2
    with pytest.raises(InputError, match="header promises"):
        parse_dat(text.replace("2 3 2 5", "2 3 2 6"), file="w.dat")
    with pytest.raises(InputError, match="share a rank") as caught:
        parse_dat(text.replace("3 2 1 0", "3 1 1 0"), file="w.dat")
    assert caught.value.line == 6


def test_all_real_files_read(shared_data):
    """Every McCune BLT file reads (with as many candidates as its folder says) and every Mollison
    .dat file reads, and both sources agree ballot for ballot on a 2022 ward."""
    folder = shared_data("stv")
    failures = []
    blts = sorted((folder / "scot-elex-mccune" / "blt_files").glob("*/*.blt"))
    dats = sorted((folder / "scotland-2022-mollison").glob("**/*.dat"))
    assert len(blts) == 1100 and len(dats) == 355
    for path in blts:
        try:
            contest = read_blt(path)
        except InputError as error:
            failures.append(str(error))
            continue
        # Each file sits in a folder named for its number of candidates ("5_cands").
        if len(contest.candidates) != int(path.parent.name.split("_")[0]) or not contest.rankings:
            failures.append(f"{path}: {len(contest.candidates)} candidates, {len(contest.rankings)} ballots")
    for path in dats:
        try:
            read_dat(path)
        except InputError as error:
            failures.append(str(error))
    assert not failures, failures
    mccune = read_blt(folder / "scot-elex-mccune/blt_files/4_cands/midlothian_2022_ward2.blt")
    mollison = read_dat(folder / "scotland-2022-mollison/SC2022_ballot_format/Midlothian/2_Bonnyrigg.dat")
    assert (mccune.seats, mollison.seats) == (3, 3)
    assert _ballots_by_surname(mccune) == _ballots_by_surname(mollison)
    assert sum(mccune.counts) == 6016
    perth = read_blt(folder / "scot-elex-mccune/blt_files/5_cands/perth_kinross_2016_by_election_ward9.blt")
    assert perth.candidates[3] == "Wilma LUMSDEN"
    assert perth.seats == 1


def _ballots_by_surname(contest):
    """How many papers ranked each sequence of candidates, named by their surnames (the two sources
    write parties differently: 'Derek MILLIGAN "Scottish Labour Party"', 'Derek MILLIGAN, Lab')."""
    surnames = [next(word for word in name.split() if word.isupper()).rstrip(",") for name in contest.candidates]
    assert len(set(surnames)) == len(surnames)
    papers = Counter()
    for ranking, count_ in zip(contest.rankings, contest.counts, strict=True):
        papers[tuple(surnames[c] for c in ranking)] += count_
    return papers


def _careful(monkeypatch, text):
    """Parse ``text`` with the fast paths switched off: the whole file split into lines and
    read line by line by the careful reader."""
    from coproduce.counting.formats import blt

    with monkeypatch.context() as patch:
        patch.setattr(blt, "_canonical_ballots", lambda *args: None)
        patch.setattr(blt, "_fast_ballots", lambda *args: None)
        patch.setattr(blt, "_HEAD_LINES", 10**9)
        return _outcome(text)


def _outcome(text):
    try:
        contest = parse_blt(text, file="x.blt")
    except InputError as error:
        return ("refused", error.line, error.reason)
    return ("read", contest)


def test_fast_paths_agree_with_the_careful_reader(monkeypatch):
    """Random BLT files, clean and messy, short and long: the fast paths read or refuse exactly as the careful one."""
    import random

    rng = random.Random(20261123)
    quirks = ["", "", "", "\t", "  ", ",", "\r", ":", "0", "00", "01", "x", "1=2", "(7)"]
    kinds = {"read": 0, "refused": 0}
    long_files = 0
    for case in range(1500):
        n = rng.choice([3, 9, 10, 12, 14])
        lines = []
        size = rng.choice([0, 0, 70]) + rng.randint(0, 12)
        messy = rng.choice([0, 0.5, 2]) / (size + 1)  # most files are clean, some have one odd line
        for _ in range(size):
            ranking = rng.sample(range(1, n + 1), rng.randint(0, n))
            if rng.random() < messy and ranking:
                ranking.append(ranking[0])  # ranked twice
            if rng.random() < messy / 2:
                ranking.append(n + 1)  # out of range
            tokens = [str(rng.choice([1, 1, 2, 3, 10, 12, 126]))] + [str(c) for c in ranking] + ["0"]
            if rng.random() < messy * 2:
                at = rng.randrange(len(tokens) + 1)
                tokens.insert(at, rng.choice(quirks))
            sep = " " if rng.random() > messy else rng.choice(["  ", "\t", ", "])
            line = sep.join(tokens)
            if rng.random() < messy:
                line = rng.choice([" ", "\r", " \r", ","]) + line if rng.random() < 0.5 else line + " "
            lines.append(line)
            if rng.random() < messy / 2:
                lines.append("")
        head = [f"{n} 2"]
        if rng.random() < 0.2:
            head = rng.choice([["# exported"], [""], [""] * 70]) + head
        if rng.random() < 0.2:
            head += rng.choice([["[withdrawn 2]"], ["-3"], [""], ["[droop]"] * 70, ["-1 -2"]])
        names = [*(f"C{c}" for c in range(1, n + 1)), "Title"][: rng.choice([n + 1] * 20 + [n, 1, 0])]
        end = rng.choice(["0"] * 20 + [" 0", "0,", "0 ", ""])
        text = "\n".join([*head, *lines, end, *names]) + rng.choice(["\n", ""])
        if case % 7 == 0:
            text = text.replace("\n", "\r\n")
        long_files += text.count("\n") > 64
        fast, careful = _outcome(text), _careful(monkeypatch, text)
        assert fast == careful, text
        kinds[fast[0]] += 1
    assert min(kinds.values()) > 100 and long_files > 300, (kinds, long_files)  # every kind exercised


@pytest.mark.parametrize(
    "text",
    [
        # Windows line ends; a line "0" at the very end comes first for the careful reader.
        "3 1\r\n" + "1 1 2 0\r\n" * 70 + "0\r\nA\r\nB\r\nC\r\n0",
        # No ballots, long files: the end line comes first (then too few names: the error's line).
        "3 1\r\n0\r\nA\r\n" + "\r\n" * 70,
        "3 1\n0\nA\n" + "\n" * 70,
        # Ballots, then the end line as the last line.
        "3 1\n" + "1 1 2 0\n" * 70 + "0",
        "3 1\r\n" + "1 1 2 0\r\n" * 70 + "0\r\nA\r\nB\r\nC\r\nT\r\n",
    ],
)
def test_fast_paths_agree_at_the_end_of_the_ballots(monkeypatch, text):
    assert _outcome(text) == _careful(monkeypatch, text)


def test_written_blt_reads_back_to_the_same_contest() -> None:
    """An election's published ballots: names with quotes, a withdrawn candidate, weights above 1."""
    from coproduce.counting.stv.model import Contest

    contest = Contest(
        candidates=('Ann "Nan" Jones', "Bryn", "Cai"),
        seats=2,
        rankings=((0, 1), (1,), (2, 0, 1)),
        counts=(3, 1, 2),
        title='Board — "Tenants"',
        withdrawn=frozenset({2}),
    )
    again = parse_blt(write_blt(contest))
    assert (again.candidates, again.seats, again.title, again.withdrawn) == (
        contest.candidates,
        contest.seats,
        contest.title,
        contest.withdrawn,
    )
    assert dict(zip(again.rankings, again.counts, strict=True)) == dict(
        zip(contest.rankings, contest.counts, strict=True)
    )
