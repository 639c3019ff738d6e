"""Networks, local groups, membership, trust and the roles it earns, applications and notifications."""
from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.core.validators import MAX_LATITUDE, MAX_LONGITUDE


def group_scope(group_id: int) -> str:
    """The audit scope of what a group's members see on its pages: every audited change to its memberships, to the
    name of one of its members, or to any app's row that names this scope (`audit_scopes()`), stamps it
    (`audit.services`). The cached fragments and the ETags of the group's pages and lists are made from it
    (`selectors.member_version`)."""
    return f"group:{group_id}"


def user_scope(user_id: int) -> str:
    """The scope of what a person sees as theirs on every page: their memberships, name and notifications."""
    return f"user:{user_id}"


class UserManager(BaseUserManager):
    def get_by_natural_key(self, username):
        """Log-in (web and API token) finds a name the way sign-up compares them: 'ＡＭＡＲＡ' is 'amara'."""
        from .usernames import fold, normalise

        name = normalise(username) if isinstance(username, str) else ""
        # Too long: no such name can exist; and no LIKE pattern SQLite refuses as too long.
        if not name or len(name) > self.model._meta.get_field("username").max_length:
            raise self.model.DoesNotExist
        key = fold(name)
        # The unique index on Lower("username") answers this; Python then compares as sign-up does.
        for user in self.annotate(lower_name=Lower("username")).filter(Q(lower_name=name.lower()) | Q(username=name)):
            if fold(user.username) == key:
                return user
        raise self.model.DoesNotExist


class User(AbstractUser):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES,
                                help_text=_("Leave empty to follow your browser."))
    # The language of the browser the member last logged in with: what e-mails are written in when `language` is
    # empty (a notification is sent outside any request of theirs, so it cannot ask their browser).
    browser_language = models.CharField(max_length=8, blank=True, choices=settings.LANGUAGES)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # "Olga" and "olga" are one person to their neighbours: names are unique whatever their case.
            models.UniqueConstraint(Lower("username"), name="username_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.username

    def audit_scopes(self) -> list[str]:
        return [user_scope(self.pk)]

    def group_scopes(self) -> list[str]:
        """A member's name shows on the pages of the groups they belong or belonged to: a change of name stamps
        these scopes (not every change to the user: reading notifications changes no group's page)."""
        return [group_scope(g) for g in self.memberships.values_list("group_id", flat=True).distinct()]


class Network(models.Model):
    """The network an instance hosts: the groups together, with shared agreements."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Group(models.Model):
    """An autonomous local group (a pod, a neighbourhood)."""

    MAX_QUESTIONS = 20  # application_questions: at most this many, each at most QUESTION_MAX_LENGTH characters
    QUESTION_MAX_LENGTH = 2000

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description for members"), max_length=5000, blank=True)
    public_description = models.TextField(_("public description"), max_length=5000, blank=True)
    location_name = models.CharField(_("area"), max_length=120, blank=True,
                                     help_text=_("A neighbourhood or town, never a street address."))
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    country = models.CharField(_("country"), max_length=2, blank=True, help_text="ISO 3166 code; its time zones are "
                               "the ones the group form lists.")
    languages = models.JSONField(default=list, blank=True)
    is_open = models.BooleanField(_("open to join"), default=True)
    application_questions = models.JSONField(default=list, blank=True)
    trust_threshold = models.PositiveSmallIntegerField(
        _("trust needed to coordinate"), null=True, blank=True,
        help_text=_("Leave empty for the default: the square root of the member count, rounded up, at least 2."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "name"], name="group_name_unique_in_network"),
            models.CheckConstraint(condition=Q(lat__isnull=True) | Q(lat__gte=-MAX_LATITUDE, lat__lte=MAX_LATITUDE),
                                   name="group_lat_range"),
            models.CheckConstraint(condition=Q(lon__isnull=True) | Q(lon__gte=-MAX_LONGITUDE, lon__lte=MAX_LONGITUDE),
                                   name="group_lon_range"),
            models.CheckConstraint(condition=Q(trust_threshold__isnull=True) | Q(trust_threshold__gte=1),
                                   name="group_trust_threshold_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_scopes(self) -> list[str]:
        return [group_scope(self.pk)]


class Area(models.Model):
    """A place the group names (a neighbourhood, an estate, a market square) that people pick instead of typing
    coordinates; its point is optional (an area can be named before a coordinator marks it on the map)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(_("name"), max_length=120)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "group", name="area_name_unique_in_group"),
            models.CheckConstraint(condition=Q(lat__isnull=True, lon__isnull=True)
                                   | Q(lat__gte=-MAX_LATITUDE, lat__lte=MAX_LATITUDE,
                                       lon__gte=-MAX_LONGITUDE, lon__lte=MAX_LONGITUDE),
                                   name="area_point_in_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_scopes(self) -> list[str]:
        return [group_scope(self.group_id)]


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(left_at__isnull=True)


class Membership(models.Model):
    class Role(models.TextChoices):
        NEWCOMER = "newcomer", _("newcomer")
        MEMBER = "member", _("member")
        COORDINATOR = "coordinator", _("coordinator")

    class Root(models.TextChoices):
        # The people the group's trust starts from (see networks/trustflow.py).
        FOUNDER = "founder", _("founder")
        ACCEPTED = "accepted", _("accepted by application")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.NEWCOMER)
    root = models.CharField(max_length=16, choices=Root.choices, blank=True, default="")
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            # One live membership per person and group; past ones stay as history.
            models.UniqueConstraint(fields=["group", "user"], condition=Q(left_at__isnull=True),
                                    name="one_active_membership"),
        ]

    @property
    def is_coordinator(self) -> bool:
        return self.role == self.Role.COORDINATOR and self.left_at is None

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"

    def audit_scopes(self) -> list[str]:
        return [group_scope(self.group_id), user_scope(self.user_id)]  # the member count, the member's groups


class Trust(models.Model):
    """A member's trust in another member of the same group, for a role."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="trusts")
    giver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trust_given")
    receiver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trust_received")
    role = models.CharField(max_length=16, choices=Membership.Role.choices, default=Membership.Role.COORDINATOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "giver", "receiver", "role"], name="trust_once_per_giver_role"),
            models.CheckConstraint(condition=~Q(giver=models.F("receiver")), name="trust_not_self"),
        ]


SUSPENSION_LAPSES_AFTER = timedelta(days=7)  # unless a second coordinator confirms it


class Suspension(models.Model):
    """A coordinator acted on a safety concern: while in force the person holds no standing in the group (no
    coordinator role, no trust that counts, nothing that standing allows in the other apps). It lapses after seven
    days unless a
    second coordinator confirms it; a confirmed one stays until lifted (a group decision, later)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="suspensions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suspensions")
    suspended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    reason = models.TextField(max_length=1000)  # typed text: never in the audit chain
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)  # set when it lapsed or was lifted

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], condition=Q(ended_at__isnull=True),
                                    name="one_open_suspension"),
            models.CheckConstraint(condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("suspended_by")),
                                   name="suspension_confirmed_by_another"),
        ]

    def in_force(self, now=None) -> bool:
        from django.utils import timezone

        now = now or timezone.now()
        return self.ended_at is None and (self.confirmed_at is not None
                                          or self.created_at + SUSPENSION_LAPSES_AFTER > now)

    def audit_scopes(self) -> list[str]:
        return [group_scope(self.group_id), user_scope(self.user_id)]


class Application(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    ANSWER_MAX_LENGTH = 2000  # each of the answers, one per question of the group

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="applications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications")
    answers = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    reason = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], condition=Q(status="pending"),
                                    name="one_pending_application"),
        ]


class Notification(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, help_text="A code declared by the app that sends it (networks.notices).")
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored, with the key's first characters so that a member
    can tell their tokens apart. A token unused for settings.API_TOKEN_IDLE_DAYS stops working."""

    LABEL_MAX = 80
    PREFIX_LENGTH = 6
    # Last use is written at most this often, not on every call (a write on every poll would cost more than the poll).
    USE_RECORDED_EVERY = timedelta(hours=1)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=PREFIX_LENGTH, blank=True)
    label = models.CharField(_("name"), max_length=LABEL_MAX, blank=True,
                             help_text="The member's own name for it ('phone app'): personal data.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(default=timezone.now,
                                        help_text="Recorded to the hour: a token expires this long after it.")

    class Meta:
        indexes = [models.Index(fields=["user", "last_used_at"], name="apitoken_user_used")]

    @staticmethod
    def hash_of(key: str) -> str:
        """What is stored of a key: its SHA-256."""
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def expires_at(self):
        days = settings.API_TOKEN_IDLE_DAYS
        return self.last_used_at + timedelta(days=days) if days else None


class SignedInSession(models.Model):
    """Which stored session signs in whom, so that ending a person's sessions (a new password, a deleted account)
    touches theirs only. Written at log-in, dropped at log-out (networks.receivers); it names session keys, which
    sign in, so it is never in a backup (as sessions are not)."""

    not_backed_up = True

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class SignupAttempt(models.Model):
    """One sign-up (web or API) from an address, for settings.SIGNUPS_PER_ADDRESS_PER_HOUR (networks.throttle). The
    address is kept only as a keyed hash, and only for an hour."""

    address_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["address_hash", "created_at"], name="signup_attempt_address_time")]
