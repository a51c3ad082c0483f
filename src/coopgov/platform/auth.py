"""Tokens and who may do what.

Roles
-----
``admin``
    Issues and revokes tokens, reads the audit log, writes anything.
``city``
    A city government: writes only the stations of its own city (adcode),
    reads all shared data.
``reader``
    Reads all shared data (e.g. a regional office or a researcher), writes
    nothing.
public (no token)
    Reads only the published indices (AQI, water classes, warnings,
    episodes), not the raw measurements.

A token is ``cg_<token id>_<32 random bytes, url-safe>``; only its SHA-256 is
stored.  A plain (unsalted) digest is enough because the secret part has 256
bits of entropy: there is nothing to guess by dictionary, and a fast digest
keeps every request cheap (a password hash such as scrypt is for low-entropy
secrets).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from coopgov.errors import CoopgovError

__all__ = ["Principal", "Unauthorized", "Forbidden", "hash_token", "new_token", "PUBLIC"]


class Unauthorized(CoopgovError):
    """No valid token for an operation that needs one (HTTP 401)."""


class Forbidden(CoopgovError):
    """A valid token without the right to this operation (HTTP 403)."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: token id, role and (for a city) its adcode."""

    token_id: str
    role: str
    adcode: int | None = None

    @property
    def is_public(self) -> bool:
        """True for an anonymous reader."""
        return self.role == "public"

    def require_reader(self) -> None:
        """Raise :class:`Unauthorized` for the public."""
        if self.is_public:
            raise Unauthorized("a valid API token is required (header X-API-Key)")

    def require_writer(self) -> None:
        """Raise unless the principal may write data at all (admin or city)."""
        self.require_reader()
        if self.role not in ("admin", "city"):
            raise Forbidden(f"role {self.role!r} may not write")

    def require_admin(self) -> None:
        """Raise unless the principal is an administrator."""
        self.require_reader()
        if self.role != "admin":
            raise Forbidden("administrator token required")

    def require_city(self, adcode: int) -> None:
        """Raise unless the principal may write data of city ``adcode``."""
        self.require_writer()
        if self.role == "city" and self.adcode != int(adcode):
            raise Forbidden(f"token of city {self.adcode} may not write data of city {adcode}")


PUBLIC = Principal(token_id="public", role="public", adcode=None)


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token (what the store keeps)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(token_id: str) -> str:
    """Return a new random token carrying its id (for the holder's reference)."""
    return f"cg_{token_id}_{secrets.token_urlsafe(32)}"
