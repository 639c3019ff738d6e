"""Claims made at the same moment never over-claim a need or over-commit an offer.

Each test starts 20 threads behind a barrier; each thread has its own database connection (closed at the end).
On PostgreSQL the need and offer rows are locked; on SQLite every write transaction is IMMEDIATE (see settings).
"""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, transaction

from mutualaid.audit.services import verify_chain
from mutualaid.circulation import services
from mutualaid.circulation.services.common import _lock_need
from mutualaid.circulation.models import Match, Need, Offer
from mutualaid.core.errors import Conflict
from mutualaid.networks import services as networks
from mutualaid.networks.models import User

THREADS = 20

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(work) -> list[str]:
    """Run work(i) in THREADS threads started at once; return "ok", "conflict" or the unexpected error of each."""
    barrier = threading.Barrier(THREADS)
    results: list[str | None] = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(i)
            results[i] = "ok"
        except Conflict:
            results[i] = "conflict"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a claim hung"
    return results


@pytest.fixture
def pod(make_user):
    """A group with a requester and THREADS helpers."""
    requester = make_user("rosa")
    group = networks.group_create(actor=requester, name="Busy Pod")
    helpers = []
    for i in range(THREADS):
        helper = make_user(f"helper{i}")
        networks.group_join(actor=helper, group=group)
        helpers.append(helper.pk)
    return group, requester, helpers


def post_need(requester, group, quantity: int) -> Need:
    return services.need_create(actor=requester, group=group, title="Sandbags", category="other", quantity=quantity,
                                contact={"phone": "+34 600 111 222"})


def claim(need_pk: int, helper_pk: int, quantity: int = 1, offer_pk: int | None = None) -> None:
    # Each thread loads its own rows through its own connection.
    need = Need.objects.get(pk=need_pk)
    offer = Offer.objects.get(pk=offer_pk) if offer_pk else None
    services.match_claim(actor=User.objects.get(pk=helper_pk), need=need, quantity=quantity, offer=offer)


def test_only_one_of_twenty_gets_the_last_unit(pod):
    group, requester, helpers = pod
    need = post_need(requester, group, quantity=3)
    services.match_claim(actor=User.objects.get(pk=helpers[0]), need=need, quantity=2)

    results = run_together(lambda i: claim(need.pk, helpers[i]))

    assert Counter(results) == {"ok": 1, "conflict": THREADS - 1}, results
    need.refresh_from_db()
    assert (need.quantity_claimed, need.status) == (3, Need.Status.MATCHED)
    assert Match.objects.filter(need=need).count() == 2  # the earlier claim of two, and one of the twenty
    assert Match.objects.filter(need=need, quantity=1).count() == 1
    assert verify_chain().ok


def test_exactly_five_of_twenty_claim_a_need_of_five(pod):
    group, requester, helpers = pod
    need = post_need(requester, group, quantity=5)

    results = run_together(lambda i: claim(need.pk, helpers[i]))

    assert Counter(results) == {"ok": 5, "conflict": THREADS - 5}, results
    need.refresh_from_db()
    assert (need.quantity_claimed, need.status) == (5, Need.Status.MATCHED)
    assert Match.objects.filter(need=need).count() == 5
    assert verify_chain().ok


def test_an_offer_of_one_serves_only_one_of_two_needs(pod):
    group, requester, helpers = pod
    first, second = post_need(requester, group, quantity=5), post_need(requester, group, quantity=5)
    helper = User.objects.get(pk=helpers[0])
    offer = services.offer_create(actor=helper, group=group, title="My van, once", category="other", quantity=1)

    results = run_together(lambda i: claim((first, second)[i % 2].pk, helper.pk, offer_pk=offer.pk))

    assert Counter(results) == {"ok": 1, "conflict": THREADS - 1}, results
    offer.refresh_from_db()
    assert (offer.quantity_committed, offer.status) == (1, Offer.Status.EXHAUSTED)
    assert Match.objects.filter(offer=offer).count() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.quantity_claimed + second.quantity_claimed == 1
    assert verify_chain().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks exist on PostgreSQL only")
def test_a_claim_in_progress_does_not_block_the_rest_of_the_group(pod, make_user):
    """Locking a need must lock that row only: not its group, which every join, need and offer references."""
    group, requester, helpers = pod
    need = post_need(requester, group, quantity=1)
    locked, release = threading.Event(), threading.Event()

    def hold_the_need() -> None:
        try:
            with transaction.atomic():
                _lock_need(need)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_need)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        newcomer = make_user("nia")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        try:
            networks.group_join(actor=newcomer, group=group)
            services.need_create(actor=newcomer, group=group, title="Blankets", category="other", quantity=1)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")
    finally:
        release.set()
        holder.join(timeout=10)


def test_twenty_cancels_at_once_by_one_helper_pause_them_exactly_once(pod):
    """The count of a helper's cancels is read under the lock of their membership: cancels at the same moment on
    different needs (under different need locks) neither miss the pause nor open it twice."""
    from mutualaid.circulation.models import ClaimBlock

    group, requester, helpers = pod
    helper = User.objects.get(pk=helpers[0])
    matches = [services.match_claim(actor=helper, need=post_need(requester, group, quantity=1), quantity=1).pk
               for _ in range(THREADS)]

    def cancel(i: int) -> None:
        services.match_cancel(actor=User.objects.get(pk=helper.pk), match=Match.objects.get(pk=matches[i]),
                              reason="Something came up")

    assert Counter(run_together(cancel)) == {"ok": THREADS}
    assert ClaimBlock.objects.filter(group=group, user=helper, lifted_at__isnull=True).count() == 1
    assert verify_chain().ok
