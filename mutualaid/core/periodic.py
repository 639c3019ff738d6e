"""Periodic jobs: each app declares its own in its `jobs.py` (a name, the dotted path of a function taking no
arguments, how often), which `jobs()` finds in every installed app, and the worker runs every one of them from this
registry on django-q2, whose schedules and queue live in the database (no extra server, SQLite or PostgreSQL alike).

    periodic("lending.remind", "mutualaid.lending.services.loans_remind", minutes=60, says="reminded {} borrower(s)")

`mutualaid worker` writes the schedules and runs django-q2's cluster; `mutualaid worker --once` runs each job once,
in order, for cron or a test.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules, import_string

SCHEDULE_PREFIX = "mutualaid:"


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: str
    minutes: int
    says: str = "{}"  # how `worker --once` reports the function's result

    @property
    def schedule_name(self) -> str:
        return SCHEDULE_PREFIX + self.name


JOBS: dict[str, PeriodicJob] = {}


def periodic(name: str, func: str, *, minutes: int, says: str = "{}") -> PeriodicJob:
    """Declare a job (declaring a name again replaces it)."""
    if minutes < 1:
        raise ValueError(f"periodic job {name!r}: at least every minute")
    job = PeriodicJob(name, func, minutes, says)
    JOBS[name] = job
    return job


def jobs() -> list[PeriodicJob]:
    """Every job declared, by name: each app declares its own in its `jobs.py`, found by name here."""
    autodiscover_modules("jobs")
    return sorted(JOBS.values(), key=lambda job: job.name)


def schedule_all() -> list[str]:
    """Write one django-q2 schedule per declared job (and drop ours no longer declared). Returns their names."""
    from django_q.models import Schedule

    names = []
    for job in jobs():
        Schedule.objects.update_or_create(name=job.schedule_name, defaults={
            "func": job.func, "schedule_type": Schedule.MINUTES, "minutes": job.minutes, "repeats": -1})
        names.append(job.schedule_name)
    Schedule.objects.filter(name__startswith=SCHEDULE_PREFIX).exclude(name__in=names).delete()
    return names


def run_all_once() -> list[str]:
    """Run every declared job once, now, in this process; the report line of each."""
    return [job.says.format(import_string(job.func)()) for job in jobs()]
