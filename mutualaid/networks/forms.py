"""Web forms for accounts, groups, applications and settings.

Forms only parse what the browser sent; the rules live in the services. A service's refusal is put back on the form
by `add_service_error`, next to the field it names.
"""
from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import RegexValidator
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mutualaid.core.errors import InvalidInput, ServiceError
from mutualaid.core.limits import PASSWORD_MAX, coordinate_fields, text_field
from mutualaid.core import places
from mutualaid.core.places import map_settings
from mutualaid.core.validators import check_timezone
from mutualaid.networks import selectors, usernames
from mutualaid.networks.models import Application, Area, Group, User


class ServiceErrorForm(forms.Form):
    """A form that can show a service's InvalidInput/Conflict next to the field it names."""

    # Service field name -> form field name, where they differ.
    service_fields: dict[str, str] = {}

    def clean(self):
        data = super().clean()
        # Bytes that were not UTF-8 arrive as U+FFFD: refuse them rather than store garbled text. (NUL characters,
        # which PostgreSQL cannot store, are already refused by every CharField.)
        for name, value in list(data.items()):
            values = value if isinstance(value, (list, tuple)) else [value]
            if any(isinstance(v, str) and "\ufffd" in v for v in values):
                self.add_error(name, _("This text holds characters that could not be read (it was not sent as "
                                       "UTF-8). Please type it again."))
        return data

    def check(self, rule, *args, **kwargs) -> None:
        """Ask a service's own rule now (one that takes no lock), so that its refusal is told with the form's other
        errors, in one round, beside the field it names; the service asks it again when it writes."""
        try:
            rule(*args, **kwargs)
        except ServiceError as exc:
            self.add_service_error(exc)

    def add_service_error(self, exc: ServiceError) -> None:
        field = self.service_fields.get(exc.field or "", exc.field)
        if field and field in self.fields:
            self.add_error(field, exc.message)
        else:
            self.add_error(None, exc.message)


def picked_coordinate_fields() -> tuple[forms.FloatField, forms.FloatField]:
    """The latitude and longitude a map picker sets (templates/_place_picker.html): hidden, never typed."""
    lat, lon = coordinate_fields()
    lat.widget, lon.widget = forms.HiddenInput(), forms.HiddenInput()
    return lat, lon


class PlaceFormMixin:
    """A form whose place is picked: one of the group's named areas from a list (which works without JavaScript),
    or a point marked on the map (hidden lat and lon), or an area's name typed when it is in no list. Call
    `place_setup(areas)` in __init__ and `place_clean(data)` in clean: a chosen area gives the place its name, and
    its point when none was marked; a point marked with no area named is named after the nearest area."""

    ELSEWHERE = "elsewhere"

    def place_setup(self, areas: list[Area], *, location_name: str = "") -> None:
        self.areas = {str(area.public_id): area for area in areas}
        if not areas:
            return
        self.fields["area"] = forms.ChoiceField(
            label=_("Area"), required=False,
            choices=[("", _("Choose an area"))] + [(key, area.name) for key, area in self.areas.items()]
            + [(self.ELSEWHERE, _("Somewhere else (name it below)"))],
            help_text=_("Members see the area's name, never your street."))
        self.fields["location_name"].label = _("Or name the area")
        self.fields["location_name"].required = False
        known = next((key for key, area in self.areas.items() if area.name.casefold() == location_name.casefold()),
                     None)
        self.initial.setdefault("area", known or (self.ELSEWHERE if location_name else ""))

    @property
    def place_map(self) -> dict[str, str]:
        return map_settings()

    @property
    def place_map_shown(self) -> bool:
        """A map is worth showing with a street map to draw, or named areas marked on it to click near."""
        return bool(map_settings()["tiles"]) or any(area.lat is not None for area in self.areas.values())

    @property
    def place_areas(self) -> list[dict]:
        """The named areas, as the map picker draws them."""
        return [{"id": key, "name": area.name, "lat": area.lat, "lon": area.lon} for key, area in self.areas.items()]

    @property
    def place_nearest_km(self) -> str:
        return str(selectors.NEAREST_AREA_KM)

    def place_clean(self, data: dict) -> dict:
        area_key = data.get("area") or ""
        lat, lon = data.get("lat"), data.get("lon")
        before = (self.initial.get("lat"), self.initial.get("lon"))
        if self.initial and (lat, lon) == before and lat is not None:
            if area_key in self.areas and area_key != self.initial.get("area"):
                lat = lon = None  # another area chosen from the list, no new mark: that area's place, not the old
            else:
                # The point as it was: no area is named after it anew (something posted with a point and no name
                # keeps its name as it is).
                data["_point_unchanged"] = True
        location_name, lat, lon = selectors.place_resolve(
            list(self.areas.values()), area=self.areas.get(area_key), location_name=data.get("location_name") or "",
            lat=lat, lon=lon, name_after_nearest=not data.pop("_point_unchanged", False))
        data["location_name"], data["lat"], data["lon"] = location_name, lat, lon
        return data


class SignupForm(ServiceErrorForm):
    username = text_field(User, "username", label=_("User name"), validators=[RegexValidator(
                                   r"^[\w.@+-]+\Z",
                                   _("A user name may hold up to 150 letters, digits and @ . + - _ only."))],
                               help_text=_("Letters, digits and @ . + - _ only. Others in your groups will see it."),
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}))
    email = text_field(User, "email", form_class=forms.EmailField, label=_("E-mail (optional)"),
                             help_text=_("Only used to send you your notifications."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label=_("Password"), strip=False, max_length=PASSWORD_MAX,
                               help_text=_("At least 8 characters; a few words are easy to remember."),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(label=_("Password, again"), strip=False, max_length=PASSWORD_MAX,
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_username(self) -> str:
        name = usernames.normalise(self.cleaned_data["username"])
        refusal = selectors.username_refusal(name)  # told with the other fields' errors, not in a second round
        if refusal:
            raise forms.ValidationError(refusal)
        return name

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


LANGUAGE_CHOICES = [("", _("Follow my browser")), ("en", "English"), ("es", "Español")]


class SettingsForm(ServiceErrorForm):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False,
                                 widget=forms.RadioSelect)


def timezone_choices(country: str = "") -> list:
    """The time zone choices: a country's own (its short list) or, with none chosen, every country's, grouped by
    country; UTC last. In the active language."""
    if country:
        return [(zone, places.zone_label(zone)) for zone in places.zones_for_country(country)] + [("UTC", "UTC")]
    return [(name, [(zone, places.zone_label(zone)) for zone in places.zones_for_country(code)])
            for code, name in places.country_choices()] + [("UTC", "UTC")]


class GroupForm(PlaceFormMixin, ServiceErrorForm):
    name = text_field(Group, "name", label=_("Name"))
    public_description = text_field(
        Group, "public_description", label=_("Public description"),
        help_text=_("Anyone can read this: what the group does and who it is for."),
        widget=forms.Textarea(attrs={"rows": 3}))
    description = text_field(Group, "description", label=_("Description for members"),
                             widget=forms.Textarea(attrs={"rows": 3}))
    location_name = text_field(Group, "location_name", label=_("Area"),
                               help_text=_("A neighbourhood or town, never a street address."))
    lat, lon = picked_coordinate_fields()
    is_open = forms.BooleanField(label=_("Anyone may join without applying"), required=False, initial=True)
    application_questions = forms.CharField(
        label=_("Questions for people who apply"), required=False, max_length=5000,
        help_text=_("For a closed group: one question per line."), widget=forms.Textarea(attrs={"rows": 3}))

    country = forms.ChoiceField(label=_("Country"), required=False,
                                choices=lambda: [("", _("Choose a country"))] + places.country_choices(),
                                widget=forms.Select(attrs={"data-timezones-for": "id_timezone"}))
    timezone = forms.ChoiceField(label=_("Time zone"), initial="UTC", required=False,
                                 help_text=_("Times that members type in are read in this zone."))
    languages = forms.MultipleChoiceField(label=_("Languages spoken in the group"), required=False,
                                          choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple)
    trust_threshold = forms.IntegerField(
        label=_("Trust needed to coordinate (optional)"), required=False, min_value=1, max_value=50,
        help_text=_("How many members must trust someone before they coordinate. Empty: half the members, "
                    "at least 1 and at most 3."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {}  # the map picker draws none: a new group has no areas yet
        # Every zone is a valid choice; the list shows the chosen country's own (static/js/timezones.js follows the
        # country as it changes, and searches). A zone of another country is refused by the service, by name.
        self.fields["timezone"].choices = [(zone, zone) for zone in sorted(places.known_zones())]
        # Sent: the country sent (none: every country's zones); first shown: the one guessed.
        country = str((self.data.get("country") if self.is_bound else self.initial.get("country")) or "").upper()
        self.fields["timezone"].widget.choices = timezone_choices(country if places.zones_for_country(country)
                                                                  else "")
        zones = places.zones_for_country(country)
        if len(zones) == 1:
            self.initial.setdefault("timezone", zones[0])

    def clean(self):
        data = super().clean()
        if data.get("country") and data.get("timezone"):  # told with every other error, not after them
            try:
                check_timezone(data["timezone"], country=data["country"])
            except InvalidInput as exc:
                self.add_error("timezone", exc.message)
        return data

    @property
    def timezone_catalogue(self) -> list[dict]:
        return places.timezone_catalogue()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if selectors.group_name_taken(name):  # told with the other fields' errors (group_create refuses it too)
            raise forms.ValidationError(_("A group with that name already exists."))
        return name

    def clean_application_questions(self) -> list[str]:
        text = self.cleaned_data.get("application_questions") or ""
        questions = [line.strip() for line in text.splitlines() if line.strip()]
        if len(questions) > Group.MAX_QUESTIONS:
            raise forms.ValidationError(_("At most 20 questions, please."))
        return questions


class ApplicationForm(ServiceErrorForm):
    """One required answer per question of the group. The service's complaints about answers show on top."""

    def __init__(self, *args, questions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for i, question in enumerate(questions):
            self.fields[f"answer_{i}"] = forms.CharField(label=question, max_length=Application.ANSWER_MAX_LENGTH,
                                                         widget=forms.Textarea(attrs={"rows": 3}))

    def answers(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.fields]


class DecisionForm(ServiceErrorForm):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))],
                                 widget=forms.HiddenInput)
    reason = text_field(Application, "reason", label=_("Reason (needed to decline)"),
                        widget=forms.Textarea(attrs={"rows": 2}))


class TrustForm(forms.Form):
    action = forms.ChoiceField(choices=[("give", "give"), ("withdraw", "withdraw")])


class LoginForm(AuthenticationForm):
    """Django's log-in form, with the sign-up form's words for its field (not "Username" beside "User name")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")


class AreaForm(PlaceFormMixin, ServiceErrorForm):
    """A coordinator names an area and marks it on the map (the other areas drawn beside it)."""

    name = text_field(Area, "name", label=_("Name of the area"),
                      help_text=_("As neighbours say it: “Riverside North”, “the Market estate”."))
    lat, lon = picked_coordinate_fields()

    def __init__(self, *args, areas=(), editing: Area | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {str(area.public_id): area for area in areas if area != editing}
