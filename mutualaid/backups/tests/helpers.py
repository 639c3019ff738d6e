"""Snapshots of every table, and emptying the test database back to what `migrate` leaves."""
from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

from mutualaid.backups.archive import backed_up_models


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered by primary key, with every column's value."""
    tables = {}
    for model in backed_up_models():
        columns = [f.attname for f in model._meta.concrete_fields]
        tables[model._meta.label_lower] = list(
            model._base_manager.order_by(model._meta.pk.attname).values_list(*columns))
    return tables


class _SchemaEditorStub:
    """What a data migration's RunPython may ask of its schema editor: the connection it runs on."""

    connection = connection


def empty_database() -> None:
    """Delete every row, then replay what the migrations seed (content types, permissions, data migrations that are
    not elidable), so the database is as a fresh `mutualaid migrate` leaves it."""
    call_command("flush", interactive=False, verbosity=0)  # also recreates content types and permissions
    loader = MigrationLoader(connection)
    seen = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            if key in seen:
                continue
            seen.add(key)
            for operation in loader.graph.nodes[key].operations:
                # Elidable ones only move rows that existed before (a fresh database has none to move).
                if isinstance(operation, RunPython) and not operation.elidable:
                    operation.code(global_apps, _SchemaEditorStub())
