"""SCRAM-SHA-256 verifiers as PostgreSQL stores them (RFC 5802, RFC 7677).

``ALTER ROLE ... PASSWORD 'SCRAM-SHA-256$...'`` stores a verifier as given, so a
password can be set without the clear text ever reaching the server.
PostgreSQL runs SASLprep on passwords first; for ASCII text that changes
nothing, so :func:`verifier` takes ASCII passwords only and returns None for
others (the caller then lets PostgreSQL hash the password itself).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# What PostgreSQL uses by default (scram_iterations).
DEFAULT_ROUNDS = 4096


def verifier(password: str, rounds: int = DEFAULT_ROUNDS) -> str | None:
    """The stored form of ``password``, or None when it is not ASCII."""
    if not password.isascii():
        return None
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, rounds)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")
    return f"SCRAM-SHA-256${rounds}:{_b64(salt)}${_b64(stored_key)}:{_b64(server_key)}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
