"""Random tokens for e-mail links: the link carries the token, the database its digest."""

import hashlib
import secrets


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """Return a fresh URL-safe token (256 random bits) and its digest."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)
