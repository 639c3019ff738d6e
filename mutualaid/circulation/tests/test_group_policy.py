"""A group's circulation rules live in circulation (GroupPolicy), not on networks' Group."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("circulation", "0008_allocation_runs"), ("networks", "0011_signed_in_sessions")]
AFTER = [("circulation", "0009_group_policy"), ("networks", "0012_newcomer_claims_setting_moved")]


@pytest.mark.django_db(transaction=True)
def test_the_newcomer_claims_setting_moves_to_circulation_with_its_value():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    network = old.get_model("networks", "Network").objects.create(name="N")
    Group = old.get_model("networks", "Group")
    Group.objects.create(network=network, name="Lets newcomers confirm", newcomer_claims_confirm=True)
    Group.objects.create(network=network, name="Default", newcomer_claims_confirm=False)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    policies = new.get_model("circulation", "GroupPolicy").objects.filter(newcomer_claims_confirm=True)
    assert [p.group.name for p in policies] == ["Lets newcomers confirm"]
    assert "newcomer_claims_confirm" not in {f.name for f in new.get_model("networks", "Group")._meta.fields}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # the rest, as the suite expects
