"""Web Push, the notices' second channel (`outreach.notices`): a manager turns it on in a browser (their
account page, static/js/push.js), which hands the app its push service's address and keys, kept as a
`PushSubscription`. A notice is then encrypted for that browser alone (RFC 8291, aes128gcm) and posted to its
push service (the browser maker's: Google's, Mozilla's, Apple's, Microsoft's; free), signed with this server's
VAPID key (RFC 8292) so that no one else can push to it.

- **Off without a key**: without VAPID_PRIVATE_KEY nothing is pushed and the account page says so; the
  operator makes a key with `flask vapid-keys`. A key that cannot be read stops the app at start, saying why.
- **What a browser may give**: an https address (plain http only on loopback when PUSH_ALLOW_LOOPBACK is set or
  the app is under test), never an address on a private network, and keys that are what RFC 8291 says.
- **Gone browsers**: a push service answering 404 or 410 forgot the browser; its subscription is removed.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import click
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask_babel import gettext as _
from py_vapid import Vapid
from py_vapid.utils import b64urlencode
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .extensions import DbSession
from .models import PushSubscription, User

MAX_ENDPOINT = 1000
# How long a push service keeps a notice for a browser that is off (a laptop closed for the night).
TTL_SECONDS = 24 * 3600
BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


# The server's key


def enabled(config: dict[str, Any]) -> bool:
    """Whether push is set up: a VAPID key (checked at start, `check_config`)."""
    return bool(config.get("VAPID_PRIVATE_KEY"))


@lru_cache(maxsize=4)
def _key(text: str) -> Vapid:
    text = text.strip().replace("\\n", "\n")  # a PEM on one line of an environment file
    if "-----BEGIN" in text:
        return Vapid.from_pem(text.encode())
    return Vapid.from_string(text)


def server_key(config: dict[str, Any]) -> Vapid:
    return _key(config["VAPID_PRIVATE_KEY"])


def public_key(config: dict[str, Any]) -> str | None:
    """The server's public key as browsers take it (`applicationServerKey`: the uncompressed P-256 point,
    base64url); None when push is off."""
    if not enabled(config):
        return None
    point = server_key(config).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return str(b64urlencode(point))


def check_config(config: dict[str, Any]) -> None:
    """Refuse to start with a VAPID key that cannot be read or without a subject the push services accept."""
    if not enabled(config):
        return
    try:
        key = server_key(config)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ValueError(
            "VAPID_PRIVATE_KEY cannot be read: give the private key `flask vapid-keys` printed, or a PEM"
        ) from exc
    if (
        not isinstance(key.private_key, ec.EllipticCurvePrivateKey)
        or key.private_key.curve.name != "secp256r1"
    ):
        raise ValueError("VAPID_PRIVATE_KEY must be a P-256 (prime256v1) key, as `flask vapid-keys` makes")
    subject = config.get("VAPID_SUBJECT") or ""
    if not re.fullmatch(r"mailto:[^@\s]+@[^@\s]+|https://\S+", subject):
        raise ValueError(
            "VAPID_SUBJECT must be mailto: an address the push services may write to (mailto:it@example.go.id)"
        )


def new_keys() -> tuple[str, str]:
    """A new VAPID key pair: the private key (the 32 bytes, base64url: one line for the environment) and the
    public key browsers are given."""
    private = ec.generate_private_key(ec.SECP256R1())
    raw = private.private_numbers().private_value.to_bytes(32, "big")
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return str(b64urlencode(raw)), str(b64urlencode(point))


@click.command("vapid-keys")
def vapid_keys_command() -> None:
    """Print a new VAPID key pair for Web Push, to put in the server's environment."""
    private, public = new_keys()
    click.echo(f"VAPID_PRIVATE_KEY={private}")
    click.echo("VAPID_SUBJECT=mailto:it@your-office.example.go.id")
    click.echo(f"# public key (browsers get it from the app; nothing to set): {public}")
    click.echo(
        "# Keep the private key secret. A new key unsubscribes every browser: managers turn notices on again."
    )


# Browsers' subscriptions


class SubscriptionError(ValueError):
    """What a browser sent is not a subscription this server may push to; the message says why."""


def _bytes_of(value: Any, name: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise SubscriptionError(_("The subscription has no %(name)s key.", name=name))
    if not BASE64URL.fullmatch(value):
        raise SubscriptionError(_("The subscription's %(name)s key is not base64url.", name=name))
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SubscriptionError(_("The subscription's %(name)s key is not base64url.", name=name)) from exc


def _check_endpoint(endpoint: Any, *, allow_loopback: bool) -> str:
    """An https address on the internet; plain http on loopback only when allowed (a push service here)."""
    if not isinstance(endpoint, str) or not endpoint:
        raise SubscriptionError(_("The subscription has no endpoint."))
    if len(endpoint) > MAX_ENDPOINT:
        raise SubscriptionError(_("The subscription's endpoint is too long."))
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError as exc:
        raise SubscriptionError(_("The subscription's endpoint is not an address.")) from exc
    if not host or parts.username or parts.password or parts.fragment:
        raise SubscriptionError(_("The subscription's endpoint is not an address."))
    loopback = host in LOOPBACK_HOSTS
    if loopback and allow_loopback and parts.scheme in ("http", "https"):
        return endpoint
    if parts.scheme != "https":
        raise SubscriptionError(_("The subscription's endpoint must be an https address."))
    try:
        private = loopback or not ipaddress.ip_address(host).is_global
    except ValueError:  # a host name
        private = False
    if private:
        raise SubscriptionError(_("The subscription's endpoint is not a push service on the internet."))
    return endpoint


def checked(body: Any, *, allow_loopback: bool) -> tuple[str, str, str]:
    """The endpoint and keys of a browser's subscription (`PushSubscription.toJSON()`), checked;
    SubscriptionError saying what is wrong."""
    if not isinstance(body, dict):
        raise SubscriptionError(_("Send the browser's subscription as a JSON object."))
    endpoint = _check_endpoint(body.get("endpoint"), allow_loopback=allow_loopback)
    keys = body.get("keys")
    if not isinstance(keys, dict):
        raise SubscriptionError(_("The subscription has no keys."))
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    point = _bytes_of(p256dh, "p256dh")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as exc:
        raise SubscriptionError(_("The subscription's p256dh key is not a P-256 public key.")) from exc
    if len(_bytes_of(auth, "auth")) != 16:
        raise SubscriptionError(_("The subscription's auth key must be 16 bytes."))
    return endpoint, str(p256dh), str(auth)


def subscribe(
    session: DbSession, user: User, body: Any, *, device: str, allow_loopback: bool
) -> PushSubscription:
    """Keep a browser's subscription for this user; a browser that subscribed before (another user's, once)
    is this user's now. The caller commits."""
    endpoint, p256dh, auth = checked(body, allow_loopback=allow_loopback)
    for _attempt in range(2):  # another request may store the same browser between the look-up and the insert
        subscription = session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
        if subscription is not None:
            subscription.user_id, subscription.p256dh, subscription.auth = user.id, p256dh, auth
            subscription.device = device[:200]
            session.flush()
            return subscription
        try:
            with session.begin_nested():
                subscription = PushSubscription(
                    user_id=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth, device=device[:200]
                )
                session.add(subscription)
            return subscription
        except IntegrityError:
            continue
    raise SubscriptionError(_("The subscription could not be kept. Try again."))


def unsubscribe(session: DbSession, user: User, body: Any) -> bool:
    """Forget this user's browser; False when it was not theirs or not known. The caller commits."""
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    if not isinstance(endpoint, str) or not endpoint:
        raise SubscriptionError(_("The subscription has no endpoint."))
    subscription = session.scalar(
        select(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id
        )
    )
    if subscription is None:
        return False
    session.delete(subscription)
    session.flush()
    return True


def subscriptions_of(session: DbSession, user_id: int) -> list[PushSubscription]:
    return list(
        session.scalars(
            select(PushSubscription).where(PushSubscription.user_id == user_id).order_by(PushSubscription.id)
        )
    )


# Sending


class Gone(Exception):
    """The push service no longer knows the browser (404, 410): its subscription is to be removed."""


class PushFailed(Exception):
    """The push service refused the message for now (a 429, a 5xx, an answer pywebpush cannot use)."""


def send(
    subscription: PushSubscription, message: dict[str, str], config: dict[str, Any], *, urgent: bool
) -> None:
    """Encrypt the message for this browser and hand it to its push service, within PUSH_TIMEOUT. Gone or
    PushFailed when the push service says no; OSError when it cannot be reached."""
    # Imported here, by the sender only: pywebpush brings aiohttp, about 0.2 s of every worker's and command's
    # start-up otherwise.
    from pywebpush import WebPushException, webpush

    info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    try:
        webpush(
            info,
            data=json.dumps(message, ensure_ascii=False),
            vapid_private_key=server_key(config),
            vapid_claims={"sub": config["VAPID_SUBJECT"]},
            timeout=config.get("PUSH_TIMEOUT", 10),
            ttl=TTL_SECONDS,
            headers={"Urgency": "high" if urgent else "normal"},
        )
    except WebPushException as exc:
        status = exc.status_code
        if status in (404, 410):
            raise Gone(f"the push service answered {status}") from exc
        raise PushFailed(f"the push service answered {status}" if status else exc.message) from exc
