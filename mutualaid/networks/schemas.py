
from uuid import UUID

from ninja import Field, Schema


class RegisterIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=4096)
    email: str | None = Field(None, max_length=254)


class RegisterOut(Schema):
    id: UUID
    username: str


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=4096)


class TokenOut(Schema):
    token: str


class GroupIn(Schema):
    name: str = Field(..., max_length=120)
    description: str = Field("", max_length=5000)
    public_description: str = Field("", max_length=5000)
    location_name: str = Field("", max_length=120)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    is_open: bool = True
    timezone: str = Field("UTC", max_length=64)
    languages: list[str] = Field(default_factory=list, max_length=20)
    application_questions: list[str] = Field(default_factory=list, max_length=20)


class GroupOut(Schema):
    id: UUID
    name: str
    public_description: str
    location_name: str
    lat: float | None
    lon: float | None
    timezone: str
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


class ApplicationIn(Schema):
    answers: list[str] = Field(default_factory=list, max_length=20)


class ApplicationOut(Schema):
    id: UUID
    group: UUID
    username: str
    status: str
    answers: list[str]
    reason: str


class DecisionIn(Schema):
    accept: bool
    reason: str = Field("", max_length=2000)


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
