"""The suggestions API's input and output schemas."""
from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Schema

from mutualaid.networks.schemas import InputSchema
from mutualaid.circulation.schemas import Quantity


class SuggestionOut(Schema):
    need: UUID
    need_title: str
    group: UUID
    urgency: str
    category: str
    offer: UUID
    quantity: int
    distance_km: float
    score: float
    worked_out_at: datetime  # when the result this suggestion comes from was worked out


class PairIn(InputSchema):
    need: UUID
    offer: UUID


class AcceptIn(PairIn):
    quantity: Quantity = 1  # a JSON integer from 1 to MAX_QUANTITY: not true, not "3", not 2.0


class AllocationIn(InputSchema):
    group: UUID | None = None
    method: Literal["optimal", "greedy-fcfs", "greedy-urgency"] = "optimal"
    fairness: Literal["maxmin"] | None = None


class AllocationPairOut(Schema):
    need: UUID
    offer: UUID
    quantity: int
    distance_km: float
    score: float


class UnmetOut(Schema):
    need: UUID
    quantity: int


class AllocationOut(Schema):
    allocations: list[AllocationPairOut]
    unmet: list[UnmetOut]
    summary: dict
