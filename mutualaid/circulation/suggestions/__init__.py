"""Need-based allocation in the product: suggestions that helpers accept or decline, never assignments.

A sub-domain of circulation with its own rooms (selectors, services, permissions, forms, schemas, views, api, urls).
It knows circulation; nothing else in circulation imports it (import-linter, in pyproject.toml). Its models
(AllocationRun, AllocationResult, AllocationProposal, SuggestionDecline) live in circulation's models.py.
"""
