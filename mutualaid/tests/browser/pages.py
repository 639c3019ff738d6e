"""A world to browse for the CSP and accessibility tests: the demo network, and the address of every main page."""
from __future__ import annotations

from django.conf import settings
from django.test import Client

from mutualaid.circulation import services as circulation
from mutualaid.front import demo
from mutualaid.circulation.models import Need, Offer
from mutualaid.networks.models import Area, Group, User


def demo_world() -> dict:
    """Loads the demo network; everyone follows the browser's language (the demo gives some people Spanish)."""
    demo.load()
    User.objects.update(language="")
    riverside = Group.objects.get(name="Riverside Pod")
    hillcrest = Group.objects.get(name="Hillcrest Commons")
    # A need with helpers, contact details and a coordinator's tools on its page.
    need = Need.objects.get(title="Nappies, size 4")
    amara = User.objects.get(username="amara")
    # An offer of Amara's, to correct on its form.
    offer = circulation.offer_create(actor=amara, group=riverside, title="Lifts in the van on Saturdays",
                                     category="transport", quantity=4, location_name="Riverside")
    return {"amara": amara, "gus": User.objects.get(username="gus"), "riverside": riverside, "hillcrest": hillcrest,
            "need": need, "match": need.matches.get(),  # Fatima's, with a conversation in which Amara coordinates
            "offer": offer, "proxy_need": Need.objects.get(title="Hot meals for an elderly neighbour"),
            "others_offer": Offer.objects.get(title="Fixing bikes and small repairs"),
            "area": Area.objects.filter(group=riverside).order_by("name").first()}


def public_pages(world: dict) -> dict[str, str]:
    return {
        "home": "/",
        "log in": "/login/",
        "sign up": "/signup/",
        "forgot password": "/account/password/reset/",
        "reset link sent": "/account/password/reset/sent/",
        "reset link that no longer works": "/account/password/reset/MTIz/x-y/",
        "password reset done": "/account/password/reset/done/",
        "groups": "/groups/",
        "map (groups only)": "/map/",
        "group page (not a member)": f"/groups/{world['riverside'].public_id}/",
        "closed group page": f"/groups/{world['hillcrest'].public_id}/",
        "404": "/no-such-page/",
    }


def coordinator_pages(world: dict) -> dict[str, str]:
    """Pages for Amara, coordinator of Riverside Pod."""
    group = world["riverside"].public_id
    return {
        "home": "/",
        "groups": "/groups/",
        "map": "/map/",
        "group page and board": f"/groups/{group}/",
        "board, filtered": f"/groups/{group}/board/?urgency=high",
        "board, searched": f"/groups/{group}/board/?q=groceries",
        "need page": f"/needs/{world['need'].public_id}/",
        "need page, marking a duplicate": f"/needs/{world['need'].public_id}/duplicate/",
        "need page, referring it": f"/needs/{world['need'].public_id}/refer/",
        "a match's conversation": f"/matches/{world['match'].public_id}/",
        "change a need (entered for a neighbour)": f"/needs/{world['proxy_need'].public_id}/edit/",
        "change an offer": f"/offers/{world['offer'].public_id}/edit/",
        "an offer's page (her own)": f"/offers/{world['offer'].public_id}/",
        "an offer's page (I'd like this)": f"/offers/{world['others_offer'].public_id}/",
        "needs": "/needs/",
        "post a need": f"/groups/{group}/needs/new/",
        "post an offer": f"/groups/{group}/offers/new/",
        "members": f"/groups/{group}/members/",
        "areas (naming one on the map)": f"/groups/{group}/areas/",
        "change an area": f"/areas/{world['area'].public_id}/edit/",
        "applications (none)": f"/groups/{group}/applications/",
        "my matches": "/me/matches/",
        "my posts": "/me/posts/",
        "notifications": "/notifications/",
        "settings": "/settings/",
        "new group": "/groups/new/",
        "apply to a closed group": f"/groups/{world['hillcrest'].public_id}/apply/",
        "needs I could meet": "/me/suggestions/",
        "group allocation": f"/groups/{group}/allocation/",
        "network allocation": "/allocation/",
        "delete my account": "/account/delete/",
        "change password": "/account/password/",
        "API tokens": "/account/tokens/",
        "404": f"/needs/{world['riverside'].public_id}/",
    }


def applicant_pages(world: dict) -> dict[str, str]:
    """Pages for Gus, coordinator of Hillcrest Commons, which has an application waiting."""
    return {"applications (one waiting)": f"/groups/{world['hillcrest'].public_id}/applications/"}


def sign_in(context, user, base_url: str) -> None:
    """Give a browser context the session of `user`, as logging in would."""
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base_url}])


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Log in through the log-in page, as a person does."""
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)
