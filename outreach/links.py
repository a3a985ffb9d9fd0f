"""Addresses a request hands on: a `next` address is followed only when it stays on this site."""

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Keep a `next` address only when it stays on this site (no scheme, no host)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
