
from datetime import datetime
from typing import Annotated
from uuid import UUID

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, Strict, StrictBool

from mutualaid.core.limits import schema_text
from mutualaid.core.validators import MAX_LATITUDE, MAX_LONGITUDE, MAX_QUANTITY
from mutualaid.networks.schemas import InputSchema, Moment, Number

from .models import Category, Match, MatchMessage, Need, NeedContact, Offer

# A quantity is a JSON integer (not true, which would read as 1, not "3", not 2.0) from 1 to MAX_QUANTITY.
Quantity = Annotated[int, Strict(), Field(ge=1, le=MAX_QUANTITY)]


class ContactIn(InputSchema):
    # An unknown key is refused, not dropped: a misspelt "adress" must not lose the address unnoticed.
    model_config = ConfigDict(extra="forbid")

    name: str | None = schema_text(NeedContact, "name", None)
    phone: str | None = schema_text(NeedContact, "phone", None)
    email: str | None = schema_text(NeedContact, "email", None)
    address: str | None = schema_text(NeedContact, "address", None)
    preferred_language: str | None = schema_text(NeedContact, "preferred_language", None)
    notes: str | None = schema_text(NeedContact, "notes", None)


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
    title: str = schema_text(Need, "title")
    description: str = schema_text(Need, "description", "")
    category: str = schema_text(Category, "slug")
    quantity: Quantity
    urgency: str = schema_text(Need, "urgency", "normal")
    lat: Number | None = Field(None, ge=-MAX_LATITUDE, le=MAX_LATITUDE)
    lon: Number | None = Field(None, ge=-MAX_LONGITUDE, le=MAX_LONGITUDE)
    location_name: str = schema_text(Need, "location_name", "")
    area: UUID | None = Field(None, description="One of the group's named areas (GET /groups/{id}/areas): its name, "
                              "and its point when no lat/lon is given")
    needed_by: Moment | None = None
    contact: ContactIn | None = None
    on_behalf: StrictBool = False


class NeedPatch(InputSchema):
    """A correction to a need: the fields of NeedIn that may change, each only when given (null clears the time or
    the place). The group, category and who it is for stay; an unknown field is refused."""
    model_config = ConfigDict(extra="forbid")

    title: str = schema_text(Need, "title", None)
    description: str = schema_text(Need, "description", None)
    quantity: Quantity = None
    urgency: str = schema_text(Need, "urgency", None)
    lat: Number | None = Field(None, ge=-MAX_LATITUDE, le=MAX_LATITUDE)
    lon: Number | None = Field(None, ge=-MAX_LONGITUDE, le=MAX_LONGITUDE)
    location_name: str = schema_text(Need, "location_name", None)
    needed_by: Moment | None = None
    contact: ContactIn | None = None


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
    quantity: Quantity
    offer: UUID | None = None


class OfferRequestIn(InputSchema):
    quantity: Quantity
    note: str = schema_text(Need, "description", "")  # what it is for: the need's description


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


class MessageIn(InputSchema):
    text: str = schema_text(MatchMessage, "text", min_length=1)


class MessageOut(Schema):
    id: UUID
    author: str
    side: str = Field(description='"requester", "helper" or "coordinator"')
    mine: bool
    text: str
    created_at: datetime


class CancelIn(InputSchema):
    reason: str = schema_text(Match, "cancel_reason", min_length=1)


class NeedCancelIn(InputSchema):
    reason: str = schema_text(Match, "cancel_reason", "")  # given to each live match cancelled


class DuplicateIn(InputSchema):
    original: UUID


class ReferIn(InputSchema):
    group: UUID


class OfferIn(InputSchema):
    group: UUID
    title: str = schema_text(Offer, "title")
    description: str = schema_text(Offer, "description", "")
    category: str = schema_text(Category, "slug")
    quantity: Quantity
    available_from: Moment | None = None
    available_until: Moment | None = None
    location_name: str = schema_text(Offer, "location_name", "")
    area: UUID | None = Field(None, description="One of the group's named areas (GET /groups/{id}/areas)")
    lat: Number | None = Field(None, ge=-MAX_LATITUDE, le=MAX_LATITUDE)
    lon: Number | None = Field(None, ge=-MAX_LONGITUDE, le=MAX_LONGITUDE)
    max_distance_km: Number | None = Field(None, ge=0, le=Offer.MAX_DISTANCE_KM)


class OfferPatch(InputSchema):
    """A correction to an offer: the fields of OfferIn that may change, each only when given."""
    model_config = ConfigDict(extra="forbid")

    title: str = schema_text(Offer, "title", None)
    description: str = schema_text(Offer, "description", None)
    quantity: Quantity = None
    available_from: Moment | None = None
    available_until: Moment | None = None
    location_name: str = schema_text(Offer, "location_name", None)
    lat: Number | None = Field(None, ge=-MAX_LATITUDE, le=MAX_LATITUDE)
    lon: Number | None = Field(None, ge=-MAX_LONGITUDE, le=MAX_LONGITUDE)
    max_distance_km: Number | None = Field(None, ge=0, le=Offer.MAX_DISTANCE_KM)


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
    status: str = schema_text(Offer, "status")


class CategoryOut(Schema):
    slug: str
    name: str
    unit: str
