"""The tallies of the decision methods, as the tally contract (issue 13) says, method by method: pass rules, ties,
empty ballots, quorum edges, instant-runoff eliminations against a worked example from the literature, and refusals
that name the ballot. Pure functions: no database."""
from __future__ import annotations

import pytest

from mutualaid.tally import METHODS, TallyError, tally


def doc(method: str, ballots: list[dict], **extra) -> dict:
    return {"method": method, "electorate": max(len(ballots), extra.pop("electorate", 0)), "ballots": ballots,
            **extra}


def choices(*names: str) -> list[dict]:
    return [{"choice": name} for name in names]


# --- Choice methods -------------------------------------------------------------------------------------------


def test_consent_passes_with_no_objection_and_stand_asides_do_not_block():
    out = tally(doc("consent", choices("consent", "stand_aside", "consent")))
    assert out == {"method": "consent", "cast": 3, "electorate": 3, "quorum_needed": 0, "quorum_reached": True,
                   "outcome": "passed", "counts": {"consent": 2, "stand_aside": 1, "object": 0}}
    assert tally(doc("consent", choices("consent", "consent", "object")))["outcome"] == "failed"


def test_consensus_needs_no_block_and_more_agree_than_disagree():
    assert tally(doc("consensus", choices("agree", "agree", "disagree", "abstain")))["outcome"] == "passed"
    assert tally(doc("consensus", choices("agree", "disagree")))["outcome"] == "failed"  # a tie is not more
    assert tally(doc("consensus", choices("agree", "agree", "agree", "block")))["outcome"] == "failed"


def test_majority_counts_yes_against_no_and_abstentions_count_for_the_quorum_only():
    assert tally(doc("majority", choices("yes", "no", "abstain", "abstain", "yes")))["outcome"] == "passed"
    assert tally(doc("majority", choices("yes", "no")))["outcome"] == "failed"
    out = tally(doc("majority", choices("abstain", "abstain", "yes"), electorate=5, quorum=0.6))
    assert (out["quorum_needed"], out["quorum_reached"], out["outcome"]) == (3, True, "passed")


def test_supermajority_at_exactly_two_thirds_passes_and_needs_a_yes():
    assert tally(doc("supermajority", choices("yes", "yes", "no")))["outcome"] == "passed"      # 2 >= 2/3 of 3
    assert tally(doc("supermajority", choices("yes", "no")))["outcome"] == "failed"
    assert tally(doc("supermajority", choices("abstain", "abstain")))["outcome"] == "failed"    # no yes at all
    assert tally(doc("supermajority", choices("yes", "yes", "yes", "no"), threshold=0.75))["outcome"] == "passed"
    assert tally(doc("supermajority", choices("yes", "yes", "no"), threshold=0.75))["outcome"] == "failed"


def test_a_sense_check_has_no_outcome_but_its_counts():
    out = tally(doc("sense_check", choices("agree", "unsure", "concerned", "agree")))
    assert out["outcome"] == "none" and out["counts"] == {"agree": 2, "unsure": 1, "concerned": 1}


# --- Quorum --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quorum, electorate, cast, needed, reached", [
    (0.5, 10, 5, 5, True),          # exactly half
    (0.5, 10, 4, 5, False),
    (0.5, 9, 5, 5, True),           # ceil(4.5)
    (2 / 3, 3, 2, 2, True),         # read as an exact share: ceil(2.0) is 2, not 3
    (1, 4, 3, 4, False),
    (0, 4, 0, 0, True),             # no quorum asked: even no ballot reaches it
])
def test_quorum_is_ballots_cast_against_the_electorate(quorum, electorate, cast, needed, reached):
    out = tally({"method": "consent", "electorate": electorate, "quorum": quorum,
                 "ballots": choices(*["consent"] * cast)})
    assert (out["quorum_needed"], out["quorum_reached"]) == (needed, reached)
    assert out["outcome"] == ("passed" if reached else "no_quorum")


def test_no_ballots_at_all():
    assert tally(doc("consent", [], electorate=7))["outcome"] == "passed"  # nobody objected, and no quorum asked
    assert tally(doc("majority", [], electorate=7))["outcome"] == "failed"
    out = tally(doc("ranked_choice", [], electorate=7, options=["A", "B"]))
    assert out["outcome"] == "tie" and out["winners"] == ["A", "B"]
    assert tally(doc("score", [], electorate=7, options=["A", "B"], quorum=0.1)) == {
        "method": "score", "cast": 0, "electorate": 7, "quorum_needed": 1, "quorum_reached": False,
        "outcome": "no_quorum", "totals": {"A": 0, "B": 0}}


# --- Options: score, dot, time -------------------------------------------------------------------------------


def test_score_totals_and_an_option_left_out_scores_zero():
    out = tally(doc("score", [{"scores": {"Park": 5, "Hall": 3}}, {"scores": {"Hall": 4}}, {"scores": {}}],
                    options=["Park", "Hall", "Library"]))
    assert out["totals"] == {"Park": 5, "Hall": 7, "Library": 0}
    assert (out["outcome"], out["winners"]) == ("elected", ["Hall"])


def test_score_tie_names_every_winner_in_the_order_of_the_options():
    out = tally(doc("score", [{"scores": {"Park": 4, "Hall": 2}}, {"scores": {"Hall": 2}}],
                    options=["Hall", "Park"]))
    assert (out["outcome"], out["winners"]) == ("tie", ["Hall", "Park"])


def test_dots_are_summed_within_each_voters_allowance():
    out = tally(doc("dot", [{"dots": {"Soup": 2, "Bread": 1}}, {"dots": {"Bread": 3}}], options=["Soup", "Bread"],
                    dots_per_voter=3))
    assert out["totals"] == {"Soup": 2, "Bread": 4} and out["winners"] == ["Bread"]


def test_a_time_poll_picks_the_most_yes_then_the_most_yes_and_maybe():
    slots = ["Mon 18:00", "Tue 18:00", "Wed 10:00"]
    ballots = [{"slots": {"Mon 18:00": "yes", "Tue 18:00": "yes", "Wed 10:00": "no"}},
               {"slots": {"Mon 18:00": "no", "Tue 18:00": "maybe", "Wed 10:00": "yes"}},
               {"slots": {"Mon 18:00": "yes", "Tue 18:00": "yes"}}]
    out = tally(doc("time", ballots, options=slots))
    assert out["totals"]["Tue 18:00"] == {"yes": 2, "maybe": 1, "no": 0}
    assert (out["outcome"], out["winners"]) == ("elected", ["Tue 18:00"])  # Mon ties on yes, has no maybe
    out = tally(doc("time", ballots[:1], options=slots))
    assert (out["outcome"], out["winners"]) == ("tie", ["Mon 18:00", "Tue 18:00"])


# --- Ranked choice (instant runoff) --------------------------------------------------------------------------


def tennessee() -> dict:
    """The worked example of the literature (Wikipedia, "Instant-runoff voting", the Tennessee capital): 100 voters
    in four cities, each preferring the nearer ones. Memphis leads the first round with 42 % but loses the runoff:
    Chattanooga is eliminated, then Nashville, and Knoxville wins with 58."""
    blocs = [(42, ["Memphis", "Nashville", "Chattanooga", "Knoxville"]),
             (26, ["Nashville", "Chattanooga", "Knoxville", "Memphis"]),
             (15, ["Chattanooga", "Knoxville", "Nashville", "Memphis"]),
             (17, ["Knoxville", "Chattanooga", "Nashville", "Memphis"])]
    ballots = [{"ranking": ranking} for n, ranking in blocs for _ in range(n)]
    return doc("ranked_choice", ballots, options=["Memphis", "Nashville", "Chattanooga", "Knoxville"])


def test_instant_runoff_on_the_tennessee_example():
    out = tally(tennessee())
    assert (out["outcome"], out["winners"]) == ("elected", ["Knoxville"])
    assert out["rounds"] == [
        {"counts": {"Memphis": 42, "Nashville": 26, "Chattanooga": 15, "Knoxville": 17}, "exhausted": 0,
         "eliminated": ["Chattanooga"]},
        {"counts": {"Memphis": 42, "Nashville": 26, "Knoxville": 32}, "exhausted": 0, "eliminated": ["Nashville"]},
        {"counts": {"Memphis": 42, "Knoxville": 58}, "exhausted": 0, "eliminated": []},
    ]


def test_a_ballot_with_no_continuing_option_is_exhausted_and_the_majority_is_of_the_rest():
    ballots = ([{"ranking": ["A"]}] * 4 + [{"ranking": ["B", "A"]}] * 2 + [{"ranking": ["C"]}] * 3
               + [{"ranking": []}])
    out = tally(doc("ranked_choice", ballots, options=["A", "B", "C"]))
    assert out["rounds"][0] == {"counts": {"A": 4, "B": 2, "C": 3}, "exhausted": 1, "eliminated": ["B"]}
    assert out["rounds"][1] == {"counts": {"A": 6, "C": 3}, "exhausted": 1, "eliminated": []}
    assert out["winners"] == ["A"]  # 6 of the 9 non-exhausted


def test_a_tie_for_fewest_is_broken_by_the_previous_round_then_by_the_later_option():
    # Round 1: A 4, B 3, C 2, D 2 -> C and D tie with no earlier round: D (listed later) goes.
    # Round 2: A 4, B 3, C 3 (D's ballots go to C) -> B and C tie: C had fewer in round 1, so C goes.
    ballots = ([{"ranking": ["A"]}] * 4 + [{"ranking": ["B"]}] * 3 + [{"ranking": ["C"]}] * 2
               + [{"ranking": ["D", "C"]}, {"ranking": ["D"]}])
    out = tally(doc("ranked_choice", ballots, options=["A", "B", "C", "D"]))
    assert [r["eliminated"] for r in out["rounds"]] == [["D"], ["C"], []]
    assert out["rounds"][1]["counts"] == {"A": 4, "B": 3, "C": 3}
    # Round 3: C's ballots and D's last are exhausted; A has 4 of the 7 left, more than half.
    assert out["rounds"][2] == {"counts": {"A": 4, "B": 3}, "exhausted": 4, "eliminated": []}
    assert (out["outcome"], out["winners"]) == ("elected", ["A"])


def test_the_last_two_with_equal_votes_are_a_tie():
    # C is eliminated first (1 vote); its ballot ranks no one else, so A and B stay at 3 each: a tie.
    ballots = [{"ranking": ["A"]}] * 3 + [{"ranking": ["B"]}] * 3 + [{"ranking": ["C"]}]
    out = tally(doc("ranked_choice", ballots, options=["A", "B", "C"]))
    assert [r["eliminated"] for r in out["rounds"]] == [["C"], []]
    assert (out["outcome"], out["winners"]) == ("tie", ["A", "B"])
    # Its second choice breaks the tie instead.
    ballots[-1] = {"ranking": ["C", "B"]}
    out = tally(doc("ranked_choice", ballots, options=["A", "B", "C"]))
    assert (out["outcome"], out["winners"]) == ("elected", ["B"])
    ballots = [{"ranking": ["A"]}] * 3 + [{"ranking": ["B"]}] * 3
    out = tally(doc("ranked_choice", ballots, options=["A", "B"]))
    assert (out["outcome"], out["winners"]) == ("tie", ["A", "B"])


# --- Refusals ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("document, words", [
    ({"method": "lottery", "electorate": 1, "ballots": []}, "unknown method 'lottery'"),
    (doc("consent", choices("consent", "maybe")), "ballot 2: unknown choice 'maybe' for consent"),
    (doc("score", [{"scores": {"Park": 6}}], options=["Park"]), "ballot 1: the score of 'Park' must be a whole "
                                                                 "number from 0 to 5, not 6"),
    (doc("score", [{"scores": {"Park": 2}}, {"scores": {"Zoo": 1}}], options=["Park"]), "ballot 2: unknown option"),
    (doc("ranked_choice", [{"ranking": ["A"]}, {"ranking": ["B", "A", "B"]}], options=["A", "B"]),
     "ballot 2: ranks 'B' more than once"),
    (doc("dot", [{"dots": {"A": 2, "B": 2}}], options=["A", "B"], dots_per_voter=3),
     "ballot 1: places 4 dots, more than the 3 each voter has"),
    (doc("time", [{"slots": {"Mon": "perhaps"}}], options=["Mon"]), "ballot 1: the answer for 'Mon' must be"),
    (doc("score", [], options=[]), "needs at least one option"),
    (doc("ranked_choice", []), "needs its options"),
    ({"method": "consent", "electorate": 1, "ballots": choices("consent", "consent")}, "2 ballots for an "
                                                                                       "electorate of 1"),
    ({"method": "consent", "electorate": -1, "ballots": []}, "\"electorate\" must be a whole number"),
    ({"method": "consent", "electorate": 3, "quorum": 1.5, "ballots": []}, "\"quorum\" must be between 0 and 1"),
    ({"method": "consent", "electorate": 3, "ballots": ["consent"]}, "ballot 1: must be a JSON object"),
    (["not", "an", "object"], "must be a JSON object"),
])
def test_bad_input_is_refused_naming_where(document, words):
    with pytest.raises(TallyError) as refused:
        tally(document)
    assert words in str(refused.value)


def test_the_catalogue_has_every_method_of_the_contract():
    assert set(METHODS) == {"consent", "consensus", "majority", "supermajority", "sense_check", "score",
                            "ranked_choice", "dot", "time"}


def test_voter_and_reason_are_ignored():
    plain = tally(doc("consent", choices("consent", "object")))
    named = tally(doc("consent", [{"choice": "consent", "voter": "ana"},
                                  {"choice": "object", "voter": "ben", "reason": "Too soon"}]))
    assert plain == named


@pytest.mark.parametrize("ballot", [{"choice": ["yes"]}, {"choice": {"yes": 1}}, {"choice": None}])
def test_a_choice_of_the_wrong_type_is_refused_not_a_crash(ballot):
    with pytest.raises(TallyError, match="ballot 1: unknown choice"):
        tally(doc("majority", [ballot]))
    with pytest.raises(TallyError, match="ballot 1: the answer for 'Mon' must be"):
        tally(doc("time", [{"slots": {"Mon": ["yes"]}}], options=["Mon"]))
