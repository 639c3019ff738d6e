
from datetime import datetime
from typing import Annotated
from uuid import UUID

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, Strict, StrictBool

from mutualaid.networks.schemas import InputSchema, Moment, Number

# A quantity is a JSON integer: not true (which would read as 1), not "3", not 2.0.
Quantity = Annotated[int, Strict()]


class ContactIn(InputSchema):
    # An unknown key is refused, not dropped: a misspelt "adress" must not lose the address unnoticed.
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=120)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=300)
    preferred_language: str | None = Field(None, max_length=40)
    notes: str | None = Field(None, max_length=2000)


class ContactOut(Schema):
    name: str
    phone: str
    email: str
    address: str
    preferred_language: str
    notes: str
    lat: float | None
    lon: float | None


class NeedIn(InputSchema):
    group: UUID
    title: str = Field(..., max_length=140)
    description: str = Field("", max_length=5000)
    category: str = Field(..., max_length=40)
    quantity: Quantity = Field(..., ge=1, le=100_000)
    urgency: str = Field("normal", max_length=10)
    lat: Number | None = Field(None, ge=-90, le=90)
    lon: Number | None = Field(None, ge=-180, le=180)
    location_name: str = Field("", max_length=120)
    needed_by: Moment | None = None
    contact: ContactIn | None = None
    on_behalf: StrictBool = False


class MatchBrief(Schema):
    id: UUID
    helper: str | None
    quantity: int
    status: str


# A plain pydantic model, not a ninja Schema: it is only ever filled from dicts, and a Schema would resolve each
# field of each need through ninja's DjangoGetter (a page of the need list is twenty of them per request).
class NeedOut(BaseModel):
    id: UUID
    group: UUID
    title: str
    removed: bool = Field(False, description="Its author deleted their account: title and description are erased "
                          "(the title says so).")
    description: str
    category: str
    quantity: int
    quantity_claimed: int
    quantity_fulfilled: int
    quantity_left: int
    urgency: str
    status: str
    needed_by: datetime | None
    location_name: str
    lat: float | None
    lon: float | None
    requester: str | None
    proxy_intake: bool
    duplicate_of: UUID | None
    referred_to: UUID | None
    created_at: datetime


class NeedDetailOut(NeedOut):
    matches: list[MatchBrief]
    contact: ContactOut | None = None


class NeedCreatedOut(NeedDetailOut):
    possible_duplicates: list[UUID]


class ClaimIn(InputSchema):
    quantity: Quantity = Field(..., ge=1, le=100_000)
    offer: UUID | None = None


class MatchOut(Schema):
    id: UUID
    need: UUID
    offer: UUID | None
    helper: str | None
    quantity: int
    status: str
    cancel_reason: str
    created_at: datetime
    completed_at: datetime | None


class CancelIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=500)


class NeedCancelIn(InputSchema):
    reason: str = Field("", max_length=500)


class DuplicateIn(InputSchema):
    original: UUID


class ReferIn(InputSchema):
    group: UUID


class OfferIn(InputSchema):
    group: UUID
    title: str = Field(..., max_length=140)
    description: str = Field("", max_length=5000)
    category: str = Field(..., max_length=40)
    quantity: Quantity = Field(..., ge=1, le=100_000)
    available_from: Moment | None = None
    available_until: Moment | None = None
    location_name: str = Field("", max_length=120)
    lat: Number | None = Field(None, ge=-90, le=90)
    lon: Number | None = Field(None, ge=-180, le=180)
    max_distance_km: Number | None = Field(None, ge=0, le=20000)


class OfferOut(Schema):
    id: UUID
    group: UUID
    helper: str
    title: str
    removed: bool = Field(False, description="Its author deleted their account: title and description are erased.")
    description: str
    category: str
    quantity: int
    quantity_left: int
    status: str
    available_from: datetime | None
    available_until: datetime | None
    location_name: str
    lat: float | None
    lon: float | None
    max_distance_km: float | None
    created_at: datetime


class OfferStatusIn(InputSchema):
    status: str = Field(..., max_length=16)


class CategoryOut(Schema):
    slug: str
    name: str
    unit: str
