"""Every length limit is written once, as the `max_length` of a model field (or, for the items of a JSON list, a
constant on the model). Web forms, API schemas and services read it from there, so the three always refuse the same
text: a form field with `text_field`, a django-ninja field with `schema_text`, a service with `max_length` (passed
to validators.check_text)."""
from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy
from pydantic import Field

from .validators import MAX_LATITUDE, MAX_LONGITUDE

# The longest password read anywhere (sign-up, log-in, the account pages and API): hashing is slow by design, and a
# megabyte of password would be a cheap way to keep a worker busy. Not a model field: only the hash is stored.
PASSWORD_MAX = 4096


def max_length(model: type[models.Model], name: str) -> int:
    """The most characters the model's field `name` holds."""
    limit = model._meta.get_field(name).max_length
    if limit is None:  # a TextField without one would silently accept anything
        raise ValueError(f"{model.__name__}.{name} has no max_length")
    return limit


def text_field(model: type[models.Model], name: str, *, form_class: type[forms.CharField] = forms.CharField,
               **kwargs: Any) -> forms.CharField:
    """A form field for the text of the model's field `name`: at most its max_length (also the input's maxlength),
    required unless the model field may be blank (pass `required` to say otherwise)."""
    kwargs.setdefault("required", not model._meta.get_field(name).blank)
    return form_class(max_length=max_length(model, name), **kwargs)


def schema_text(model: type[models.Model], name: str, default: Any = ..., **kwargs: Any) -> Any:
    """A field of a django-ninja schema (pydantic's Field, which ninja's is) for the text of the model's field
    `name`: longer is refused with a 422."""
    return Field(default, max_length=max_length(model, name), **kwargs)


def coordinate_fields() -> tuple[forms.FloatField, forms.FloatField]:
    """The optional latitude and longitude of a form, in their ranges, refused with the services' own words (not
    "Ensure this value is less than or equal to 90.")."""
    lat_message = gettext_lazy("Latitude must be between -90 and 90.")
    lon_message = gettext_lazy("Longitude must be between -180 and 180.")
    lat = forms.FloatField(label=gettext_lazy("Latitude (optional)"), required=False, min_value=-MAX_LATITUDE,
                           max_value=MAX_LATITUDE, error_messages={"min_value": lat_message, "max_value": lat_message})
    lon = forms.FloatField(label=gettext_lazy("Longitude (optional)"), required=False, min_value=-MAX_LONGITUDE,
                           max_value=MAX_LONGITUDE, error_messages={"min_value": lon_message,
                                                                    "max_value": lon_message})
    return lat, lon

