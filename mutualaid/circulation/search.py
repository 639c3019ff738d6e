"""Full-text search over needs and offers, by the words of their title and description, in the reader's language.

PostgreSQL: `to_tsvector(<config>, title || ' ' || description)` against a prefix `to_tsquery` (each word as typed,
stemmed by the config: 'english' for English, 'spanish' for Spanish, 'simple' otherwise), served by a GIN index on
that very expression for each language (migration 0014). SQLite: an FTS5 table per model (external content, kept by
triggers, Porter stemming with accents folded), its words matched as prefixes. Either way the search is a subquery
of the list's own query: one query, however many rows."""
from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import translation

from .models import Need, Offer

MAX_WORDS, MAX_WORD = 8, 40
CONFIGS = {"en": "english", "es": "spanish"}
_WORD = re.compile(r"\w+", re.UNICODE)


def fts_table(model) -> str:
    """The SQLite FTS5 table of a model's texts."""
    return f"{model._meta.db_table}_fts"


def words(query: str) -> list[str]:
    """The words of a search, lower-cased, at most MAX_WORDS of at most MAX_WORD characters: nothing else of what was
    typed (quotes, operators, brackets) reaches the database's query syntax."""
    return [w[:MAX_WORD] for w in _WORD.findall((query or "").lower())][:MAX_WORDS]


def config_for(language: str | None) -> str:
    return CONFIGS.get((language or "")[:2], "simple")


def matching(model: type[Need] | type[Offer], query: str, *, language: str | None = None) -> Q:
    """A filter for the rows of `model` whose title or description has every word of `query` (as a word's start);
    an empty query filters nothing."""
    terms = words(query)
    if not terms:
        return Q()
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        config = config_for(language or translation.get_language())
        sql = (f"SELECT id FROM {table} WHERE to_tsvector('{config}', title || ' ' || description) "  # noqa: S608
               f"@@ to_tsquery('{config}', %s)")
        return Q(pk__in=RawSQL(sql, [" & ".join(f"{t}:*" for t in terms)]))
    if connection.vendor == "sqlite":
        fts = fts_table(model)
        # The unary + keeps SQLite from driving the query from the index's matches (a primary-key lookup for each
        # of thousands of rows across every group): it walks the list's own index (the group's needs, in order) and
        # checks each against the matches, gathered once. At city scale: 6 ms for a board's page and count, not 30.
        sql = f'+"{table}"."id" IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)'  # noqa: S608
        return Q(RawSQL(sql, [" ".join(f'"{t}"*' for t in terms)], output_field=BooleanField()))
    found = Q()  # another database: every word in the title or the description, without an index
    for t in terms:
        found &= Q(title__icontains=t) | Q(description__icontains=t)
    return found
