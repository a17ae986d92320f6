"""Atomic file writes shared by the proof cache, ``generate`` and ``latex -o``.

Contract: :func:`write_text` writes to a uniquely named temporary file in the target's own
directory (so ``os.replace`` never crosses a file system) and then replaces the target in one
step. A reader sees the old file or the new one, never half of either; two processes writing
the same target never share a temporary name; on any error the temporary file is removed, so
nothing is left behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_text"]


def write_text(target: str | Path, text: str) -> Path:
    """Replace ``target`` with ``text`` (UTF-8, ``\\n`` line endings) atomically; returns the path."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        # mkstemp creates the file 0600; a generated module or a document is meant to be read
        # like any other file the user writes, so give it the permissions umask would give.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target
