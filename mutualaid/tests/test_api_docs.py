"""The API's own page says what it is, which release it belongs to, and links back to the site."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_docs_say_what_the_api_is_and_link_back_to_the_site(client):
    info = client.get("/api/v1/openapi.json").json()["info"]
    assert info["title"] == "Mutual Aid Network API"
    assert info["version"].startswith("v1 (Mutual Aid Network ") and info["version"] != "1"
    assert "[Back to the site](/)" in info["description"] and "If-None-Match" in info["description"]
