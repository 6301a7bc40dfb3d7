"""The leaflet store: rendered PDFs on disk, addressed by their SHA-256, written once."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app


def store_root() -> Path:
    return Path(current_app.config.get("LEAFLET_STORE")
                or Path(current_app.instance_path) / "leaflets")


def path_of(sha256: str) -> Path:
    return store_root() / sha256[:2] / f"{sha256}.pdf"


def put(pdf: bytes) -> str:
    """Store a PDF (atomically: readers never see half a file) and return its SHA-256."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    target = path_of(sha256)
    if target.exists():
        return sha256
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(pdf)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return sha256
