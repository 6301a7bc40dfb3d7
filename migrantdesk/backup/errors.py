"""The one error of backups: the message says what to do, and never holds a password."""

from __future__ import annotations


class BackupError(Exception):
    pass
