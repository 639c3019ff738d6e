"""Each length limit is written once, on the model: the web form, the API schema and the service refuse the same
text, one character past the model field's max_length, and take the text at exactly that length."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from mutualaid.circulation import forms as circulation_forms
from mutualaid.circulation import schemas as circulation_schemas
from mutualaid.circulation import services as circulation
from mutualaid.circulation.models import Category, Match, Need, NeedContact, Offer
from mutualaid.core.errors import InvalidInput
from mutualaid.core.validators import MAX_QUANTITY
from mutualaid.networks import forms as networks_forms
from mutualaid.networks import schemas as networks_schemas
from mutualaid.networks import services as networks
from mutualaid.networks.models import Application, Group, Suspension, User

CATEGORIES = [Category(slug="food", name="Food")]

# (form, its arguments, form field, schema, schema field, model, model field)
TEXTS = [
    (circulation_forms.NeedForm, {"categories": CATEGORIES}, "title", circulation_schemas.NeedIn, "title",
     Need, "title"),
    (circulation_forms.NeedForm, {"categories": CATEGORIES}, "description", circulation_schemas.NeedIn,
     "description", Need, "description"),
    (circulation_forms.NeedForm, {"categories": CATEGORIES}, "location_name", circulation_schemas.NeedIn,
     "location_name", Need, "location_name"),
    *[(circulation_forms.NeedForm, {"categories": CATEGORIES}, f"contact_{name}", circulation_schemas.ContactIn,
       name, NeedContact, name) for name in ("name", "phone", "email", "address", "preferred_language", "notes")],
    (circulation_forms.OfferForm, {"categories": CATEGORIES}, "title", circulation_schemas.OfferIn, "title",
     Offer, "title"),
    (circulation_forms.OfferForm, {"categories": CATEGORIES}, "description", circulation_schemas.OfferIn,
     "description", Offer, "description"),
    (circulation_forms.OfferForm, {"categories": CATEGORIES}, "location_name", circulation_schemas.OfferIn,
     "location_name", Offer, "location_name"),
    (circulation_forms.MatchCancelForm, {}, "reason", circulation_schemas.CancelIn, "reason", Match,
     "cancel_reason"),
    (circulation_forms.NeedCancelForm, {}, "reason", circulation_schemas.NeedCancelIn, "reason", Match,
     "cancel_reason"),
    (networks_forms.SignupForm, {}, "username", networks_schemas.RegisterIn, "username", User, "username"),
    (networks_forms.SignupForm, {}, "email", networks_schemas.RegisterIn, "email", User, "email"),
    (networks_forms.GroupForm, {}, "name", networks_schemas.GroupIn, "name", Group, "name"),
    (networks_forms.GroupForm, {}, "description", networks_schemas.GroupIn, "description", Group, "description"),
    (networks_forms.GroupForm, {}, "public_description", networks_schemas.GroupIn, "public_description", Group,
     "public_description"),
    (networks_forms.GroupForm, {}, "location_name", networks_schemas.GroupIn, "location_name", Group,
     "location_name"),
    (networks_forms.DecisionForm, {}, "reason", networks_schemas.DecisionIn, "reason", Application, "reason"),
]


def limit_of(model, name) -> int:
    limit = model._meta.get_field(name).max_length
    assert limit, f"{model.__name__}.{name} holds text of any length"
    return limit


def schema_limit(schema, name) -> int | None:
    prop = schema.model_json_schema()["properties"][name]
    return prop.get("maxLength") or next((o.get("maxLength") for o in prop.get("anyOf", []) if "maxLength" in o),
                                         None)


@pytest.mark.parametrize(("form", "args", "form_field", "schema", "schema_field", "model", "model_field"), TEXTS,
                         ids=[f"{t[0].__name__}.{t[2]}" for t in TEXTS])
def test_form_and_schema_read_the_limit_from_the_model(form, args, form_field, schema, schema_field, model,
                                                       model_field):
    limit = limit_of(model, model_field)
    field = form(**args).fields[form_field]
    assert field.max_length == limit
    assert field.widget.attrs["maxlength"] == str(limit)
    assert schema_limit(schema, schema_field) == limit


def test_the_suspension_reason_and_the_answers_have_their_limits_on_the_model():
    from mutualaid.networks.api import SuspendIn

    assert schema_limit(SuspendIn, "reason") == limit_of(Suspension, "reason")
    form = networks_forms.ApplicationForm(questions=["Why?"])
    assert form.fields["answer_0"].max_length == Application.ANSWER_MAX_LENGTH


def test_a_title_one_past_the_model_limit_is_refused_by_form_schema_and_service(group, member):
    limit = limit_of(Need, "title")
    too_long, just_right = "x" * (limit + 1), "x" * limit
    data = {"category": "groceries", "quantity": 1, "urgency": "normal"}
    categories = list(Category.objects.all())

    assert "title" in circulation_forms.NeedForm(data={**data, "title": too_long}, categories=categories).errors
    assert circulation_forms.NeedForm(data={**data, "title": just_right}, categories=categories).is_valid()
    with pytest.raises(ValidationError, match="title"):
        circulation_schemas.NeedIn(group=group.public_id, title=too_long, **data)
    circulation_schemas.NeedIn(group=group.public_id, title=just_right, **data)
    with pytest.raises(InvalidInput) as refused:
        circulation.need_create(actor=member, group=group, title=too_long, category="groceries", quantity=1)
    assert refused.value.field == "title"
    assert circulation.need_create(actor=member, group=group, title=just_right, category="groceries",
                                   quantity=1).title == just_right


def test_a_description_one_past_the_model_limit_is_refused_by_every_service_that_takes_one(group, member):
    """Group descriptions were bounded by the form and the schema only: the service (the command line's way in)
    took any length."""
    too_long = "x" * (limit_of(Group, "description") + 1)
    with pytest.raises(InvalidInput) as refused:
        networks.group_create(actor=member, name="Long Pod", description=too_long)
    assert refused.value.field == "description"
    with pytest.raises(InvalidInput) as refused:
        networks.group_create(actor=member, name="Long Pod", public_description=too_long)
    assert refused.value.field == "public_description"
    with pytest.raises(InvalidInput) as refused:
        circulation.offer_create(actor=member, group=group, title="Soup", category="groceries", quantity=1,
                                 description="x" * (limit_of(Offer, "description") + 1))
    assert refused.value.field == "description"


def test_quantity_bounds_are_max_quantity_everywhere():
    for schema in (circulation_schemas.NeedIn, circulation_schemas.OfferIn, circulation_schemas.ClaimIn):
        prop = schema.model_json_schema()["properties"]["quantity"]
        assert (prop["minimum"], prop["maximum"]) == (1, MAX_QUANTITY)
    field = circulation_forms.NeedForm(categories=CATEGORIES).fields["quantity"]
    assert (field.min_value, field.max_value) == (1, MAX_QUANTITY)
