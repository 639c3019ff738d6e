"""The interface in Spanish: a complete catalogue, and pages, messages and errors that actually show it."""
from __future__ import annotations

import re
import runpy
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from mutualaid.networks.models import Notification
from mutualaid.networks.selectors import notification_text
from mutualaid.networks import notices as networks_notices
from mutualaid.circulation import notices as circulation_notices

REPO = Path(__file__).resolve().parents[2]
PO_PATH = REPO / "mutualaid" / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")


def compile_catalogues() -> bool:
    """Build the .mo files the way `make setup` does (the same script); True if one was (re)written."""
    before = MO_PATH.stat().st_mtime_ns if MO_PATH.exists() else None
    runpy.run_path(str(REPO / "scripts" / "compile_messages.py"), run_name="__main__")
    return MO_PATH.exists() and MO_PATH.stat().st_mtime_ns != before


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue():
    """The .mo is gitignored: compile it if it is missing or older than the .po, and make Django reload it."""
    if compile_catalogues():
        from django.utils.translation import trans_real

        # A catalogue loaded earlier in this process (before the .mo existed) would be cached without Spanish.
        trans_real._translations = {}
        trans_real._default = None
    yield


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """The language middleware activates a language on the test thread; don't let Spanish leak into other tests."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def spanish(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    return client


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def assert_in_spanish(html: str, spanish_texts: list[str], english_texts: list[str]) -> None:
    missing = [text for text in spanish_texts if text not in html]
    leftover = [text for text in english_texts if text in html]
    assert not missing, f"Spanish text missing from the page: {missing}"
    assert not leftover, f"English text still on the page: {leftover}"
    assert '<html lang="es">' in html


# --- (a) The catalogue is complete -----------------------------------------------------------------

PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def placeholders(text: str) -> list[str]:
    return sorted(p for p in PLACEHOLDER.findall(text) if p != "%%")


def test_the_spanish_catalogue_has_every_entry_translated():
    po = polib.pofile(str(PO_PATH))
    assert po.metadata.get("Language") == "es"
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=2;plural=(n!=1);"
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"untranslated entries: {untranslated}"
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert len(po.translated_entries()) > 400


def test_every_translation_keeps_the_placeholders_of_its_msgid():
    po = polib.pofile(str(PO_PATH))
    offending = []
    for entry in po:
        if entry.obsolete:
            continue
        python_format = "python-format" in entry.flags
        if entry.msgid_plural:
            pairs = [(entry.msgid if index == 0 else entry.msgid_plural, text)
                     for index, text in sorted(entry.msgstr_plural.items())]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translated in pairs:
            if python_format and placeholders(source) != placeholders(translated):
                offending.append(entry.msgid)
            if not python_format and placeholders(translated):
                offending.append(entry.msgid)  # a stray % in a plain string would break when formatted
            if source.endswith("\n") != translated.endswith("\n") or source[:1].isspace() != translated[:1].isspace():
                offending.append(entry.msgid)
    assert not offending, f"translations that do not keep the placeholders or whitespace of: {sorted(set(offending))}"


def test_the_compiled_catalogue_is_up_to_date():
    assert MO_PATH.exists() and MO_PATH.stat().st_mtime >= PO_PATH.stat().st_mtime
    with translation.override("es"):
        assert translation.gettext("Ask for help") == "Pedir ayuda"


# --- (b) Pages in Spanish, chosen by the browser --------------------------------------------------

@pytest.mark.django_db
def test_the_home_page_follows_a_spanish_browser(client):
    html = page(spanish(client), reverse("home"))
    assert_in_spanish(html, ["Vecinas y vecinos que se ayudan", "Cómo funciona", "Ver los grupos locales",
                             "Iniciar sesión", "Registrarse", "Solidaridad, no caridad."],
                      ["Neighbours helping neighbours", "How it works", "See the local groups", "Sign up",
                       "Solidarity, not charity."])


@pytest.mark.django_db
def test_an_english_browser_still_gets_english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = page(client, reverse("home"))
    assert "Neighbours helping neighbours" in html and "Vecinas y vecinos" not in html


@pytest.mark.django_db
def test_login_and_signup_in_spanish(client):
    spanish(client)
    assert_in_spanish(page(client, reverse("login")),
                      ["Qué bien verte de nuevo.", "Nombre de usuario", "Contraseña", "Crea una cuenta"],
                      ["Welcome back.", "User name", "Create an account", "it takes a minute"])
    assert_in_spanish(page(client, reverse("signup")),
                      ["Crea tu cuenta", "Sobre ti", "Repite la contraseña", "Crear mi cuenta",
                       "Solo se usa para enviarte tus notificaciones."],
                      ["Create your account", "About you", "Password, again", "Create my account",
                       "Only used to send you your notifications."])


@pytest.mark.django_db
def test_wrong_password_is_told_in_spanish(client, member):
    response = spanish(client).post(reverse("login"), {"username": "mateo", "password": "not-the-password"})
    html = response.content.decode()
    assert "Ese nombre de usuario y esa contraseña no coinciden." in html
    assert "do not match" not in html


@pytest.mark.django_db
def test_the_group_list_in_spanish(client, group):
    html = page(spanish(client), reverse("group_list"))
    assert_in_spanish(html, ["Grupos locales", "Northside Pod", "2 integrantes", "Entrada libre"],
                      ["Local groups", "2 members", "Open to join", "Log in to join"])


@pytest.mark.django_db
def test_the_group_page_and_board_for_a_member_in_spanish(client, member, group, need):
    client.force_login(member)
    spanish(client)
    for name in ("group_detail", "group_board"):
        html = page(client, reverse(name, args=[group.public_id]))
        assert_in_spanish(html, ["Pedir ayuda", "Ofrecer ayuda", "Necesidades", "Ofertas", "Integrantes",
                                 "1 necesidad, las más urgentes primero", "Formas parte del grupo",
                                 "Compra de alimentos", "Todavía faltan 3 de 3 bolsas", "Alta",
                                 "Todavía no hay ofertas activas.", "Filtrar"],
                          ["Ask for help", "Offer help", "most urgent first", "You are a member",
                           "<span>Groceries</span>", "still needed", "No active offers yet."])


@pytest.mark.django_db
def test_the_need_page_in_spanish(client, member, need):
    client.force_login(member)
    html = page(spanish(client), reverse("need_detail", args=[need.public_id]))
    assert_in_spanish(html, ["Urgencia: Alta", "Cantidad pedida", "Puedo ayudar", "Sí, me encargo yo",
                             "Todavía nadie se ha ofrecido a ayudar con esto.", "Abierta"],
                      ["High urgency", "Asked for", "I can help", "Yes, I will bring it",
                       "No one has offered to help with this yet."])


@pytest.mark.django_db
def test_the_post_a_need_form_in_spanish(client, member, group):
    client.force_login(member)
    html = page(spanish(client), reverse("need_create", args=[group.public_id]))
    assert_in_spanish(html, ["¿Qué hace falta?", "Contacto (privado)", "Publicar mi necesidad", "Elige una categoría",
                             "Notas para la persona que ayuda", "Crítica"],
                      ["What is needed?", "Contact (private)", "Post my need", "Choose a category",
                       "Notes for the helper", "Critical"])


# --- (c) The member's own setting beats the browser -----------------------------------------------


@pytest.mark.django_db
def test_a_member_who_chose_spanish_gets_it_with_an_english_browser(client, member, group):
    member.language = "es"
    member.save(update_fields=["language"])
    client.force_login(member)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
    html = page(client, reverse("group_detail", args=[group.public_id]))
    assert_in_spanish(html, ["Pedir ayuda", "Ofrecer ayuda"], ["Ask for help", "Offer help"])


@pytest.mark.django_db
def test_a_member_who_chose_english_gets_it_with_a_spanish_browser(client, member, group):
    member.language = "en"
    member.save(update_fields=["language"])
    client.force_login(member)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es-ES,es;q=0.9"
    html = page(client, reverse("group_detail", args=[group.public_id]))
    assert '<html lang="en">' in html
    assert "Ask for help" in html and "Offer help" in html
    assert "Pedir ayuda" not in html and "Ofrecer ayuda" not in html


@pytest.mark.django_db
def test_a_member_without_a_setting_follows_the_browser(client, member, group):
    client.force_login(member)
    html = page(spanish(client), reverse("group_detail", args=[group.public_id]))
    assert "Pedir ayuda" in html and "Ask for help" not in html


# --- (d) Notifications ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind, params, expected", [
    (circulation_notices.MATCH_CLAIMED, {"helper": "mateo", "quantity": 2, "need": "Pan"},
     "mateo llevará 2 para tu necesidad «Pan»."),
    (circulation_notices.SUGGESTIONS, {"group": "Norte", "count": 1},
     "Una persona coordinadora de Norte encontró una necesidad que tus ofertas podrían cubrir: 1 sugerencia espera "
     "tu sí o tu no."),
    (circulation_notices.SUGGESTIONS, {"group": "Norte", "count": 3},
     "Una persona coordinadora de Norte encontró necesidades que tus ofertas podrían cubrir: 3 sugerencias esperan "
     "tu sí o tu no."),
    (circulation_notices.MATCH_COMPLETED, {"need": "Pan"}, "La ayuda con «Pan» se ha completado. ¡Gracias!"),
    (circulation_notices.MATCH_CANCELLED, {"need": "Pan", "reason": "me puse mala"},
     "La ayuda con «Pan» se ha cancelado: me puse mala"),
    (networks_notices.APPLICATION_DECIDED, {"group": "Northside Pod", "status": "accepted", "reason": ""},
     "Tu solicitud para unirte a Northside Pod ha sido aceptada."),
    (networks_notices.APPLICATION_DECIDED, {"group": "Northside Pod", "status": "declined", "reason": "lejos"},
     "Tu solicitud para unirte a Northside Pod ha sido rechazada."),
    (networks_notices.APPLICATION_RECEIVED, {"group": "Northside Pod", "applicant": "nadia"},
     "nadia ha solicitado unirse a Northside Pod."),
    (networks_notices.ROLE_CHANGED, {"group": "Northside Pod", "role": "coordinator"},
     "Tu rol en Northside Pod ahora es: persona coordinadora."),
    (networks_notices.ROLE_CHANGED, {"group": "Northside Pod", "role": "newcomer"},
     "Tu rol en Northside Pod ahora es: recién llegado/a."),
])
def test_notifications_are_written_in_spanish(kind, params, expected):
    with translation.override("es"):
        assert notification_text(kind, params) == expected
    with translation.override("en"):
        assert notification_text(kind, params) != expected


def test_counted_texts_take_the_singular_for_one():
    with translation.override("en"):
        one = notification_text(circulation_notices.SUGGESTIONS, {"group": "Norte", "count": 1})
        assert "1 suggestion is waiting" in one and "(s)" not in one


@pytest.mark.django_db
def test_one_unit_left_is_singular_in_spanish(client, member, group):
    from mutualaid.circulation import services as circulation

    circulation.need_create(actor=member, group=group, title="Ride", category="transport", quantity=1)
    client.force_login(member)
    html = page(spanish(client), reverse("group_detail", args=[group.public_id]))
    assert "Todavía falta 1 de 1" in html and "Todavía faltan 1 de" not in html


@pytest.mark.django_db
def test_the_notifications_page_in_spanish(client, owner, member, group, need, django_capture_on_commit_callbacks):
    from mutualaid.circulation import services as circulation
    from mutualaid.networks import services as networks

    networks.trust_give(actor=owner, group=group, receiver=member)  # a member: the claim confirms at once
    with django_capture_on_commit_callbacks(execute=True):
        circulation.match_claim(actor=member, need=need, quantity=1)
    assert Notification.objects.filter(user=owner, kind=circulation_notices.MATCH_CLAIMED).exists()
    client.force_login(owner)
    html = page(spanish(client), reverse("notifications"))
    assert_in_spanish(html, ["Notificaciones", "Sin leer:",
                             "mateo llevará 1 para tu necesidad «Groceries for a family of four»."],
                      ["Mark all as read", "will bring 1 for your need"])
    # "ahora" or "hace 2 segundos", never "hace 0 minutos"
    assert "0\xa0minutos" not in html and "0 minutos" not in html


# --- (e) Form errors ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_form_error_is_shown_in_spanish(client, member, group):
    client.force_login(member)
    response = spanish(client).post(reverse("need_create", args=[group.public_id]), {
        "title": "Pañales", "category": "groceries", "quantity": "0", "urgency": "normal"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "La cantidad debe ser al menos 1." in html
    assert "Corrige los campos marcados abajo, por favor." in html
    assert "The quantity must be at least 1." not in html
    assert "Please correct the fields marked below." not in html
