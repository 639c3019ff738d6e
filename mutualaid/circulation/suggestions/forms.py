"""Forms of the suggestions pages: a helper's yes or no to one suggested pair."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from mutualaid.core.validators import MAX_QUANTITY


class PairForm(forms.Form):
    need = forms.UUIDField()
    offer = forms.UUIDField()
    quantity = forms.IntegerField(label=gettext_lazy("How many?"), min_value=1, max_value=MAX_QUANTITY, required=False)
