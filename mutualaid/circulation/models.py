"""Needs, offers and the matches between them.

Privacy: a need's public record holds a coarse location only. The exact location and the requester's contact
details live in `NeedContact`, shown only to the requester, helpers with a live match, and the group's coordinators.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from mutualaid.core.validators import MAX_LATITUDE, MAX_LONGITUDE
from mutualaid.networks.models import Group, group_scope, user_scope

DEFAULT_CATEGORIES = [
    # slug, English name, unit (one and many: ngettext_lazy(...) % {"count": n} gives the form for n)
    ("food", _("Food"), ngettext_lazy("meal", "meals", "count")),
    ("groceries", _("Groceries"), ngettext_lazy("bag", "bags", "count")),
    ("medicine-pickup", _("Medicine pick-up"), ngettext_lazy("trip", "trips", "count")),
    ("transport", _("Transport"), ngettext_lazy("ride", "rides", "count")),
    ("childcare", _("Childcare"), ngettext_lazy("hour", "hours", "count")),
    ("housing", _("Housing"), ngettext_lazy("night", "nights", "count")),
    ("hygiene", _("Hygiene supplies"), ngettext_lazy("kit", "kits", "count")),
    ("clothing", _("Clothing"), ngettext_lazy("item", "items", "count")),
    ("household-repair", _("Household repair"), ngettext_lazy("job", "jobs", "count")),
    ("emotional-support", _("Emotional support"), ngettext_lazy("call", "calls", "count")),
    ("translation", _("Translation"), ngettext_lazy("hour", "hours", "count")),
    ("other", _("Other"), ngettext_lazy("unit", "units", "count")),
]


class Category(models.Model):
    """The network's taxonomy of needs and offers, addressed by slug."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    unit = models.CharField(max_length=40, default="units", help_text="The unit for many: 'rides'.")
    unit_singular = models.CharField(max_length=40, blank=True, help_text="The unit for one: 'ride' (empty: as unit).")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the active language (defaults are translated; custom names are shown as written)."""
        from django.utils.translation import gettext

        return gettext(self.name)

    @property
    def unit_label(self) -> str:
        """The unit for many, in the active language ("rides", "viajes")."""
        return self.unit_for(2)

    def unit_for(self, count: int) -> str:
        """The unit for `count` in the active language: "1 ride", "2 rides" (default units are translated with
        their plural forms; custom ones are shown as written)."""
        from django.utils.translation import ngettext

        return ngettext(self.unit_singular or self.unit, self.unit, count)


# What a need or offer shows once its author deleted their account: its title and description are erased (an empty
# title marks it; every title people post is required).
REMOVED_TITLE = _("Removed at the person's request")


class GroupPolicy(models.Model):
    """A group's own rules for circulation (a group without a row keeps the defaults)."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, primary_key=True, related_name="circulation_policy")
    newcomer_claims_confirm = models.BooleanField(
        _("newcomers' claims confirm at once"), default=False,
        help_text=_("Off: a newcomer's claim waits for the requester or a coordinator before contact details show."))

    def audit_scopes(self) -> list[str]:
        return [group_scope(self.group_id)]


class Urgency(models.TextChoices):
    CRITICAL = "critical", _("critical")
    HIGH = "high", _("high")
    NORMAL = "normal", _("normal")
    LOW = "low", _("low")


URGENCY_RANK = {Urgency.CRITICAL: 0, Urgency.HIGH: 1, Urgency.NORMAL: 2, Urgency.LOW: 3}


class Need(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        PARTLY_MATCHED = "partly_matched", _("partly matched")
        MATCHED = "matched", _("matched")
        FULFILLED = "fulfilled", _("fulfilled")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("expired")
        DUPLICATE = "duplicate", _("duplicate")
        REFERRED = "referred", _("referred")

    CLAIMABLE = (Status.OPEN, Status.PARTLY_MATCHED)
    CLOSED = (Status.FULFILLED, Status.CANCELLED, Status.EXPIRED, Status.DUPLICATE, Status.REFERRED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="needs")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="needs", help_text="Empty for proxy intake (no account).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="needs_entered")
    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="needs")
    quantity = models.PositiveIntegerField(_("quantity"))
    quantity_claimed = models.PositiveIntegerField(default=0)
    quantity_fulfilled = models.PositiveIntegerField(default=0)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    urgency_rank = models.PositiveSmallIntegerField(default=2, editable=False)
    needed_by = models.DateTimeField(_("needed by"), null=True, blank=True)
    location_name = models.CharField(_("area"), max_length=120, blank=True)
    lat = models.FloatField(null=True, blank=True, help_text="Coarse (about 1 km).")
    lon = models.FloatField(null=True, blank=True, help_text="Coarse (about 1 km).")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    referred_to = models.ForeignKey(Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="need_quantity_positive"),
            # No unit is ever claimed twice: what is claimed never exceeds what was asked.
            models.CheckConstraint(condition=Q(quantity_claimed__lte=F("quantity")), name="need_not_overclaimed"),
            models.CheckConstraint(condition=Q(quantity_fulfilled__lte=F("quantity_claimed")),
                                   name="need_fulfilled_within_claimed"),
            models.CheckConstraint(condition=~Q(status="referred") | Q(referred_to__isnull=False),
                                   name="need_referral_names_group"),
            models.CheckConstraint(condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                                   name="need_duplicate_names_original"),
            models.CheckConstraint(condition=Q(lat__isnull=True) | Q(lat__gte=-MAX_LATITUDE, lat__lte=MAX_LATITUDE),
                                   name="need_lat_range"),
            models.CheckConstraint(condition=Q(lon__isnull=True) | Q(lon__gte=-MAX_LONGITUDE, lon__lte=MAX_LONGITUDE),
                                   name="need_lon_range"),
        ]
        indexes = [
            models.Index(fields=["group", "status", "urgency_rank", "created_at"]),
            models.Index(fields=["status", "needed_by"]),
            # A group's needs in list order (the API's list with no status filter): no sort of the group's history.
            models.Index(fields=["group", "urgency_rank", "needed_by", "created_at", "id"],
                         name="need_group_list_order"),
        ]

    def __str__(self) -> str:
        return self.shown_title

    def audit_scopes(self) -> list[str]:
        return [group_scope(self.group_id)]

    @property
    def shown_title(self) -> str:
        """The title, or, once the person who wrote it deleted their account (title and description erased), a
        note that it was removed at their request."""
        return self.title or str(REMOVED_TITLE)

    @property
    def quantity_left(self) -> int:
        return self.quantity - self.quantity_claimed

    @property
    def is_claimable(self) -> bool:
        return self.status in self.CLAIMABLE and self.quantity_left > 0


class NeedContact(models.Model):
    """The requester's contact details and exact location: personal data, kept apart and purgeable."""

    need = models.OneToOneField(Need, on_delete=models.CASCADE, related_name="contact", primary_key=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=40, blank=True)
    notes = models.TextField(_("notes for the helper"), max_length=2000, blank=True)
    exact_lat = models.FloatField(null=True, blank=True)
    exact_lon = models.FloatField(null=True, blank=True)

    def is_empty(self) -> bool:
        return not any([self.name, self.phone, self.email, self.address, self.notes])


class Offer(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")
        EXHAUSTED = "exhausted", _("exhausted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    MAX_DISTANCE_KM = 20_000  # about half the Earth's circumference: farther is a typo

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="offers")
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers")
    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="offers")
    quantity = models.PositiveIntegerField(_("quantity or capacity"))
    quantity_committed = models.PositiveIntegerField(default=0)
    available_from = models.DateTimeField(_("available from"), null=True, blank=True)
    available_until = models.DateTimeField(_("available until"), null=True, blank=True)
    location_name = models.CharField(_("area"), max_length=120, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    max_distance_km = models.FloatField(_("how far I will go (km)"), null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="offer_quantity_positive"),
            models.CheckConstraint(condition=Q(quantity_committed__lte=F("quantity")), name="offer_not_overcommitted"),
            models.CheckConstraint(condition=Q(max_distance_km__isnull=True) | Q(max_distance_km__gte=0),
                                   name="offer_distance_nonnegative"),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True) | Q(available_until__isnull=True)
                | Q(available_until__gte=F("available_from")),
                name="offer_window_ordered"),
        ]
        indexes = [models.Index(fields=["group", "status", "created_at"])]

    def __str__(self) -> str:
        return self.shown_title

    def audit_scopes(self) -> list[str]:
        return [group_scope(self.group_id)]

    @property
    def shown_title(self) -> str:
        """The title, or, once the person who wrote it deleted their account (title and description erased), a
        note that it was removed at their request."""
        return self.title or str(REMOVED_TITLE)

    @property
    def quantity_left(self) -> int:
        return self.quantity - self.quantity_committed


class Match(models.Model):
    class Status(models.TextChoices):
        # A newcomer's claim: it holds its quantity, but shows no contact detail until the requester or a
        # coordinator accepts it.
        PROPOSED = "proposed", _("waiting for acceptance")
        # A member asked for what an offer gives ("I'd like this"): it holds its quantity until the helper says yes.
        REQUESTED = "requested", _("waiting for the helper")
        CONFIRMED = "confirmed", _("confirmed")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    LIVE = (Status.PROPOSED, Status.REQUESTED, Status.CONFIRMED)  # what holds a quantity of the need
    WAITING = (Status.PROPOSED, Status.REQUESTED)  # live, but no contact detail shown yet

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    offer = models.ForeignKey(Offer, on_delete=models.SET_NULL, null=True, blank=True, related_name="matches")
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="matches")
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONFIRMED)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    cancel_reason = models.TextField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="match_quantity_positive"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="match_cancel_has_reason"),
        ]
        indexes = [models.Index(fields=["helper", "status"])]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.need}"

    def audit_scopes(self) -> list[str]:
        return [group_scope(self.need.group_id)]

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    def side_of(self, user_id: int | None) -> str | None:
        """Which side of the match a person is on: "helper", "requester" (also whoever entered the need for someone
        without an account, who speaks for them), or None."""
        if user_id is None:
            return None
        if self.helper_id == user_id:
            return "helper"
        need = self.need
        if need.requester_id == user_id or (need.requester_id is None and need.created_by_id == user_id):
            return "requester"
        return None


class MatchMessage(models.Model):
    """One message in a match's conversation: the requester (or whoever entered the need for someone), the helper and
    the group's coordinators write to each other there, without sharing a phone number. Personal data: in the
    author's export, deleted with their account, and never copied into the audit chain (its entry names the
    message, not what it says)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="match_message_not_empty")]
        indexes = [models.Index(fields=["match", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.match_id}"


class ClaimBlock(models.Model):
    """A helper who cancelled more than three claims in a day cannot claim in the group until a coordinator lifts it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="claim_blocks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claim_blocks")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], condition=Q(lifted_at__isnull=True),
                                               name="one_open_claim_block")]

    def audit_scopes(self) -> list[str]:
        return [group_scope(self.group_id), user_scope(self.user_id)]


class ContactView(models.Model):
    """Someone was shown a need's contact details: who and when, for the requester and coordinators to see."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="contact_views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_views")
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-viewed_at"]
        indexes = [models.Index(fields=["need", "-viewed_at"])]


class SuggestionDecline(models.Model):
    """A helper said no to meeting this need from this offer: the pair is never suggested again."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="declines")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["need", "offer"], name="decline_once_per_pair")]


class AllocationRun(models.Model):
    """A fair (`maxmin`) allocation run under way: the row is the lock that makes it one at a time per scope.

    `scope` is "group:<public id>" for a group's run, "network" for a run over the whole network. The row is written
    (committed) when a run starts, so every server process sees it, and deleted when it ends; a second run of the
    scope fails on the unique constraint. A row older than ALLOCATION_RUN_STALE (a worker killed mid-run) is taken
    over.
    """

    scope = models.CharField(max_length=64, unique=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()


class AllocationResult(models.Model):
    """The suggestions last worked out for a scope (a group, or the whole network when `group` is None): the
    engine's need-based proposals and the totals of its answer beside first-come-first-served's, kept so that pages
    and the API show them without running the engine. One row per scope: a new run replaces it (its proposals go
    with it). Worked out on a coordinator's explicit request or by the worker, never inside a GET.

    What is shown is re-checked against the present: a proposal whose need is no longer open, whose offer is no longer
    active or has less left, or that its helper declined, is dropped or cut down when read (see the suggestions
    selectors). The summaries hold counts, rates and distances per urgency and per group id, never typed text.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    scope = models.CharField(max_length=64, unique=True)  # "group:<public id>" or "network", as AllocationRun
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    worked_out_at = models.DateTimeField()
    worked_out_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")  # None: the worker
    # The scope stamps the run read its data under (a digest): the worker works a scope out again only when they
    # changed, or when the result is old (availability windows and needed-by times pass without a change).
    source_stamp = models.CharField(max_length=64, blank=True)
    summary = models.JSONField()  # the engine's summary of the need-based ("optimal") answer
    fcfs_summary = models.JSONField()  # the same for first come, first served, for the comparison

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(group__isnull=True, scope="network")
                                   | (Q(group__isnull=False) & ~Q(scope="network")),
                                   name="allocation_result_scope_names_group"),
        ]


class AllocationProposal(models.Model):
    """One pair of a stored result: `quantity` units of `offer` proposed for `need`, as the engine answered.
    A suggestion only: nothing is claimed until the offer's helper says yes."""

    result = models.ForeignKey(AllocationResult, on_delete=models.CASCADE, related_name="proposals")
    rank = models.PositiveIntegerField()  # the order shown: most urgent first, then by score
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    distance_km = models.FloatField()
    score = models.FloatField()

    class Meta:
        ordering = ["result", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["result", "need", "offer"], name="allocation_proposal_once_per_pair"),
            models.UniqueConstraint(fields=["result", "rank"], name="allocation_proposal_rank_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="allocation_proposal_quantity_positive"),
        ]
