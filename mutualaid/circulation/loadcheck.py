"""What people do with needs, offers and matches under load, and what must hold afterwards (see
mutualaid.loadcheck)."""
from __future__ import annotations

from collections import defaultdict

from mutualaid.loadcheck import action, durable, invariant, seeder

CATEGORIES = ["food", "groceries", "medicine-pickup", "transport", "childcare", "hygiene", "clothing", "other"]
URGENCIES = ["critical", "high", "normal", "normal", "normal", "low"]
TITLES = ["Groceries for the week", "A ride to the clinic", "Hot meals after surgery", "Nappies and wipes",
          "Someone to fetch a prescription", "Winter coat, size M", "Help moving a sofa", "Childcare on Tuesday"]


def _notes(world) -> dict:
    notes = world.notes["circulation"]
    notes.setdefault("needs", defaultdict(dict))  # group -> need id -> requester person pk
    notes.setdefault("matches", {})  # match id -> {"need", "helper", "requester", "group"}
    notes.setdefault("offers", defaultdict(list))  # person pk -> [(offer id, group, category)]
    notes.setdefault("my_needs", defaultdict(set))  # person pk -> need ids still in play
    return notes


@seeder(20)
def needs_and_offers(world) -> None:
    """A few open needs and offers in every group, posted by its members."""
    from mutualaid.networks.models import Group, User

    from . import services

    services.categories_ensure_defaults()
    notes = _notes(world)
    rng = world.rng
    users = {u.pk: u for u in User.objects.filter(pk__in=[p.pk for p in world.people])}
    for gid in world.groups:
        group = Group.objects.get(public_id=gid)
        members = world.members(gid)
        for _ in range(4):
            person = rng.choice(members)
            need = services.need_create(actor=users[person.pk], group=group, title=rng.choice(TITLES),
                                        category=rng.choice(CATEGORIES), quantity=rng.randint(1, 4),
                                        urgency=rng.choice(URGENCIES))
            notes["needs"][gid][str(need.public_id)] = person.pk
            notes["my_needs"][person.pk].add(str(need.public_id))
        for _ in range(2):
            person = rng.choice(members)
            category = rng.choice(CATEGORIES)
            offer = services.offer_create(actor=users[person.pk], group=group, title="Happy to help",
                                          category=category, quantity=rng.randint(2, 6))
            notes["offers"][person.pk].append((str(offer.public_id), gid, category))


def _my_group(client, world) -> str | None:
    with world.lock:
        groups = sorted(client.person.groups)
    return client.rng.choice(groups) if groups else None


def _known_need(client, world, gid: str | None = None) -> tuple[str, str, int] | None:
    """(group, need id, requester pk) of a need someone posted in one of my groups."""
    with world.lock:
        groups = [gid] if gid else sorted(client.person.groups)
        pool = [(g, n, r) for g in groups for n, r in _notes(world)["needs"].get(g, {}).items()]
    return client.rng.choice(pool) if pool else None


# --- Reading --------------------------------------------------------------------------------------


@action("web.board", 6)
def board_page(client, world) -> bool:
    gid = _my_group(client, world)
    if gid is None:
        return False
    page = client.rng.choice(["", "", "", "?urgency=critical", "?category=food", "?page=2"])
    client.web("web.board", f"/groups/{gid}/{page}")
    return True


@action("web.need", 3)
def need_page(client, world) -> bool:
    known = _known_need(client, world)
    if known is None:
        return False
    client.web("web.need", f"/needs/{known[1]}/")
    return True


@action("web.home", 2)
def home_page(client, world) -> bool:
    client.web("web.home", "/")
    return True


@action("api.needs", 5)
def list_needs(client, world) -> bool:
    """The group's open needs, as an app shows them; what is seen becomes what the person may claim."""
    gid = _my_group(client, world)
    if gid is None:
        return False
    answer = client.api("api.needs", "GET", f"/needs?group={gid}&page_size=50")
    if answer.status == 200 and answer.data:
        usernames = {p.username: p.pk for p in world.people}
        with world.lock:
            needs = _notes(world)["needs"][gid]
            for item in answer.data.get("items", []):
                needs.setdefault(item["id"], usernames.get(item["requester"]))
    return True


@action("api.need", 3)
def read_need(client, world) -> bool:
    known = _known_need(client, world)
    if known is None:
        return False
    answer = client.api("api.need", "GET", f"/needs/{known[1]}")
    if answer.status == 404:
        with world.lock:
            _notes(world)["needs"][known[0]].pop(known[1], None)
    return True


@action("api.matches", 1)
def my_matches(client, world) -> bool:
    client.api("api.matches", "GET", "/matches")
    return True


# --- Writing --------------------------------------------------------------------------------------


@action("need.post", 3)
def post_need(client, world) -> bool:
    gid = _my_group(client, world)
    if gid is None:
        return False
    rng = client.rng
    answer = client.api("need.post", "POST", "/needs", {
        "group": gid, "title": rng.choice(TITLES), "category": rng.choice(CATEGORIES),
        "quantity": rng.randint(1, 4), "urgency": rng.choice(URGENCIES), "location_name": "Load test street",
        "contact": {"phone": f"+34 600 {rng.randrange(10**6):06d}"}})
    if answer.status == 201:
        need_id = answer.data["id"]
        world.acknowledge("need", id=need_id)
        with world.lock:
            _notes(world)["needs"][gid][need_id] = client.person.pk
            _notes(world)["my_needs"][client.person.pk].add(need_id)
    return True


@action("offer.post", 1.5)
def post_offer(client, world) -> bool:
    gid = _my_group(client, world)
    if gid is None:
        return False
    category = client.rng.choice(CATEGORIES)
    answer = client.api("offer.post", "POST", "/offers", {
        "group": gid, "title": "I can help with this", "category": category, "quantity": client.rng.randint(1, 8)})
    if answer.status == 201:
        world.acknowledge("offer", id=answer.data["id"])
        with world.lock:
            _notes(world)["offers"][client.person.pk].append((answer.data["id"], gid, category))
    return True


@action("need.claim", 5)
def claim_need(client, world) -> bool:
    me = client.person
    known = _known_need(client, world)
    if known is None or known[2] == me.pk:
        return False
    gid, need_id, requester = known
    body = {"quantity": client.rng.choice([1, 1, 1, 2])}
    with world.lock:
        offers = [o for o in _notes(world)["offers"][me.pk] if o[1] == gid]
    if offers and client.rng.random() < 0.3:
        body["offer"] = client.rng.choice(offers)[0]  # may be of another category or used up: 409/422 then
    answer = client.api("need.claim", "POST", f"/needs/{need_id}/claim", body)
    with world.lock:
        notes = _notes(world)
        if answer.status == 201:
            match_id = answer.data["id"]
            notes["matches"][match_id] = {"need": need_id, "helper": me.pk, "requester": requester, "group": gid,
                                          "proposed": answer.data["status"] == "proposed"}
            world.acknowledge("match", id=match_id, need=need_id, quantity=answer.data["quantity"])
        elif answer.status == 409 and client.rng.random() < 0.5:
            notes["needs"][gid].pop(need_id, None)  # probably fully claimed or closed: look elsewhere
        elif answer.status == 404:
            notes["needs"][gid].pop(need_id, None)
    return True


def _pick_match(client, world, *, role: str) -> tuple[str, dict] | None:
    with world.lock:
        pool = [(m, info) for m, info in _notes(world)["matches"].items() if info[role] == client.person.pk]
    return client.rng.choice(pool) if pool else None


@action("match.complete", 2.5)
def complete_match(client, world) -> bool:
    picked = _pick_match(client, world, role="requester")
    if picked is None:
        return False
    match_id, _info = picked
    answer = client.api("match.complete", "POST", f"/matches/{match_id}/complete")
    if answer.status == 200:
        world.acknowledge("match_completed", id=match_id)
    if answer.status in (200, 404, 409):
        with world.lock:
            _notes(world)["matches"].pop(match_id, None)
    return True


@action("match.accept", 2)
def accept_match(client, world) -> bool:
    """The requester accepts a newcomer's proposed claim; a helper says yes to what was asked of their offer."""
    with world.lock:
        pool = [(m, info) for m, info in _notes(world)["matches"].items()
                if (info["requester"] == client.person.pk and info.get("proposed"))
                or (info["helper"] == client.person.pk and info.get("requested"))]
    if not pool:
        return False
    match_id, info = client.rng.choice(pool)
    answer = client.api("match.accept", "POST", f"/matches/{match_id}/accept")
    if answer.status in (200, 409):
        info["proposed"] = info["requested"] = False
    if answer.status == 404:
        with world.lock:
            _notes(world)["matches"].pop(match_id, None)
    return True


@invariant("no helper whose claim is proposed or cancelled saw contact details")
def contact_seen_only_by_those_who_may() -> list[str]:
    """Every recorded view of a need's contact details is by its requester, a coordinator of its group, or a helper
    whose claim on it had been confirmed by then (a match confirmed or completed, or cancelled after its acceptance)."""
    from mutualaid.audit.models import AuditEntry
    from mutualaid.networks.models import Membership

    from .models import ContactView, Match

    # Anyone who coordinated the group at some point (the role moves as trust and the member count change).
    held_role = set(AuditEntry.objects.filter(object_type="networks.membership", after__role="coordinator")
                    .values_list("object_id", flat=True))
    coordinators = {(g, u) for g, u, public_id in Membership.objects.values_list("group_id", "user_id", "public_id")
                    if str(public_id) in held_role}
    # A claim was confirmed if it was made confirmed (a member's) or accepted later: both are in the audit chain.
    confirmed_ids = set(AuditEntry.objects.filter(action="match.accepted").values_list("object_id", flat=True))
    confirmed_ids |= set(AuditEntry.objects.filter(action="match.claimed", after__status="confirmed")
                         .values_list("object_id", flat=True))
    confirmed = {(need_id, helper_id) for need_id, helper_id, status, public_id
                 in Match.objects.values_list("need_id", "helper_id", "status", "public_id")
                 if status in (Match.Status.CONFIRMED, Match.Status.COMPLETED) or str(public_id) in confirmed_ids}
    problems = []
    for need_id, viewer_id, group_id, requester_id, creator_id in ContactView.objects.values_list(
            "need_id", "viewer_id", "need__group_id", "need__requester_id", "need__created_by_id").distinct():
        if viewer_id in (requester_id, creator_id) or (group_id, viewer_id) in coordinators:
            continue
        if (need_id, viewer_id) not in confirmed:
            problems.append(f"user {viewer_id} saw the contact details of need {need_id} without a confirmed claim")
    return problems


@action("match.cancel", 1.5)
def cancel_match(client, world) -> bool:
    picked = _pick_match(client, world, role=client.rng.choice(["helper", "helper", "requester"]))
    if picked is None:
        return False
    match_id, _info = picked
    answer = client.api("match.cancel", "POST", f"/matches/{match_id}/cancel",
                        {"reason": "Something came up, sorry."})
    if answer.status == 200:
        world.acknowledge("match_cancelled", id=match_id)
    if answer.status in (200, 404, 409):
        with world.lock:
            _notes(world)["matches"].pop(match_id, None)
    return True


@action("match.message", 1.5)
def write_on_match(client, world) -> bool:
    """One side of a match writes to the other in its conversation, and reads the thread now and then."""
    picked = _pick_match(client, world, role=client.rng.choice(["helper", "requester"]))
    if picked is None:
        return False
    match_id, _info = picked
    if client.rng.random() < 0.3:
        client.web("web.match", f"/matches/{match_id}/")
        return True
    answer = client.api("match.message", "POST", f"/matches/{match_id}/messages",
                        {"text": client.rng.choice(["On my way.", "Is six o'clock all right?",
                                                    "Thank you so much!", "Running ten minutes late, sorry."])})
    if answer.status == 201:
        world.acknowledge("match_message", id=answer.data["id"])
    elif answer.status == 404:
        with world.lock:
            _notes(world)["matches"].pop(match_id, None)
    return True


@action("offer.request", 1)
def request_offer(client, world) -> bool:
    """ "I'd like this": a member asks for one of another member's offers in their group; the helper says yes later
    (match.accept, as the helper) or the match is cancelled. The quantities' invariants hold either way."""
    me = client.person
    with world.lock:
        offers = [(pk, offer) for pk, mine in _notes(world)["offers"].items() if pk != me.pk for offer in mine]
    gid = _my_group(client, world)
    offers = [o for o in offers if o[1][1] == gid]
    if not offers:
        return False
    helper, (offer_id, _gid, _category) = client.rng.choice(offers)
    answer = client.api("offer.request", "POST", f"/offers/{offer_id}/request", {"quantity": 1})
    if answer.status == 201:
        match_id = answer.data["id"]
        with world.lock:
            _notes(world)["matches"][match_id] = {"need": answer.data["need"], "helper": helper, "requester": me.pk,
                                                  "group": gid, "proposed": False, "requested": True}
        world.acknowledge("match", id=match_id, need=answer.data["need"], quantity=1)
    return True


@action("need.edit", 1)
def edit_need(client, world) -> bool:
    """A requester corrects their need: sometimes a lower quantity, which must never fall below what is claimed
    (the invariants below check the quantities and the status after every such race with claims)."""
    with world.lock:
        mine = sorted(_notes(world)["my_needs"][client.person.pk])
    if not mine:
        return False
    need_id = client.rng.choice(mine)
    body = client.rng.choice([{"quantity": client.rng.randint(1, 4)}, {"urgency": client.rng.choice(URGENCIES)},
                              {"title": client.rng.choice(TITLES)}])
    answer = client.api("need.edit", "PATCH", f"/needs/{need_id}", body)
    if answer.status in (404, 409):
        with world.lock:
            _notes(world)["my_needs"][client.person.pk].discard(need_id)
    return True


@action("need.cancel", 0.7)
def cancel_need(client, world) -> bool:
    with world.lock:
        mine = sorted(_notes(world)["my_needs"][client.person.pk])
    if not mine:
        return False
    need_id = client.rng.choice(mine)
    answer = client.api("need.cancel", "POST", f"/needs/{need_id}/cancel", {"reason": "Sorted it out myself."})
    if answer.status == 200:
        world.acknowledge("need_cancelled", id=need_id)
    if answer.status in (200, 404, 409):
        with world.lock:
            notes = _notes(world)
            notes["my_needs"][client.person.pk].discard(need_id)
            for needs in notes["needs"].values():
                needs.pop(need_id, None)
    return True


# --- Invariants -----------------------------------------------------------------------------------


@invariant("no unit of a need claimed twice")
def needs_add_up() -> list[str]:
    """Per need: live + completed matches == quantity_claimed <= quantity; completed == quantity_fulfilled."""
    from django.db.models import Q, Sum

    from .models import Match, Need

    problems = []
    needs = Need.objects.annotate(
        held=Sum("matches__quantity", filter=Q(matches__status__in=[*Match.LIVE, Match.Status.COMPLETED]),
                 default=0),
        done=Sum("matches__quantity", filter=Q(matches__status=Match.Status.COMPLETED), default=0),
    ).values_list("public_id", "quantity", "quantity_claimed", "quantity_fulfilled", "held", "done")
    for public_id, quantity, claimed, fulfilled, held, done in needs:
        if held != claimed:
            problems.append(f"need {public_id}: matches hold {held} but quantity_claimed is {claimed}")
        if claimed > quantity:
            problems.append(f"need {public_id}: {claimed} claimed of {quantity}")
        if done != fulfilled:
            problems.append(f"need {public_id}: completed matches hold {done} but quantity_fulfilled is {fulfilled}")
        if fulfilled > claimed:
            problems.append(f"need {public_id}: {fulfilled} fulfilled but only {claimed} claimed")
    return problems


@invariant("no offer committed beyond its quantity")
def offers_add_up() -> list[str]:
    from django.db.models import Q, Sum

    from .models import Match, Offer

    problems = []
    offers = Offer.objects.annotate(
        held=Sum("matches__quantity", filter=Q(matches__status__in=[*Match.LIVE, Match.Status.COMPLETED]),
                 default=0),
    ).values_list("public_id", "quantity", "quantity_committed", "held", "status")
    for public_id, quantity, committed, held, status in offers:
        if held != committed:
            problems.append(f"offer {public_id}: matches hold {held} but quantity_committed is {committed}")
        if committed > quantity:
            problems.append(f"offer {public_id}: {committed} committed of {quantity}")
        if status == Offer.Status.EXHAUSTED and committed < quantity:
            problems.append(f"offer {public_id}: exhausted with {quantity - committed} left")
    return problems


@invariant("a need's status follows its quantities; closed needs hold no live match")
def need_status_consistent() -> list[str]:
    from .models import Match, Need

    problems = []
    live = set(Match.objects.filter(status__in=Match.LIVE).values_list("need_id", flat=True))
    for pk, public_id, status, quantity, claimed, fulfilled in Need.objects.values_list(
            "pk", "public_id", "status", "quantity", "quantity_claimed", "quantity_fulfilled"):
        if status in (Need.Status.OPEN, Need.Status.PARTLY_MATCHED, Need.Status.MATCHED, Need.Status.FULFILLED):
            expected = (Need.Status.OPEN if claimed == 0 else Need.Status.PARTLY_MATCHED if claimed < quantity
                        else Need.Status.FULFILLED if fulfilled >= quantity else Need.Status.MATCHED)
            if status != expected:
                problems.append(f"need {public_id}: status {status}, its quantities say {expected}")
        if status in Need.CLOSED and pk in live:
            problems.append(f"need {public_id}: {status} but a match on it is still live")
    return problems


# --- What a crash must not lose -------------------------------------------------------------------


def _missing(model, ids: list[str], **expect) -> list[str]:
    found = dict(model.objects.filter(public_id__in=ids).values_list("public_id", "status"))
    found = {str(k): v for k, v in found.items()}
    problems = []
    for public_id in ids:
        if public_id not in found:
            problems.append(f"{model.__name__.lower()} {public_id} was acknowledged but is missing")
        elif expect and found[public_id] != expect["status"]:
            problems.append(f"{model.__name__.lower()} {public_id}: acknowledged as {expect['status']}, "
                            f"stored {found[public_id]}")
    return problems


@durable("need")
def needs_kept(acks: list[dict]) -> list[str]:
    from .models import Need

    return _missing(Need, [a["id"] for a in acks])


@durable("need_cancelled")
def need_cancellations_kept(acks: list[dict]) -> list[str]:
    from .models import Need

    return _missing(Need, [a["id"] for a in acks], status=Need.Status.CANCELLED)


@durable("offer")
def offers_kept(acks: list[dict]) -> list[str]:
    from .models import Offer

    return _missing(Offer, [a["id"] for a in acks])


@durable("match")
def matches_kept(acks: list[dict]) -> list[str]:
    from .models import Match

    return _missing(Match, [a["id"] for a in acks])


@durable("match_message")
def messages_kept(acks: list[dict]) -> list[str]:
    from .models import MatchMessage

    found = {str(pk) for pk in MatchMessage.objects.filter(public_id__in=[a["id"] for a in acks])
             .values_list("public_id", flat=True)}
    return [f"message {a['id']} was acknowledged but is missing" for a in acks if a["id"] not in found]


@invariant("every message on a match is by one of its sides or by a coordinator of its group")
def messages_by_those_who_may() -> list[str]:
    from mutualaid.audit.models import AuditEntry
    from mutualaid.networks.models import Membership

    from .models import MatchMessage

    held_role = set(AuditEntry.objects.filter(object_type="networks.membership", after__role="coordinator")
                    .values_list("object_id", flat=True))
    coordinators = {(g, u) for g, u, public_id in Membership.objects.values_list("group_id", "user_id", "public_id")
                    if str(public_id) in held_role}
    problems = []
    for pk, author, helper, requester, creator, group in MatchMessage.objects.values_list(
            "pk", "author_id", "match__helper_id", "match__need__requester_id", "match__need__created_by_id",
            "match__need__group_id"):
        if author in (helper, requester) or (requester is None and author == creator):
            continue
        if (group, author) not in coordinators:
            problems.append(f"message {pk} on a match was written by user {author}, neither a side nor a coordinator")
    return problems


@durable("match_completed")
def completions_kept(acks: list[dict]) -> list[str]:
    from .models import Match

    return _missing(Match, [a["id"] for a in acks], status=Match.Status.COMPLETED)


@durable("match_cancelled")
def match_cancellations_kept(acks: list[dict]) -> list[str]:
    from .models import Match

    return _missing(Match, [a["id"] for a in acks], status=Match.Status.CANCELLED)
