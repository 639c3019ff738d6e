"""The load check's registry: what `bench/load.py` makes its simulated people do, and what must hold afterwards.

Each app contributes in one place, its own `loadcheck.py` module (found by `discover()` for every app in
INSTALLED_APPS), with four decorators:

    @seeder(order)            fn(world)          -> None   build the starting data through the services (in-process)
    @action(name, weight)     fn(client, world)  -> bool   one thing a person does over HTTP; False if it had
                                                            nothing to do (another action is drawn instead)
    @invariant(name)          fn()               -> list[str]  problems found in the database after the run
    @durable(kind)            fn(acks)           -> list[str]  acknowledged writes (client.world.acknowledge(kind,
                                                            ...)) missing after a crash and restart

A new capability (say, inventory) adds a `mutualaid/inventory/loadcheck.py` with its seeders, actions and
invariants; nothing else changes. The harness (HTTP clients, server process, scratch database, report) lives in
`mutualaid.loadcheck.harness`; this module imports no app.
"""
from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Action:
    name: str
    weight: float
    run: Callable[[Any, Any], bool]


@dataclass(frozen=True)
class Invariant:
    name: str
    check: Callable[[], list[str]]


@dataclass(frozen=True)
class Seeder:
    order: int
    name: str
    run: Callable[[Any], None]


ACTIONS: list[Action] = []
INVARIANTS: list[Invariant] = []
SEEDERS: list[Seeder] = []
DURABLE: dict[str, Callable[[list[dict]], list[str]]] = {}


def _replace(items: list, item) -> None:
    # Re-importing a module (tests, reloads) replaces its entries instead of doubling them.
    items[:] = [i for i in items if i.name != item.name]
    items.append(item)


def action(name: str, weight: float):
    def register(fn):
        _replace(ACTIONS, Action(name, weight, fn))
        return fn

    return register


def invariant(name: str):
    def register(fn):
        _replace(INVARIANTS, Invariant(name, fn))
        return fn

    return register


def seeder(order: int):
    def register(fn):
        _replace(SEEDERS, Seeder(order, f"{fn.__module__}.{fn.__name__}", fn))
        return fn

    return register


def durable(kind: str):
    def register(fn):
        DURABLE[kind] = fn
        return fn

    return register


def discover() -> None:
    """Import `<app>.loadcheck` for every installed app that has one (Django must be set up)."""
    from django.apps import apps

    for config in apps.get_app_configs():
        name = f"{config.name}.loadcheck"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def check_invariants() -> dict[str, list[str]]:
    """Run every registered invariant; returns {name: problems} (empty lists where all holds)."""
    results: dict[str, list[str]] = {}
    for inv in INVARIANTS:
        try:
            results[inv.name] = list(inv.check())
        except Exception as exc:  # noqa: BLE001 - a crashing check is a failed check, reported as such
            results[inv.name] = [f"the check itself failed: {type(exc).__name__}: {exc}"]
    return results


def check_durable(acks: dict[str, list[dict]]) -> dict[str, list[str]]:
    results: dict[str, list[str]] = {}
    for kind, rows in acks.items():
        check = DURABLE.get(kind)
        results[kind] = check(rows) if check else [f"no durability check registered for {kind!r}"]
    return results
