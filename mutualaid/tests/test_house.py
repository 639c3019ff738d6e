"""The rules of the house that a grep can check (issue 10): networks names nothing of the apps above it, audit and
core name no domain at all, and no module reaches into Django's or django-ninja's private parts. Import directions
are checked by `make lint` (import-linter)."""
from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
CIRCULATION_WORDS = re.compile(r"\bneeds?\b|\boffers?\b|claims?\b|\bmatch(es)?\b|circulation|suggestion|allocation"
                               r"|\bboards?\b", re.IGNORECASE)
DOMAIN_WORDS = re.compile(r"\bgroups?\b|\bnetworks?\b|\bneeds?\b|\boffers?\b|\bclaims?\b|circulation",
                          re.IGNORECASE)
PRIVATE_APIS = re.compile(r"_prefetched_objects_cache|\.get_compiler\(|_get_urls\b|CompiledQuery")


def sources(app: str) -> list[Path]:
    return [p for p in (PACKAGE / app).rglob("*") if p.suffix in {".py", ".html", ".txt"}
            and "tests" not in p.parts and "migrations" not in p.parts]


def offending(paths: list[Path], pattern: re.Pattern) -> list[str]:
    return [f"{p.relative_to(PACKAGE)}:{n}: {line.strip()}" for p in paths
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]


def test_networks_names_nothing_of_circulation():
    assert offending(sources("networks"), CIRCULATION_WORDS) == []


def test_audit_and_core_name_no_domain():
    assert offending(sources("audit") + sources("core"), DOMAIN_WORDS) == []


def test_no_module_uses_a_private_api_of_django_or_ninja():
    everything = [p for p in PACKAGE.rglob("*.py") if "tests" not in p.parts and ".venv" not in p.parts]
    assert offending(everything, PRIVATE_APIS) == []
