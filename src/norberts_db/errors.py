"""Errors the toolkit expects and reports as one clear message.

Every error here is something the user can act on. The command-line layer
prints ``str(error)`` and exits non-zero; it never shows a traceback for these.
"""

from __future__ import annotations


class NorbertsDbError(Exception):
    """Base of every expected failure. The message says what went wrong and what to do."""

    exit_code: int = 1


class SettingsError(NorbertsDbError):
    """A setting has a value the toolkit cannot use."""


class SqlFileError(NorbertsDbError):
    """An SQL file cannot be read: missing, a directory, unreadable, binary, not UTF-8, empty."""


class SqlScriptError(NorbertsDbError):
    """The server rejected a statement of an SQL file. Nothing of the script was kept.

    ``sqlstate`` is the server's error code, and ``path`` the file, when known.
    """

    def __init__(
        self, message: str, *, sqlstate: str | None = None, path: str | None = None
    ) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate
        self.path = path


class ServerError(NorbertsDbError):
    """The PostgreSQL server cannot be started, reached or used."""


class DockerUnavailableError(ServerError):
    """No Docker engine answers, or the image cannot be had."""


class GuardError(NorbertsDbError):
    """A destructive action was refused because the target is not clearly a dev database."""


class TimeoutExceeded(NorbertsDbError):
    """A lock wait or a statement ran past lock_timeout or statement_timeout, and was ended."""
