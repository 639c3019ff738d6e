"""The demo network: three groups, a dozen members with trust between them, needs and offers in every state.

Everything is created through the services, so the demo's audit chain is as real as any other.
"""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from . import services as accounts
from mutualaid.circulation import services as circulation
from mutualaid.circulation.models import Need
from mutualaid.circulation.suggestions import services as suggestions
from mutualaid.networks import services as networks
from mutualaid.networks.models import Group, User

PASSWORD = "mutual-aid-demo"

PEOPLE = [
    # username, language, role in the story
    ("amara", "en", "coordinator of Riverside Pod"),
    ("ben", "en", "helper in Riverside, coordinator by trust"),
    ("carmen", "es", "coordinator of Barrio Norte"),
    ("diego", "es", "helper in Barrio Norte"),
    ("elif", "en", "newcomer in Riverside"),
    ("fatima", "en", "helper in Riverside and Hillcrest"),
    ("gus", "en", "coordinator of Hillcrest Commons"),
    ("hana", "en", "member of Hillcrest"),
    ("ines", "es", "member of Barrio Norte, coordinator by trust"),
    ("jamal", "en", "member of Riverside"),
    ("kofi", "en", "member of Hillcrest"),
    ("lucia", "es", "member of Barrio Norte"),
]


def login_help() -> str:
    lines = [f"Demo log-ins (password for all: {PASSWORD}):"]
    for username, language, story in PEOPLE:
        lines.append(f"  {username:<8} {story} ({language})")
    return "\n".join(lines)


def _users() -> dict[str, User]:
    users = {}
    for username, language, _story in PEOPLE:
        users[username] = networks.user_register(username=username, password=PASSWORD,
                                                 email=f"{username}@demo.invalid", language=language)
    return users


def load(*, if_empty: bool = False) -> bool:
    """Load the demo network. With if_empty, do nothing when any group exists. Returns whether it loaded."""
    if if_empty and Group.objects.exists():
        return False
    # The demo's people have no real mailboxes: its notifications stay in-app only.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        _load()
    return True


def _load() -> None:
    circulation.categories_ensure_defaults()
    now = timezone.now()
    with transaction.atomic():
        u = _users()
        riverside = networks.group_create(
            actor=u["amara"], name="Riverside Pod", location_name="Riverside", lat=51.4613, lon=-0.1156,
            description="We meet Tuesdays at the community garden. Dispatch rota is on the board.",
            public_description="Neighbours along the river helping each other with food, errands and rides.",
            languages=["en"], timezone_name="Europe/London", country="GB")
        barrio = networks.group_create(
            actor=u["carmen"], name="Barrio Norte", location_name="Barrio Norte", lat=51.4700, lon=-0.1300,
            public_description="Apoyo mutuo en el barrio: comida, cuidados y traducción.",
            description="Asamblea los jueves.", languages=["es", "en"], timezone_name="Europe/London",
            country="GB")
        hillcrest = networks.group_create(
            actor=u["gus"], name="Hillcrest Commons", location_name="Hillcrest", lat=51.4800, lon=-0.0900,
            public_description="A closed pod for the Hillcrest estate. Tell us how you'd like to take part.",
            is_open=False, application_questions=["Which part of Hillcrest do you live in?",
                                                  "What could you help with?"],
            languages=["en"], timezone_name="Europe/London", country="GB")
        # Named areas: what members pick instead of typing an address or coordinates.
        for group, coordinator, areas in (
                (riverside, u["amara"], [("Riverside", 51.4613, -0.1156), ("Mill Lane", 51.4590, -0.1190),
                                         ("Garden Estate", 51.4635, -0.1128), ("Wharf Road", 51.4625, -0.1185)]),
                (barrio, u["carmen"], [("Barrio Norte", 51.4700, -0.1300), ("Plaza del Mercado", 51.4712, -0.1288)]),
                (hillcrest, u["gus"], [("Hillcrest", 51.4800, -0.0900)])):
            for name, lat, lon in areas:
                networks.area_add(actor=coordinator, group=group, name=name, lat=lat, lon=lon)
        for name in ("ben", "elif", "fatima", "jamal"):
            networks.group_join(actor=u[name], group=riverside)
        for name in ("diego", "ines", "lucia"):
            networks.group_join(actor=u[name], group=barrio)
        for name in ("hana", "kofi", "fatima"):
            app = networks.application_submit(actor=u[name], group=hillcrest,
                                              answers=["Block C", "Shopping and repairs"])
            networks.application_decide(actor=u["gus"], application=app, accept=True)
        pending = networks.user_register(username="newneighbour", password=PASSWORD, email="")
        networks.application_submit(actor=pending, group=hillcrest, answers=["Block A", "Cooking"])

        # Trust: Riverside has 5 members (threshold 3). Amara founded it and vouches for Fatima and Jamal (members);
        # Ben is trusted by all three, three separate paths: a coordinator. Elif is still a newcomer: her trust in
        # Jamal does not count yet. Barrio Norte (4 members, threshold 2): Carmen vouches for Diego and Lucia, whose
        # trust makes Ines a coordinator. Hillcrest's members came in by application; Hana trusts Kofi.
        networks.trust_give(actor=u["amara"], group=riverside, receiver=u["fatima"])
        networks.trust_give(actor=u["amara"], group=riverside, receiver=u["jamal"])
        networks.trust_give(actor=u["amara"], group=riverside, receiver=u["ben"])
        networks.trust_give(actor=u["fatima"], group=riverside, receiver=u["ben"])
        networks.trust_give(actor=u["jamal"], group=riverside, receiver=u["ben"])
        networks.trust_give(actor=u["elif"], group=riverside, receiver=u["jamal"])
        networks.trust_give(actor=u["ben"], group=riverside, receiver=u["amara"])
        networks.trust_give(actor=u["carmen"], group=barrio, receiver=u["diego"])
        networks.trust_give(actor=u["carmen"], group=barrio, receiver=u["lucia"])
        networks.trust_give(actor=u["diego"], group=barrio, receiver=u["ines"])
        networks.trust_give(actor=u["lucia"], group=barrio, receiver=u["ines"])
        networks.trust_give(actor=u["hana"], group=hillcrest, receiver=u["kofi"])

        # Offers
        veg = circulation.offer_create(actor=u["ben"], group=riverside, title="Veg boxes from the allotment",
                                       category="groceries", quantity=6, lat=51.4620, lon=-0.1150,
                                       location_name="Riverside", max_distance_km=3)
        rides = circulation.offer_create(actor=u["fatima"], group=riverside, title="Car rides on weekday mornings",
                                         category="transport", quantity=4, lat=51.4600, lon=-0.1170,
                                         location_name="Riverside", max_distance_km=8,
                                         available_from=now, available_until=now + timedelta(days=30))
        bikes = circulation.offer_create(actor=u["jamal"], group=riverside, title="Fixing bikes and small repairs",
                                         category="household-repair", quantity=3, location_name="Riverside")
        paused = circulation.offer_create(actor=u["elif"], group=riverside, title="Babysitting evenings",
                                          category="childcare", quantity=5, location_name="Riverside")
        circulation.offer_set_status(actor=u["elif"], offer=paused, status="paused")
        old = circulation.offer_create(actor=u["jamal"], group=riverside, title="Winter coats (given away)",
                                       category="clothing", quantity=2, location_name="Riverside")
        circulation.offer_set_status(actor=u["jamal"], offer=old, status="withdrawn")
        circulation.offer_create(actor=u["diego"], group=barrio, title="Traducción español-inglés",
                                 category="translation", quantity=10, location_name="Barrio Norte")
        circulation.offer_create(actor=u["lucia"], group=barrio, title="Comida casera los domingos",
                                 category="food", quantity=8, location_name="Barrio Norte", lat=51.4710, lon=-0.1290)
        circulation.offer_create(actor=u["kofi"], group=hillcrest, title="Collecting prescriptions",
                                 category="medicine-pickup", quantity=5, location_name="Hillcrest")

        def need(actor, group, title, category, quantity, urgency="normal", **kw):
            return circulation.need_create(actor=actor, group=group, title=title, category=category,
                                           quantity=quantity, urgency=urgency, **kw)

        # Open
        need(u["elif"], riverside, "Groceries for the week, I'm recovering from surgery", "groceries", 2, "high",
             description="Anything vegetarian. I can't carry heavy bags for a month.", location_name="Riverside",
             lat=51.4609, lon=-0.1161, needed_by=now + timedelta(days=2),
             contact={"phone": "+44 7700 900101", "address": "Flat 3, 14 Mill Lane", "preferred_language": "English"})
        need(u["jamal"], riverside, "Ride to the hospital on Friday", "transport", 1, "critical",
             location_name="Riverside", lat=51.4630, lon=-0.1140, needed_by=now + timedelta(days=1),
             contact={"phone": "+44 7700 900102", "notes": "Wheelchair folds into a boot."})
        need(u["ines"], barrio, "Ayuda para llenar un formulario de vivienda", "translation", 2, "normal",
             location_name="Barrio Norte", contact={"phone": "+44 7700 900103", "preferred_language": "Español"})
        need(u["hana"], hillcrest, "Someone to talk to in the evenings", "emotional-support", 3, "low",
             location_name="Hillcrest", contact={"email": "hana@demo.invalid"})
        # Proxy intake: Amara takes a call from a neighbour with no account.
        meals = need(u["amara"], riverside, "Hot meals for an elderly neighbour", "food", 5, "high", on_behalf=True,
             location_name="Riverside", lat=51.4599, lon=-0.1180,
             contact={"name": "Mrs. Okafor", "phone": "+44 20 7946 0011", "address": "2 Bridge Road",
                      "notes": "Called in on the landline. Ring twice, she is slow to the door."})
        # Elif is new to Riverside: her claim waits for a coordinator to accept it before she sees the address.
        circulation.match_claim(actor=u["elif"], need=meals, quantity=1)
        # "I'd like this": Ben asked for one of Jamal's repairs; it waits for Jamal's yes.
        circulation.offer_request(actor=u["ben"], offer=bikes, quantity=1, note="The chain keeps slipping off.")
        # Partly matched
        nappies = need(u["elif"], riverside, "Nappies, size 4", "hygiene", 4, "high", location_name="Riverside")
        nappy_run = circulation.match_claim(actor=u["fatima"], need=nappies, quantity=1)
        # Elif left no phone number: she and Fatima agree on a time in the match's conversation.
        circulation.match_message_write(actor=u["fatima"], match=nappy_run, text=(
            "Hi Elif, I have one pack of size 4 at home. Shall I bring it round after work, about six?"))
        circulation.match_message_write(actor=u["elif"], match=nappy_run, text=(
            "Six is perfect, thank you! The buzzer is broken, so please knock."))
        # Matched (claimed in full, not yet received)
        veg_need = need(u["jamal"], riverside, "Fresh vegetables for a community lunch", "groceries", 3, "normal",
                        location_name="Riverside", contact={"phone": "+44 7700 900104"})
        circulation.match_claim(actor=u["ben"], need=veg_need, quantity=3, offer=veg)
        # Fulfilled
        ride = need(u["elif"], riverside, "Lift to the job centre", "transport", 1, "normal", location_name="Riverside")
        done = circulation.match_claim(actor=u["fatima"], need=ride, quantity=1, offer=rides)
        circulation.match_complete(actor=u["elif"], match=done)
        soup = need(u["lucia"], barrio, "Sopa para la vecina del 4º", "food", 2, "normal", location_name="Barrio Norte")
        m = circulation.match_claim(actor=u["diego"], need=soup, quantity=2)
        circulation.match_complete(actor=u["lucia"], match=m)
        # A cancelled match, returned to the need
        shelf = need(u["hana"], hillcrest, "Put up a shelf", "household-repair", 1, "low", location_name="Hillcrest")
        m = circulation.match_claim(actor=u["kofi"], need=shelf, quantity=1)
        circulation.match_cancel(actor=u["kofi"], match=m, reason="My drill broke; can someone else take it?")
        # Cancelled
        coat = need(u["jamal"], riverside, "Winter coat, size L", "clothing", 1, "low", location_name="Riverside")
        circulation.need_cancel(actor=u["jamal"], need=coat, reason="A friend gave me one.")
        # Duplicate (entered twice by phone)
        first = need(u["carmen"], barrio, "Pañales talla 3", "hygiene", 2, "high", location_name="Barrio Norte",
                     contact={"phone": "+44 7700 900105"})
        second = need(u["carmen"], barrio, "Pañales talla 3 para bebé", "hygiene", 2, "high",
                      location_name="Barrio Norte", contact={"phone": "+44 7700 900105"})
        circulation.need_mark_duplicate(actor=u["carmen"], need=second, original=first)
        # Referred: out of Riverside's area, sent to Hillcrest.
        far = need(u["amara"], riverside, "Prescription pick-up on Hillcrest estate", "medicine-pickup", 1, "high",
                   location_name="Hillcrest", on_behalf=True, contact={"name": "Mr. Lee", "phone": "+44 7700 900106"})
        circulation.need_refer(actor=u["amara"], need=far, to_group=hillcrest)
        # Expired: needed by yesterday, nobody could.
        late = need(u["ben"], riverside, "Help moving a sofa on Saturday", "household-repair", 1, "low",
                    location_name="Riverside", needed_by=now + timedelta(minutes=1))
        Need.objects.filter(pk=late.pk).update(needed_by=now - timedelta(days=1))
        # Someone who was helped, then left and deleted their account: the need stays in the record, counted, its
        # words erased ("Removed at the person's request").
        former = networks.user_register(username="oskar", password=PASSWORD, email="oskar@demo.invalid")
        networks.group_join(actor=former, group=riverside)
        bread = need(former, riverside, "Bread and milk for my flat on Mill Lane", "groceries", 2, "normal",
                     location_name="Mill Lane", contact={"phone": "+44 7700 900107"})
        m = circulation.match_claim(actor=u["fatima"], need=bread, quantity=2)
        circulation.match_complete(actor=former, match=m)
        accounts.account_delete(actor=former, password=PASSWORD)
        # Amara's scripts and phone sign in to the API with tokens she named (Settings → API tokens).
        networks.token_create(actor=u["amara"], label="Phone app")
        networks.token_create(actor=u["amara"], label="Pantry stock script")
    circulation.needs_expire_overdue()
    # Suggestions worked out once, as the worker would: the helpers' and coordinators' pages show them at once.
    suggestions.suggestions_work_out_all()
