"""Write a generated city as IN.json for `mutualaid allocate`.

    python bench/citygen.py S|M|L OUT.json [--seed N] [--maxmin]

The generator itself lives in the package (mutualaid/allocation/citygen.py) so the tests can use it.
"""
from __future__ import annotations

import argparse
import json

from mutualaid.allocation.citygen import SIZES, generate_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("output")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--maxmin", action="store_true", help="set policy.fairness to maxmin")
    args = parser.parse_args()
    data = generate_size(args.size, seed=args.seed)
    if args.maxmin:
        data["policy"] = {"fairness": "maxmin"}
    with open(args.output, "w") as handle:
        json.dump(data, handle)


if __name__ == "__main__":
    main()
