"""Web forms for accounts, groups, applications and settings.

Forms only parse what the browser sent; the rules live in the services. A service's refusal is put back on the form
by `add_service_error`, next to the field it names.
"""
from __future__ import annotations

import functools
from zoneinfo import available_timezones

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import RegexValidator
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mutualaid.core.errors import ServiceError
from mutualaid.core.limits import PASSWORD_MAX, coordinate_fields, text_field
from mutualaid.networks import selectors, usernames
from mutualaid.networks.models import Application, Group, User


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

    def add_service_error(self, exc: ServiceError) -> None:
        field = self.service_fields.get(exc.field or "", exc.field)
        if field and field in self.fields:
            self.add_error(field, exc.message)
        else:
            self.add_error(None, exc.message)


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


@functools.lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    """Read once per process: listing the time zone database takes a tenth of a second each time."""
    return [(zone, zone.replace("_", " ")) for zone in sorted(available_timezones())
            if "/" in zone and not zone.startswith(("Etc/", "SystemV/"))] + [("UTC", "UTC")]


class GroupForm(ServiceErrorForm):
    name = text_field(Group, "name", label=_("Name"))
    public_description = text_field(
        Group, "public_description", label=_("Public description"),
        help_text=_("Anyone can read this: what the group does and who it is for."),
        widget=forms.Textarea(attrs={"rows": 3}))
    description = text_field(Group, "description", label=_("Description for members"),
                             widget=forms.Textarea(attrs={"rows": 3}))
    location_name = text_field(Group, "location_name", label=_("Area"),
                               help_text=_("A neighbourhood or town, never a street address."))
    lat, lon = coordinate_fields()
    is_open = forms.BooleanField(label=_("Anyone may join without applying"), required=False, initial=True)
    application_questions = forms.CharField(
        label=_("Questions for people who apply"), required=False, max_length=5000,
        help_text=_("For a closed group: one question per line."), widget=forms.Textarea(attrs={"rows": 3}))

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
        self.fields["timezone"].choices = timezone_choices()

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
