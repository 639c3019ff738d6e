"""Forms of the suggestions pages: a helper's yes or no to one suggested pair."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class PairForm(forms.Form):
    need = forms.UUIDField()
    offer = forms.UUIDField()
    quantity = forms.IntegerField(label=gettext_lazy("How many?"), min_value=1, max_value=100_000, required=False)
