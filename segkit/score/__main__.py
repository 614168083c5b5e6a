"""``python -m segkit.score``: score an order export into the segments of a saved model.

Example::

    python -m segkit.score --model reports/segmentation_model.json --data new_orders.csv --out reports/scored.csv

Writes one row per customer (``customer_id``, R/F/M values and scores, ``segment``, ``cluster``,
``cluster_name``) and prints what it did. Exits with status 2 and the reason (a :class:`segkit.DataError`
naming the problem and the fix) when the model or the export cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from segkit.errors import DataError
from segkit.score.apply import score_orders
from segkit.score.io import load_model


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key:
            raise DataError(f"{option} {value!r} is not KEY=VALUE; write e.g. {option} "
                            f"{'ClientNo=customer_id' if option == '--column-map' else 'encoding=cp1251'}.")
        pairs[key] = setting
    return pairs


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m segkit.score", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help="model file written by notebook 07 or segkit.score.save_model")
    p.add_argument("--data", required=True, help="order export to score (CSV, CSV.gz, Parquet or Excel)")
    p.add_argument("--out", required=True, help="CSV file to write, one row per customer")
    p.add_argument("--snapshot-date", default="", help="scoring date YYYY-MM-DD; default the day after the last order")
    p.add_argument("--returns", default="net", choices=["net", "drop"], help="returns netted (net) or excluded (drop)")
    p.add_argument("--column-map", action="append", default=[], metavar="RAW=CANONICAL",
                   help="map a raw column to segkit's name, e.g. ClientNo=customer_id (repeat as needed)")
    p.add_argument("--reading", action="append", default=[], metavar="KEY=VALUE",
                   help="reading option, e.g. encoding=cp1251, delimiter=';', decimal=',' (repeat as needed)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        model = load_model(args.model)
        scored = score_orders(model, args.data, snapshot_date=args.snapshot_date or None,
                              columns=_pairs(args.column_map, "--column-map") or None, returns=args.returns,
                              **_pairs(args.reading, "--reading"))
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    scored.to_csv(out)
    shares = scored["segment"].value_counts(normalize=True, sort=True)
    print(f"scored {len(scored):,} customers with the model of {model.snapshot} ({model.k} clusters); "
          f"largest segment {shares.index[0]} ({shares.iloc[0]:.0%}); wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
