"""Tallies of collective decisions, as pure functions: no Django, no database (the import-linter contract says so).

`tally(document)` takes the IN document of the tally contract (issue 13: the method, the options, the size of the
frozen electorate, the quorum and threshold, one ballot per voter) and returns the OUT document (ballots cast, the
quorum needed and whether it was reached, the outcome, and the counts, totals, winners or instant-runoff rounds the
method has). The same function serves `mutualaid tally IN.json`, the API's result of a proposal, and anyone who
recounts a decision from its exported ballots. A document that breaks the contract raises TallyError, whose message
names the ballot by its position (counting from 1).
"""
from __future__ import annotations

from .methods import METHODS, TallyError, tally

__all__ = ["METHODS", "TallyError", "tally"]
