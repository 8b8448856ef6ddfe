"""python -m connectors.demo OUT_DIR --people N --seed S --end YYYY-MM-DD [--mail-scale F] [--attachment-kb K]
[--namesakes F] [--bare-personal F] [--partial-work F] [--job-changes F] [--role-addresses N] [--address-book F]"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from connectors.demo import IdentityKnobs, generate_world, load_truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m connectors.demo",
        description="Write a simulated world (LinkedIn zip, Takeout mbox, .ics, truth.json, tiekeeper.toml).")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--people", type=int, default=300, help="50 to 50000 (default 300)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", type=dt.date.fromisoformat, required=True,
                        help="the world's today, YYYY-MM-DD (never read from the clock)")
    parser.add_argument("--mail-scale", type=float, default=1.0, help="multiplies mail volume")
    parser.add_argument("--attachment-kb", type=float, default=0.0,
                        help="mean attachment size; 0 writes no attachments")
    for knob, field in IdentityKnobs.__dataclass_fields__.items():
        parser.add_argument(f"--{knob.replace('_', '-')}", type=field.type == "int" and int or float,
                            default=field.default, help=f"identity knob (default {field.default})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        paths = generate_world(args.out_dir, people=args.people, seed=args.seed, end=args.end,
                               mail_scale=args.mail_scale, attachment_kb=args.attachment_kb,
                               identity=IdentityKnobs(**{k: getattr(args, k)
                                                         for k in IdentityKnobs.__dataclass_fields__}))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    counts = load_truth(paths.truth).counts
    print(f"wrote {args.out_dir} in {time.perf_counter() - started:.1f} s: "
          f"{counts['messages']} messages ({counts['mbox_bytes'] / 1e6:.1f} MB), "
          f"{counts['ics_vevents']} calendar events, {counts['linkedin_connection_rows']} connections")
    for name, path in paths._asdict().items():
        print(f"  {name}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
