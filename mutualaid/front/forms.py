"""Forms of a member's own account pages. The password forms are Django's own, saving through networks' services
(which revoke the account's tokens and record the change)."""
from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from mutualaid.core.limits import PASSWORD_MAX
from mutualaid.networks import services as networks_services
from mutualaid.networks.forms import ServiceErrorForm


class AccountDeleteForm(ServiceErrorForm):
    password = forms.CharField(label=_("Your password"), strip=False, help_text=_("To be sure it is you."),
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PasswordSaveThroughService:
    how = ""
    keep_session: str | None = None  # the session that made the change (set by the view)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.max_length = PASSWORD_MAX
            field.validators.append(MaxLengthValidator(PASSWORD_MAX))
            field.widget.attrs["maxlength"] = str(PASSWORD_MAX)

    def save(self, commit: bool = True):
        networks_services.user_password_set(actor=self.user, new_password=self.cleaned_data["new_password1"],
                                            how=self.how, keep_session=self.keep_session)
        return self.user


class PasswordChange(PasswordSaveThroughService, PasswordChangeForm):
    how = "changed"


class PasswordReset(PasswordSaveThroughService, SetPasswordForm):
    how = "reset"
