"""`mutualaid tally IN.json [-o OUT.json]`: the file contract, refusals that exit 2 naming the ballot and write
nothing, and no Django or database on the way."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mutualaid import cli

CONSENT = {"method": "consent", "electorate": 5, "quorum": 0.5,
           "ballots": [{"choice": "consent", "voter": "ana"}, {"choice": "stand_aside", "voter": "ben",
                                                                  "reason": "I won't be there"},
                       {"choice": "consent", "voter": "cas"}]}


def test_it_reads_a_file_and_writes_the_result(tmp_path):
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(CONSENT))
    assert cli.main(["tally", str(src), "-o", str(out)]) == 0
    assert json.loads(out.read_text()) == {
        "method": "consent", "cast": 3, "electorate": 5, "quorum_needed": 3, "quorum_reached": True,
        "outcome": "passed", "counts": {"consent": 2, "stand_aside": 1, "object": 0}}
    assert sorted(os.listdir(tmp_path)) == ["in.json", "out.json"]  # no temporary file left behind


def test_it_reads_standard_input_and_writes_standard_output():
    done = subprocess.run([sys.executable, "-m", "mutualaid.cli", "tally", "-"], input=json.dumps(CONSENT),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outcome"] == "passed"


@pytest.mark.parametrize("text, message", [
    ('{"method": "consent", "electorate": 2, "ballots": [{"choice": "consent"}, {"choice": "nope"}]}',
     "ballot 2: unknown choice 'nope' for consent"),
    ('{"method": "consent", "electorate": 2, "ballots": [', "malformed JSON at line 1"),
    ('{"method": "score", "options": ["A"], "electorate": 1, "ballots": [{"scores": {"A": NaN}}]}',
     "NaN is not a number JSON allows"),
    ('{"method": "ranked_choice", "options": ["A", "B"], "electorate": 1, "ballots": [{"ranking": ["A", "A"]}]}',
     "ballot 1: ranks 'A' more than once"),
    ("[" * 100_000, "malformed JSON"),
    ('{"method": "majority", "electorate": ' + "9" * 5000 + ', "ballots": []}', "malformed JSON"),
    ('{"method": "majority", "electorate": 1, "ballots": [{"choice": ["yes"]}]}', "ballot 1: unknown choice"),
])
def test_bad_input_exits_2_naming_the_ballot_and_writes_nothing(tmp_path, text, message):
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(text)
    done = subprocess.run([sys.executable, "-m", "mutualaid.cli", "tally", str(src), "-o", str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("mutualaid tally: error: ") and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert sorted(os.listdir(tmp_path)) == ["in.json"]


def test_a_missing_file_is_told_and_an_old_result_kept(tmp_path, capsys):
    out = tmp_path / "out.json"
    out.write_text('{"kept": true}')
    assert cli.main(["tally", str(tmp_path / "nowhere.json"), "-o", str(out)]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert json.loads(out.read_text()) == {"kept": True}


def test_the_command_imports_no_django_and_needs_no_database(tmp_path):
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(CONSENT))
    code = ("import sys; from mutualaid import cli; rc = cli.main(['tally', sys.argv[1], '-o', sys.argv[2]]); "
            "assert rc == 0; assert not any(m.startswith('django') for m in sys.modules), 'django imported'")
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    done = subprocess.run([sys.executable, "-c", code, str(src), str(out)], capture_output=True, text=True,
                          timeout=60, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["outcome"] == "passed"
