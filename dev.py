#!/usr/bin/env python3
"""The two commands a fresh clone needs, with nothing but Python 3.11+:

    python3 dev.py demo     # install into .venv, then run `tiekeeper demo`
    python3 dev.py test     # install into .venv, then run the whole test suite

and, while developing:

    python3 dev.py test --fast   # the tests not marked slow: every module's unit and small-world tests
    python3 dev.py lint          # ruff, as configured in pyproject.toml

Any further arguments are passed on (e.g. `python3 dev.py test -k mbox`).
The virtualenv is (re)installed whenever pyproject.toml changes.
"""
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_venv() -> None:
    stamp = VENV / ".installed-from"
    # what was installed, and from where: a venv that another checkout installed into runs that code
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + str(ROOT).encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing tiekeeper and its dependencies into .venv ...", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-e", f"{ROOT}[dev]"], check=True)
    stamp.write_text(wanted)


def main() -> int:
    commands = {
        "demo": [str(BIN / "tiekeeper"), "demo"],
        "test": [str(PYTHON), "-m", "pytest"],
        "lint": [str(BIN / "ruff"), "check", "."],
    }
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__.strip())
        return 2
    command, args = commands[sys.argv[1]], sys.argv[2:]
    if sys.argv[1] == "test" and "--fast" in args:
        args.remove("--fast")
        command = command + ["-m", "not slow"]
    ensure_venv()
    return subprocess.run(command + args, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
