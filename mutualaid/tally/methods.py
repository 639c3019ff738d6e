"""The methods of the catalogue, each with its ballot, its tally and its pass rule (see the package docstring and
the tally contract). Shares are read as exact fractions, so that a quorum of 2/3 of 3 voters needs 2, not 3."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable


class TallyError(ValueError):
    """The document breaks the tally contract; the message says where."""


@dataclass(frozen=True)
class Method:
    name: str
    choices: tuple[str, ...] = ()        # the choices of a ballot {"choice": ...}; empty: the method has options
    needs_options: bool = False


CHOICE_METHODS = {
    "consent": ("consent", "stand_aside", "object"),
    "consensus": ("agree", "abstain", "disagree", "block"),
    "majority": ("yes", "no", "abstain"),
    "supermajority": ("yes", "no", "abstain"),
    "sense_check": ("agree", "unsure", "concerned"),
}
OPTION_METHODS = ("score", "ranked_choice", "dot", "time")
METHODS: dict[str, Method] = {
    **{name: Method(name, choices=choices) for name, choices in CHOICE_METHODS.items()},
    **{name: Method(name, needs_options=True) for name in OPTION_METHODS},
}
SLOT_ANSWERS = ("yes", "maybe", "no")
MAX_SCORE = 5


# --- Reading the document ----------------------------------------------------------------------------------


def _whole(value: Any, what: str, *, least: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise TallyError(f"{what} must be a whole number of at least {least}, not {value!r}")
    return value


def _share(value: Any, what: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TallyError(f"{what} must be a number between 0 and 1, not {value!r}")
    share = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
    if not 0 <= share <= 1:
        raise TallyError(f"{what} must be between 0 and 1, not {value!r}")
    return share


def _options(document: dict, method: Method) -> list[str]:
    options = document.get("options")
    if options is None:
        if method.needs_options:
            raise TallyError(f"the {method.name} method needs its options (\"options\": [...])")
        return []
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise TallyError("\"options\" must be a list of texts")
    repeated = sorted({o for o in options if options.count(o) > 1})
    if repeated:
        raise TallyError(f"\"options\" lists {repeated[0]!r} more than once")
    if method.needs_options and not options:
        raise TallyError(f"the {method.name} method needs at least one option")
    return options


def _ballot_error(position: int, message: str) -> TallyError:
    return TallyError(f"ballot {position}: {message}")


def _mapping(ballot: dict, key: str, position: int, options: list[str]) -> dict[str, Any]:
    value = ballot.get(key)
    if not isinstance(value, dict):
        raise _ballot_error(position, f"needs \"{key}\": an object of option -> value")
    unknown = [name for name in value if name not in options]
    if unknown:
        raise _ballot_error(position, f"unknown option {unknown[0]!r}")
    return value


# --- The tallies --------------------------------------------------------------------------------------------


def _choice_counts(method: Method, ballots: list[dict]) -> dict[str, int]:
    counts = dict.fromkeys(method.choices, 0)
    for position, ballot in enumerate(ballots, 1):
        choice = ballot.get("choice")
        if not isinstance(choice, str) or choice not in counts:
            raise _ballot_error(position, f"unknown choice {choice!r} for {method.name} "
                                          f"(one of: {', '.join(method.choices)})")
        counts[choice] += 1
    return counts


def _choice_outcome(method: str, counts: dict[str, int], threshold: Fraction) -> str:
    if method == "sense_check":
        return "none"
    if method == "consent":
        passed = counts["object"] == 0
    elif method == "consensus":
        passed = counts["block"] == 0 and counts["agree"] > counts["disagree"]
    elif method == "majority":
        passed = counts["yes"] > counts["no"]
    else:  # supermajority
        passed = counts["yes"] > 0 and counts["yes"] >= threshold * (counts["yes"] + counts["no"])
    return "passed" if passed else "failed"


def _score_totals(ballots: list[dict], options: list[str]) -> dict[str, int]:
    totals = dict.fromkeys(options, 0)
    for position, ballot in enumerate(ballots, 1):
        for option, score in _mapping(ballot, "scores", position, options).items():
            if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= MAX_SCORE:
                raise _ballot_error(position, f"the score of {option!r} must be a whole number from 0 to "
                                              f"{MAX_SCORE}, not {score!r}")
            totals[option] += score
    return totals


def _dot_totals(ballots: list[dict], options: list[str], dots_per_voter: int | None) -> dict[str, int]:
    totals = dict.fromkeys(options, 0)
    for position, ballot in enumerate(ballots, 1):
        dots = _mapping(ballot, "dots", position, options)
        for option, count in dots.items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise _ballot_error(position, f"the dots on {option!r} must be a whole number of at least 0, "
                                              f"not {count!r}")
        spent = sum(dots.values())
        if dots_per_voter is not None and spent > dots_per_voter:
            raise _ballot_error(position, f"places {spent} dots, more than the {dots_per_voter} each voter has")
        for option, count in dots.items():
            totals[option] += count
    return totals


def _slot_totals(ballots: list[dict], options: list[str]) -> dict[str, dict[str, int]]:
    totals = {option: dict.fromkeys(SLOT_ANSWERS, 0) for option in options}
    for position, ballot in enumerate(ballots, 1):
        for option, answer in _mapping(ballot, "slots", position, options).items():
            if not isinstance(answer, str) or answer not in SLOT_ANSWERS:
                raise _ballot_error(position, f"the answer for {option!r} must be yes, maybe or no, not {answer!r}")
            totals[option][answer] += 1
    return totals


def _highest(options: list[str], key: Callable[[str], Any]) -> list[str]:
    best = max(key(option) for option in options)
    return [option for option in options if key(option) == best]


def _rankings(ballots: list[dict], options: list[str]) -> Counter:
    """Identical rankings counted together: a round walks the distinct rankings, not every ballot."""
    known = set(options)
    rankings: Counter = Counter()
    for position, ballot in enumerate(ballots, 1):
        ranking = ballot.get("ranking")
        if not isinstance(ranking, list):
            raise _ballot_error(position, "needs \"ranking\": a list of options, most preferred first")
        for option in ranking:
            if not isinstance(option, str) or option not in known:
                raise _ballot_error(position, f"unknown option {option!r}")
        if len(set(ranking)) != len(ranking):
            repeated = next(o for o in ranking if ranking.count(o) > 1)
            raise _ballot_error(position, f"ranks {repeated!r} more than once")
        rankings[tuple(ranking)] += 1
    return rankings


def _instant_runoff(rankings: Counter, options: list[str]) -> tuple[str, list[str], list[dict]]:
    """Single-winner instant runoff, as the contract says: each round counts every ballot for its highest-ranked
    continuing option; more than half of the round's non-exhausted ballots wins; otherwise the fewest is eliminated
    (a tie for fewest broken by fewer votes in the previous round, going back round by round, then by the option
    listed later); the last two with equal votes are a tie."""
    continuing = list(options)
    order = {option: i for i, option in enumerate(options)}
    rounds: list[dict] = []
    history: list[dict[str, int]] = []
    while True:
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        alive = set(continuing)
        for ranking, n in rankings.items():
            for option in ranking:
                if option in alive:
                    counts[option] += n
                    break
            else:
                exhausted += n
        history.append(counts)
        live = sum(counts.values())
        row = {"counts": counts, "exhausted": exhausted, "eliminated": []}
        rounds.append(row)
        majority = [option for option in continuing if 2 * counts[option] > live]
        if majority:
            return "elected", majority, rounds
        if len(continuing) == 1:
            return "elected", list(continuing), rounds
        if len(continuing) == 2 and counts[continuing[0]] == counts[continuing[1]]:
            return "tie", list(continuing), rounds
        fewest = min(counts.values())
        tied = [option for option in continuing if counts[option] == fewest]
        for earlier in reversed(history[:-1]):  # the previous round first, then the one before, ...
            if len(tied) == 1:
                break
            least = min(earlier[option] for option in tied)
            tied = [option for option in tied if earlier[option] == least]
        loser = max(tied, key=order.__getitem__)  # still tied: the option listed later goes
        row["eliminated"] = [loser]
        continuing.remove(loser)


# --- The whole -----------------------------------------------------------------------------------------------


def tally(document: Any) -> dict[str, Any]:
    """The OUT document for an IN document (see the package docstring)."""
    if not isinstance(document, dict):
        raise TallyError("the document must be a JSON object")
    name = document.get("method")
    method = METHODS.get(name) if isinstance(name, str) else None
    if method is None:
        raise TallyError(f"unknown method {name!r} (one of: {', '.join(METHODS)})")
    options = _options(document, method)
    electorate = _whole(document.get("electorate"), "\"electorate\"")
    quorum = _share(document.get("quorum", 0), "\"quorum\"")
    threshold = _share(document["threshold"], "\"threshold\"") if "threshold" in document else Fraction(2, 3)
    dots_per_voter = document.get("dots_per_voter")
    if dots_per_voter is not None:
        dots_per_voter = _whole(dots_per_voter, "\"dots_per_voter\"")
    ballots = document.get("ballots")
    if not isinstance(ballots, list):
        raise TallyError("\"ballots\" must be a list")
    for position, ballot in enumerate(ballots, 1):
        if not isinstance(ballot, dict):
            raise _ballot_error(position, "must be a JSON object")
    if len(ballots) > electorate:
        raise TallyError(f"{len(ballots)} ballots for an electorate of {electorate}: one ballot per voter")

    cast = len(ballots)
    quorum_needed = math.ceil(quorum * electorate)
    out: dict[str, Any] = {"method": method.name, "cast": cast, "electorate": electorate,
                           "quorum_needed": quorum_needed, "quorum_reached": cast >= quorum_needed}
    if method.choices:
        counts = _choice_counts(method, ballots)
        outcome = _choice_outcome(method.name, counts, threshold)
        out.update(outcome=outcome, counts=counts)
    elif method.name == "ranked_choice":
        outcome, winners, rounds = _instant_runoff(_rankings(ballots, options), options)
        out.update(outcome=outcome, winners=winners, rounds=rounds)
    else:
        if method.name == "score":
            totals: dict[str, Any] = _score_totals(ballots, options)
            winners = _highest(options, totals.__getitem__)
        elif method.name == "dot":
            totals = _dot_totals(ballots, options, dots_per_voter)
            winners = _highest(options, totals.__getitem__)
        else:  # time: the most yes, then the most yes + maybe
            totals = _slot_totals(ballots, options)
            most_yes = _highest(options, lambda o: totals[o]["yes"])
            winners = _highest(most_yes, lambda o: totals[o]["yes"] + totals[o]["maybe"])
        out.update(outcome="elected" if len(winners) == 1 else "tie", totals=totals, winners=winners)
    if not out["quorum_reached"]:
        out["outcome"] = "no_quorum"
        out.pop("winners", None)
    return out
