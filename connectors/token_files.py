"""Where tiekeeper keeps the user's authorizations (Google's token, Microsoft's token cache), and
how: outside the repository, in the XDG config folder, readable by the user alone; and the little
the two sign-in flows share."""
from __future__ import annotations

import os
import stat
import webbrowser
from pathlib import Path

from connectors import SourceError


def config_folder() -> Path:
    """`$XDG_CONFIG_HOME/tiekeeper`, by default `~/.config/tiekeeper`.

    A relative XDG_CONFIG_HOME is ignored, as the XDG spec says, so a token never lands in
    whatever folder tiekeeper was started from (such as the repository)."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    folder = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return folder / "tiekeeper"


def write_private(path: Path, text: str, *, what: str) -> None:
    """Writes `text` atomically, created 0600 in a 0700 folder, so that it is never readable by
    others, even for a moment, and never half-written. `what` names it in the error."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            if hasattr(os, "fchmod"):  # a temporary file left by a crashed run may predate us
                os.fchmod(file.fileno(), 0o600)
            file.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise SourceError(f"{path}: cannot write the {what} ({' '.join(str(exc).split())})") from None


def readable_by_others(path: Path) -> int | None:
    """The file's permission bits when users other than its owner may read it (POSIX), else None.
    Raises FileNotFoundError when there is no such file."""
    mode = stat.S_IMODE(path.stat().st_mode)
    return mode if os.name == "posix" and mode & 0o077 else None


def browser_available() -> bool:
    """Whether a web browser can be opened here (not on a server over SSH, say)."""
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def one_line(error: object) -> str:
    return " ".join(str(error).split())
