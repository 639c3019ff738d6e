"""Web forms for needs, offers and matches. They parse; the services decide."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from mutualaid.core.limits import text_field
from mutualaid.core.validators import MAX_QUANTITY, check_lat_lon
from mutualaid.networks.forms import PlaceFormMixin, ServiceErrorForm, picked_coordinate_fields

from . import services
from .models import Match, MatchMessage, Need, NeedContact, Offer, Urgency


def capitalised(choices) -> list[tuple[str, str]]:
    return [(value, capfirst(label)) for value, label in choices]


def category_choices(categories) -> list[tuple[str, str]]:
    return [(c.slug, c.label) for c in categories]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def quantity_field(label=_("Quantity"), **kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=MAX_QUANTITY,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                              error_messages={"min_value": _("The quantity must be at least 1."),
                                              "max_value": _("The quantity may be at most %(limit_value)s."),
                                              "invalid": _("Enter a whole number, like 2.")}, **kwargs)


class CategorySelect(forms.Select):
    """The category choice, each option carrying the unit its quantities are counted in (data-unit), which
    static/js/units.js shows beside the quantity as the choice changes."""

    def __init__(self, *args, units: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.units:
            option["attrs"]["data-unit"] = self.units[str(value)]
        return option


class NeedForm(PlaceFormMixin, ServiceErrorForm):
    service_fields = {f"contact.{name}": f"contact_{name}" for name in
                      ("name", "phone", "email", "address", "preferred_language", "notes")}

    title = text_field(Need, "title", label=_("What is needed?"),
                       help_text=_("A short line, e.g. “Groceries for a family of four”."))
    description = text_field(Need, "description", label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Everyone in the group can read this: no addresses or phone numbers."))
    category = forms.ChoiceField(label=_("Category"))
    quantity = quantity_field(initial=1)
    urgency = forms.ChoiceField(label=_("How urgent?"), choices=lambda: capitalised(Urgency.choices),
                                initial=Urgency.NORMAL)
    needed_by = forms.DateTimeField(label=_("Needed by (optional)"), required=False, widget=DateTimeInput())
    location_name = text_field(Need, "location_name", label=_("Area"),
                               help_text=_("A neighbourhood or street name that members may see."))
    lat, lon = picked_coordinate_fields()
    contact_name = text_field(NeedContact, "name", label=_("Name"))
    contact_phone = text_field(NeedContact, "phone", label=_("Phone"),
                               widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    contact_email = text_field(NeedContact, "email", form_class=forms.EmailField, label=_("E-mail"))
    contact_address = text_field(NeedContact, "address", label=_("Address"))
    contact_preferred_language = text_field(NeedContact, "preferred_language", label=_("Preferred language"))
    contact_notes = text_field(NeedContact, "notes", label=_("Notes for the helper"),
                               widget=forms.Textarea(attrs={"rows": 2}))
    on_behalf = forms.BooleanField(
        label=_("I am entering this for someone without an account (proxy intake)"), required=False,
        help_text=_("Give at least their name, phone or address so a helper can reach them."))
    post_anyway = forms.BooleanField(label=_("This is a different need: post it anyway"), required=False)

    def __init__(self, *args, categories, areas=(), can_proxy: bool = False, unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.place_setup(list(areas), location_name=self.initial.get("location_name") or "")
        units = {c.slug: c.unit_for(2) for c in categories}
        self.fields["category"].choices = [("", _("Choose a category"))] + category_choices(categories)
        self.fields["category"].widget = CategorySelect(choices=self.fields["category"].choices, units=units,
                                                        attrs={"data-units-for": "id_quantity"})
        if not can_proxy:
            del self.fields["on_behalf"]
        # The unit in the label: the category's (chosen, or the need's when it is corrected), or a word on how it
        # is counted before one is chosen; with JavaScript it also stands beside the field and follows the choice.
        chosen = unit or units.get(str(self.data.get("category") or self.initial.get("category") or ""), "")
        self.fields["quantity"].label = (_("How many %(unit)s?") % {"unit": chosen} if chosen
                                         else _("How many? (counted in the category's unit: meals, bags, rides…)"))
        self.unit = chosen

    def clean(self):
        data = self.place_clean(super().clean())
        # The services' rules that need no lock, told with every other error (they are asked again on writing).
        if data.get("needed_by"):
            self.check(services.check_needed_by, data["needed_by"], timezone.get_current_timezone_name(),
                       was=self.initial.get("needed_by"))
        if data.get("on_behalf"):
            self.check(services.check_reachable, {name: data.get(f"contact_{name}") or ""
                                                  for name in ("name", "phone", "address")})
        if not (self.has_error("lat") or self.has_error("lon")):
            self.check(check_lat_lon, data.get("lat"), data.get("lon"))
        return data

    def contact(self) -> dict[str, str]:
        return {name.removeprefix("contact_"): value for name, value in self.cleaned_data.items()
                if name.startswith("contact_")}


class NeedEditForm(NeedForm):
    """Correcting a need: what NeedForm asks, but its category and who it is for stay as they are."""

    def __init__(self, *args, claimed: int = 0, unit: str = "", **kwargs):
        super().__init__(*args, categories=[], unit=unit, **kwargs)
        del self.fields["category"], self.fields["post_anyway"]
        if claimed:
            self.fields["quantity"].help_text = _("At least %(claimed)d: helpers have already claimed that much.") % {
                "claimed": claimed}
            self.fields["quantity"].widget.attrs["min"] = claimed


class OfferForm(PlaceFormMixin, ServiceErrorForm):
    title = text_field(Offer, "title", label=_("What can you offer?"),
                       help_text=_("A short line, e.g. “Lifts to the clinic on weekday mornings”."))
    description = text_field(Offer, "description", label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(label=_("Category"))
    quantity = quantity_field(label=_("How many (or how much capacity)?"), initial=1)
    available_from = forms.DateTimeField(label=_("Available from (optional)"), required=False,
                                         widget=DateTimeInput())
    available_until = forms.DateTimeField(label=_("Available until (optional)"), required=False,
                                          widget=DateTimeInput())
    location_name = text_field(Offer, "location_name", label=_("Area"))
    lat, lon = picked_coordinate_fields()
    max_distance_km = forms.FloatField(label=_("How far will you go? (km, optional)"), required=False,
                                       min_value=0, max_value=Offer.MAX_DISTANCE_KM)

    def __init__(self, *args, categories, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.place_setup(list(areas), location_name=self.initial.get("location_name") or "")
        self.fields["category"].choices = [("", _("Choose a category"))] + category_choices(categories)

    def clean(self):
        data = self.place_clean(super().clean())
        if not (self.has_error("available_from") or self.has_error("available_until")):
            self.check(services.check_availability, data.get("available_from"), data.get("available_until"),
                       was=self.initial.get("available_until"))
        if not (self.has_error("lat") or self.has_error("lon")):
            self.check(check_lat_lon, data.get("lat"), data.get("lon"))
        return data


class OfferEditForm(OfferForm):
    """Correcting an offer: what OfferForm asks, but not its category."""

    def __init__(self, *args, promised: int = 0, **kwargs):
        super().__init__(*args, categories=[], **kwargs)
        del self.fields["category"]
        if promised:
            self.fields["quantity"].help_text = _("At least %(promised)d: you have already promised that much.") % {
                "promised": promised}
            self.fields["quantity"].widget.attrs["min"] = promised


class OfferRequestForm(ServiceErrorForm):
    """ "I'd like this": how much of the offer, and what for (the need it becomes)."""

    quantity = quantity_field(label=_("How many would you like?"))
    note = text_field(Need, "description", required=False, label=_("What is it for? (optional)"),
                      widget=forms.Textarea(attrs={"rows": 2}),
                      help_text=_("Everyone in the group can read this: no addresses or phone numbers."))

    def __init__(self, *args, offer: Offer, **kwargs):
        kwargs.setdefault("initial", {"quantity": 1})
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs["max"] = max(1, offer.quantity_left)
        self.fields["quantity"].label = _("How many %(unit)s would you like?") % {"unit": offer.category.unit_for(2)}

    service_fields = {"description": "note"}


class ClaimForm(ServiceErrorForm):
    quantity = quantity_field(label=_("How many will you bring?"))
    offer = forms.ChoiceField(label=_("From one of my offers (optional)"), required=False)

    def __init__(self, *args, need: Need, offers, **kwargs):
        kwargs.setdefault("initial", {"quantity": max(1, need.quantity_left)})
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs["max"] = max(1, need.quantity_left)
        self.fields["offer"].choices = [("", _("No, just me"))] + [
            (str(o.public_id), _("%(title)s (%(left)s left)") % {"title": o.title, "left": o.quantity_left})
            for o in offers]
        if not offers:
            del self.fields["offer"]


class MatchCancelForm(ServiceErrorForm):
    reason = text_field(Match, "cancel_reason", required=True, label=_("Why cancel?"),
                        help_text=_("The other side will read this."))


class MessageForm(ServiceErrorForm):
    text = text_field(MatchMessage, "text", label=_("Your message"),
                      widget=forms.Textarea(attrs={"rows": 3}),
                      help_text=_("Read by the other side of this match and the group's coordinators."))


class NeedCancelForm(ServiceErrorForm):
    reason = text_field(Match, "cancel_reason", label=_("Reason (optional)"))  # each match's cancel reason


class DuplicateForm(ServiceErrorForm):
    original = forms.ChoiceField(label=_("Duplicate of"))

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["original"].choices = [("", _("Choose the original need"))] + [
            (str(n.public_id), n.title) for n in needs]


class ReferForm(ServiceErrorForm):
    service_fields = {"group": "to_group"}

    to_group = forms.ChoiceField(label=_("Refer to the group"))

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_group"].choices = [("", _("Choose a group"))] + [
            (str(g.public_id), g.name) for g in groups]


class BoardFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200, strip=True,
                        widget=forms.TextInput(attrs={"type": "search", "enterkeyhint": "search"}),
                        help_text=_("Words from what is needed or offered, e.g. “milk” or “wheelchair”."))
    category = forms.ChoiceField(label=_("Category"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), required=False,
                                choices=lambda: [("", _("Any urgency"))] + capitalised(Urgency.choices))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=lambda: [("", _("Open to claims"))] + capitalised(Need.Status.choices))

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + category_choices(categories)

    def filters(self) -> dict[str, str]:
        """The valid filters; an unknown value is ignored rather than refused."""
        data = self.cleaned_data if self.is_valid() or self.is_bound else {}
        return {name: data.get(name) or "" for name in ("q", "category", "urgency", "status")}
