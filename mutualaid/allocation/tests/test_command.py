"""`mutualaid allocate`: the file contract, refusals that name the record, and no Django on the way."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest

from mutualaid import cli

VALID = {
    "needs": [
        {"id": "n1", "group": "north", "category": "food", "quantity": 3, "urgency": "critical", "lat": 40.0,
         "lon": -3.0, "max_distance_km": 5},
        {"id": "n2", "group": "south", "category": "food", "quantity": 2, "urgency": "low", "lat": 40.01,
         "lon": -3.0},
        {"id": "n3", "group": "south", "category": "transport", "quantity": 1, "urgency": "high", "lat": 40.0,
         "lon": -3.0},
    ],
    "offers": [
        {"id": "o1", "group": "north", "category": "food", "quantity": 4, "lat": 40.005, "lon": -3.0,
         "max_distance_km": 3},
    ],
    "policy": {"urgency_weights": {"critical": 100}, "distance_penalty_per_km": 0.1, "cross_group": True},
}
SUMMARY_KEYS = {"method", "score", "needs", "needs_fully_met", "critical_needs_without_help", "units_requested",
                "units_allocated", "weighted_fulfilment", "by_urgency", "by_group", "min_group_fill", "jain_index",
                "total_distance_km", "seconds"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mutualaid.cli", "allocate", *args], capture_output=True, text=True,
                          timeout=120)


def test_it_round_trips_a_file(tmp_path):
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(VALID))
    done = run(str(src), "-o", str(out))
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert set(data) == {"allocations", "unmet", "summary"}
    assert set(data["summary"]) == SUMMARY_KEYS
    assert {(a["need"], a["offer"], a["quantity"]) for a in data["allocations"]} == {("n1", "o1", 3), ("n2", "o1", 1)}
    assert all(set(a) == {"need", "offer", "quantity", "distance_km", "score"} for a in data["allocations"])
    assert data["unmet"] == [{"need": "n2", "quantity": 1}, {"need": "n3", "quantity": 1}]
    assert data["summary"]["units_requested"] == 6 and data["summary"]["units_allocated"] == 4
    assert sorted(os.listdir(tmp_path)) == ["in.json", "out.json"]


@pytest.mark.parametrize("method", ["greedy-fcfs", "greedy-urgency"])
def test_it_writes_to_stdout_and_runs_the_baselines(tmp_path, method, capsys):
    src = tmp_path / "in.json"
    src.write_text(json.dumps(VALID))
    assert cli.main(["allocate", str(src), "--method", method]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["method"] == method


def test_the_engine_imports_no_django():
    code = "import mutualaid.allocation, sys; assert not any(m.startswith('django') for m in sys.modules), 'django'"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_command_imports_no_django_and_needs_no_database(tmp_path):
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(VALID))
    code = ("import sys; from mutualaid import cli; rc = cli.main(['allocate', sys.argv[1], '-o', sys.argv[2]]); "
            "assert rc == 0; assert not any(m.startswith('django') for m in sys.modules), 'django imported'")
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    done = subprocess.run([sys.executable, "-c", code, str(src), str(out)], capture_output=True, text=True,
                          timeout=60, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["summary"]["units_allocated"] == 4


def broken(path: str, value):
    data = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is KeyError:
        del node[int(last) if last.isdigit() else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return json.dumps(data)


REFUSALS = [
    (broken("needs.1.urgency", "urgent"), "needs[1] (id 'n2'): unknown urgency 'urgent'"),
    (broken("needs.2.lat", KeyError), "needs[2] (id 'n3'): missing field 'lat'"),
    (broken("needs.0.id", KeyError), "needs[0]: missing field 'id'"),
    (broken("offers.0.quantity", -1), "offers[0] (id 'o1'): negative quantity -1"),
    (broken("needs.0.quantity", 1.5), "needs[0] (id 'n1'): quantity must be a whole number"),
    (broken("needs.2.id", "n1"), "needs[2] (id 'n1'): duplicate id 'n1'"),
    (broken("needs.1.lat", 91), "needs[1] (id 'n2'): lat 91 out of range"),
    (broken("offers.0.lon", -180.5), "offers[0] (id 'o1'): lon -180.5 out of range"),
    (broken("offers.0.lat", "north"), "offers[0] (id 'o1'): lat must be a number"),
    (broken("offers.0.max_distance_km", -2), "offers[0] (id 'o1'): max_distance_km must be a number >= 0"),
    (broken("offers.0.category", KeyError), "offers[0] (id 'o1'): missing field 'category'"),
    (broken("needs.0.group", None), "needs[0] (id 'n1'): group must be a non-empty string"),
    (broken("needs.1", "n2"), "needs[1]: must be an object"),
    (broken("offers", KeyError), "missing field 'offers'"),
    (broken("policy.urgency_weights", {"urgent": 5}), "policy: urgency_weights: unknown urgency 'urgent'"),
    (broken("policy.fairness", "equal"), "policy: unknown fairness 'equal'"),
    (broken("policy.cross_group", "no"), "policy: cross_group must be true or false"),
    (broken("policy.distance_penalty_per_km", -0.1), "policy: distance_penalty_per_km must be a number >= 0"),
    ('{"needs": [', "not valid JSON: line 1 column 12"),
    ("[1, 2]", "the input must be a JSON object"),
]


@pytest.mark.parametrize("text, message", REFUSALS, ids=[m for _, m in REFUSALS])
def test_it_refuses_bad_input_naming_the_record(tmp_path, capsys, text, message):
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(text)
    assert cli.main(["allocate", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("mutualaid allocate: error: ")
    assert sorted(os.listdir(tmp_path)) == ["in.json"]


def test_it_refuses_a_missing_file_and_keeps_an_old_output(tmp_path, capsys):
    out = tmp_path / "out.json"
    out.write_text("old")
    assert cli.main(["allocate", str(tmp_path / "nope.json"), "-o", str(out)]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert out.read_text() == "old"


def test_a_refusal_in_a_subprocess_exits_2(tmp_path):
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(broken("needs.1.urgency", "urgent"))
    done = run(str(src), "-o", str(out))
    assert done.returncode == 2
    assert "needs[1] (id 'n2'): unknown urgency 'urgent'" in done.stderr
    assert not out.exists()


def test_an_unknown_method_is_a_usage_error(tmp_path):
    src = tmp_path / "in.json"
    src.write_text(json.dumps(VALID))
    with pytest.raises(SystemExit) as exit_:
        cli.main(["allocate", str(src), "--method", "random"])
    assert exit_.value.code == 2


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    from mutualaid.allocation import jsonio

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jsonio.json, "dump", boom)
    with pytest.raises(RuntimeError):
        jsonio.write_json({"a": 1}, str(tmp_path / "out.json"))
    assert os.listdir(tmp_path) == []
