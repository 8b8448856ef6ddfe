"""Looks at the weekly report as people will: headless Chromium at desktop and phone widths.

    apt-get install chromium          # Debian's package; no browser is ever downloaded
    .venv/bin/python scripts/screenshot_report.py path/to/2026-W48.html [--out DIR]

Writes `<name>-desktop.png`, `<name>-phone.png` and `<name>-phone-dark.png` beside the report (or
into --out), for a person to look at. The screenshots are not committed.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SIZES = {"desktop": (1280, 2400), "phone": (375, 3000)}
# Flags that keep Chromium off the network entirely (it otherwise phones home at every start).
QUIET = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def screenshot(browser: str, page: Path, target: Path, width: int, height: int, dark: bool) -> None:
    with tempfile.TemporaryDirectory() as profile:
        flags = [f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--screenshot={target}"]
        if dark:
            flags.append("--force-dark-mode")
            flags.append("--blink-settings=preferredColorScheme=0")
        subprocess.run([browser, *QUIET, *flags, page.resolve().as_uri()], check=True, capture_output=True,
                       timeout=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the rendered YYYY-Www.html")
    parser.add_argument("--out", type=Path, help="folder for the PNGs (default: beside the report)")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        print("no chromium on this machine: apt-get install chromium", file=sys.stderr)
        return 1
    out = args.out or args.report.parent
    out.mkdir(parents=True, exist_ok=True)
    for name, (width, height), dark in (("desktop", SIZES["desktop"], False), ("phone", SIZES["phone"], False),
                                        ("phone-dark", SIZES["phone"], True)):
        target = out / f"{args.report.stem}-{name}.png"
        screenshot(browser, args.report, target, width, height, dark)
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
