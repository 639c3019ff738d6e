"""The JSON file formats of `mutualaid allocate`, and the checks that name the offending record.

IN:  {"needs": [{"id", "group", "category", "quantity", "urgency", "lat", "lon", "max_distance_km"?}],
      "offers": [{"id", "group", "category", "quantity", "lat", "lon", "max_distance_km"?}],
      "policy": {"urgency_weights"?, "distance_penalty_per_km"?, "cross_group"?, "fairness"?}}
OUT: {"allocations": [{"need", "offer", "quantity", "distance_km", "score"}], "unmet": [{"need", "quantity"}],
      "summary": {...}}

Ids are strings or integers and are echoed back as given; extra fields on a record are ignored.
"""
from __future__ import annotations

import json
import math
import os
import tempfile

from .model import DEFAULT_DISTANCE_PENALTY_PER_KM, DEFAULT_URGENCY_WEIGHTS, URGENCIES, Need, Offer, Policy, Problem


class InputError(ValueError):
    """Bad input; the message names the offending record."""


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _record_head(kind: str, index: int, rec, seen: set) -> tuple[str, str, str, str]:
    """What every need and offer record starts with: an object with a new id, a group and a category."""
    where = _label(kind, index, rec)
    if not isinstance(rec, dict):
        raise InputError(f"{where}: must be an object")
    ident = _text(where, rec, "id")
    if ident in seen:
        raise InputError(f"{where}: duplicate id {ident!r}")
    seen.add(ident)
    return where, ident, _text(where, rec, "group"), _text(where, rec, "category")


def _label(kind: str, index: int, record) -> str:
    if isinstance(record, dict) and isinstance(record.get("id"), (str, int)) and not isinstance(record.get("id"), bool):
        return f"{kind}[{index}] (id {record['id']!r})"
    return f"{kind}[{index}]"


def _text(where: str, rec: dict, name: str) -> str | int:
    if name not in rec:
        raise InputError(f"{where}: missing field {name!r}")
    value = rec[name]
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        raise InputError(f"{where}: {name} must be a non-empty string, not {value!r}")
    return value


def _quantity(where: str, rec: dict) -> int:
    if "quantity" not in rec:
        raise InputError(f"{where}: missing field 'quantity'")
    value = rec["quantity"]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{where}: quantity must be a whole number, not {value!r}")
    if value < 0:
        raise InputError(f"{where}: negative quantity {value}")
    return value


def _coordinate(where: str, rec: dict, name: str, limit: float) -> float:
    if name not in rec:
        raise InputError(f"{where}: missing field {name!r}")
    value = rec[name]
    if not _is_number(value):
        raise InputError(f"{where}: {name} must be a number, not {value!r}")
    if not -limit <= value <= limit:
        raise InputError(f"{where}: {name} {value} out of range [-{limit:g}, {limit:g}]")
    return float(value)


def _radius(where: str, rec: dict) -> float | None:
    value = rec.get("max_distance_km")
    if value is None:
        return None
    if not _is_number(value) or value < 0:
        raise InputError(f"{where}: max_distance_km must be a number >= 0 or null, not {value!r}")
    return float(value)


def parse_policy(data) -> Policy:
    if data is None:
        return Policy()
    if not isinstance(data, dict):
        raise InputError("policy: must be an object")
    weights = dict(DEFAULT_URGENCY_WEIGHTS)
    given = data.get("urgency_weights")
    if given is not None:
        if not isinstance(given, dict):
            raise InputError("policy: urgency_weights must be an object")
        for name, value in given.items():
            if name not in URGENCIES:
                raise InputError(f"policy: urgency_weights: unknown urgency {name!r}")
            if not _is_number(value) or value < 0:
                raise InputError(f"policy: urgency_weights[{name!r}] must be a number >= 0, not {value!r}")
            weights[name] = float(value)
    penalty = data.get("distance_penalty_per_km")
    if penalty is None:
        penalty = DEFAULT_DISTANCE_PENALTY_PER_KM
    elif not _is_number(penalty) or penalty < 0:
        raise InputError(f"policy: distance_penalty_per_km must be a number >= 0, not {penalty!r}")
    cross = data.get("cross_group", True)
    if cross is None:
        cross = True
    if not isinstance(cross, bool):
        raise InputError(f"policy: cross_group must be true or false, not {cross!r}")
    fairness = data.get("fairness")
    if fairness in ("none", ""):
        fairness = None
    if fairness not in (None, "maxmin"):
        raise InputError(f"policy: unknown fairness {fairness!r} (expected \"maxmin\" or null)")
    return Policy(urgency_weights=weights, distance_penalty_per_km=float(penalty), cross_group=cross,
                  fairness=fairness)


def parse_problem(data) -> Problem:
    """Check and convert the decoded IN.json; raises InputError naming the first offending record."""
    if not isinstance(data, dict):
        raise InputError("the input must be a JSON object with 'needs' and 'offers'")
    for kind in ("needs", "offers"):
        if kind not in data:
            raise InputError(f"missing field {kind!r}")
        if not isinstance(data[kind], list):
            raise InputError(f"{kind} must be a list")
    policy = parse_policy(data.get("policy"))
    needs: list[Need] = []
    seen: set = set()
    for index, rec in enumerate(data["needs"]):
        where, ident, group, category = _record_head("needs", index, rec, seen)
        quantity = _quantity(where, rec)
        if "urgency" not in rec:
            raise InputError(f"{where}: missing field 'urgency'")
        urgency = rec["urgency"]
        if urgency not in URGENCIES:
            raise InputError(f"{where}: unknown urgency {urgency!r} (expected one of {', '.join(URGENCIES)})")
        needs.append(Need(ident, group, category, quantity, urgency, _coordinate(where, rec, "lat", 90),
                          _coordinate(where, rec, "lon", 180), _radius(where, rec)))
    offers: list[Offer] = []
    seen = set()
    for index, rec in enumerate(data["offers"]):
        where, ident, group, category = _record_head("offers", index, rec, seen)
        offers.append(Offer(ident, group, category, _quantity(where, rec), _coordinate(where, rec, "lat", 90),
                            _coordinate(where, rec, "lon", 180), _radius(where, rec)))
    return Problem(needs, offers, policy)


def read_problem(path: str) -> Problem:
    try:
        with open(path, "rb") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    return parse_problem(data)


def write_json(data: dict, path: str) -> None:
    """Write atomically: a temporary file beside the target, then os.replace; nothing half-written is left."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temp = tempfile.mkstemp(prefix=".allocate-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
            out.write("\n")
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
