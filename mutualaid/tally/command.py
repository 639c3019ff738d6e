"""`mutualaid tally IN.json [-o OUT.json]`: recount a decision from its ballots, without Django or a database.

Reads the IN document of the tally contract (`-` reads standard input), writes the OUT document (to standard output,
or atomically to OUT.json). Bad input (malformed JSON, an unknown method, option or choice, a score outside 0-5, a
repeated ranking, too many dots) exits with status 2 and a message naming the ballot by its position; nothing is
written then.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from .methods import TallyError, tally


def _read(path: str):
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TallyError(f"cannot read {path}: {exc}") from exc
    try:
        return json.loads(text, parse_constant=lambda name: _refuse_constant(name))
    except json.JSONDecodeError as exc:
        raise TallyError(f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise TallyError("malformed JSON: nested too deeply") from exc
    except ValueError as exc:  # e.g. a number of more digits than Python converts
        raise TallyError(f"malformed JSON: {exc}") from exc


def _refuse_constant(name: str):
    raise TallyError(f"malformed JSON: {name} is not a number JSON allows")


def _write(document: dict, path: str) -> None:
    """Atomically: a reader never sees half a file, and a failure leaves no file behind."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=".tally-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, indent=2)
            out.write("\n")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mutualaid tally",
                                     description="Recount a decision from its ballots (the tally contract).")
    parser.add_argument("input", metavar="IN.json", help="the ballots document; - reads standard input")
    parser.add_argument("-o", "--output", metavar="OUT.json", help="write the result here instead of stdout")
    args = parser.parse_args(argv)
    try:
        result = tally(_read(args.input))
    except TallyError as exc:
        print(f"mutualaid tally: error: {exc}", file=sys.stderr)
        return 2
    if args.output:
        _write(result, args.output)
    else:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
