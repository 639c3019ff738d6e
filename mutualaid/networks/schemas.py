
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import AfterValidator, Strict, StrictBool, field_validator

from mutualaid.core.limits import PASSWORD_MAX, schema_text
from mutualaid.core.validators import MAX_LATITUDE, MAX_LONGITUDE

from .models import Application, Area, Group, User

# A JSON number (an integer is fine), not the string "51.5"; NaN and Infinity fail every range check.
Number = Annotated[float, Strict()]


def refuse_nul(value: Any) -> Any:
    """PostgreSQL cannot store a NUL character in text (or JSON): refuse it with a message, never a 500."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters (\\u0000)")
    elif isinstance(value, (list, tuple)):
        for item in value:
            refuse_nul(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    return value


def representable(value: datetime | None) -> datetime | None:
    """A moment the database can store whatever the time zone it is read in (years 2 to 9998)."""
    if value is not None and not 1 < value.year < 9999:
        raise ValueError("must be a date between the years 2 and 9998")
    return value


# A date and time: with a UTC offset, or without one (read in the group's time zone).
Moment = Annotated[datetime, AfterValidator(representable)]


class InputSchema(Schema):
    """Every request body and query of the API: text holding a NUL character is refused (422)."""

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class ErrorOut(Schema):
    """Every answer that is not a success: `detail` says what is wrong; `field` names the field a service refused;
    `errors` lists each problem of a body or query that failed validation."""

    detail: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error answers a route declares, for `response={200: ..., **errors(401, 404)}`."""
    return {code: ErrorOut for code in codes}


class RegisterIn(InputSchema):
    username: str = schema_text(User, "username")
    password: str = Field(..., max_length=PASSWORD_MAX)
    email: str | None = schema_text(User, "email", None)


class RegisterOut(Schema):
    id: UUID
    username: str


class TokenIn(InputSchema):
    username: str = schema_text(User, "username")
    password: str = Field(..., max_length=PASSWORD_MAX)
    label: str = Field("", max_length=200, description="Your own name for the token ('phone app'), up to 80 "
                       "characters, shown in your list of tokens.")


class TokenOut(Schema):
    token: str


class GroupIn(InputSchema):
    name: str = schema_text(Group, "name")
    description: str = schema_text(Group, "description", "")
    public_description: str = schema_text(Group, "public_description", "")
    location_name: str = schema_text(Group, "location_name", "")
    lat: Number | None = Field(None, ge=-MAX_LATITUDE, le=MAX_LATITUDE)
    lon: Number | None = Field(None, ge=-MAX_LONGITUDE, le=MAX_LONGITUDE)
    is_open: StrictBool = True
    timezone: str = schema_text(Group, "timezone", "UTC")
    country: str = schema_text(Group, "country", "", description="ISO 3166 code, e.g. ES; the time zone must be "
                               "one of its own")
    languages: list[Annotated[str, Field(max_length=35)]] = Field(default_factory=list, max_length=20)
    application_questions: list[Annotated[str, Field(max_length=Group.QUESTION_MAX_LENGTH)]] = Field(
        default_factory=list, max_length=Group.MAX_QUESTIONS)


class AreaIn(InputSchema):
    name: str = schema_text(Area, "name", description="As neighbours say it")
    lat: Number | None = Field(None, ge=-MAX_LATITUDE, le=MAX_LATITUDE, description="Its middle, or none yet")
    lon: Number | None = Field(None, ge=-MAX_LONGITUDE, le=MAX_LONGITUDE)


class AreaOut(Schema):
    id: UUID
    name: str
    lat: float | None
    lon: float | None


class GroupOut(Schema):
    id: UUID
    name: str
    public_description: str
    location_name: str
    lat: float | None
    lon: float | None
    timezone: str
    country: str
    languages: list[str]
    is_open: bool
    member_count: int
    is_member: bool
    role: str | None
    application_questions: list[str]


class MembershipOut(Schema):
    group: UUID
    user: UUID
    username: str
    role: str


class ApplicationIn(InputSchema):
    answers: list[Annotated[str, Field(max_length=Application.ANSWER_MAX_LENGTH)]] = Field(
        default_factory=list, max_length=Group.MAX_QUESTIONS)


class ApplicationOut(Schema):
    id: UUID
    group: UUID
    username: str
    status: str
    answers: list[str]
    reason: str


class DecisionIn(InputSchema):
    accept: StrictBool
    reason: str = schema_text(Application, "reason", "")


class MemberOut(Schema):
    id: UUID
    username: str
    role: str
    trust: int
    trusted_by_me: bool


class NotificationOut(Schema):
    id: UUID
    kind: str
    text: str
    url: str
    created_at: str
    read: bool
