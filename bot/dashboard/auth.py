"""Who may open the dashboard: signed links, Telegram Mini App sign-in data, sessions.

- A **signed link** (`/dashboard` sends one) carries `<payload>.<signature>`: the payload
  (base64url JSON) names the user, what the token is for and when it expires; the signature
  is HMAC-SHA256 with the dashboard key. A link is exchanged for a **session** cookie signed
  the same way (another purpose, so neither can stand in for the other).
- **Mini App initData** is checked as Telegram documents it: the fields other than `hash`,
  sorted and joined as `key=value` lines, signed with HMAC-SHA256 whose key is
  HMAC-SHA256(key="WebAppData", message=bot token); `auth_date` must be recent.
- The **role** is looked up on every request (MANAGER_IDS, SUPERVISOR_IDS, STAFF_IDS): taking
  someone off a list shuts their session at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.dashboard.deps import DashboardDeps

LINK = "link"
SESSION = "session"
SESSION_SECONDS = 12 * 3600
CLOCK_SKEW_SECONDS = 60  # an auth_date this far in the future is still accepted

MANAGER = "manager"
SUPERVISOR = "supervisor"
STAFF = "staff"


class Refused(Exception):
    """Forged, expired or unknown: answered with 403."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def dashboard_key(settings: Settings) -> bytes:
    """The signing key: from DASHBOARD_SECRET, else from the bot token, else a random secret
    kept in the settings for this process (links then die with a restart)."""
    if not settings.dashboard_secret and not settings.bot_token:
        settings.dashboard_secret = secrets.token_hex(32)
    base = (settings.dashboard_secret or settings.bot_token or "").encode()
    return hmac.new(b"helpline-dashboard", base, hashlib.sha256).digest()


def sign(key: bytes, user_id: str, purpose: str, expires_at: float, **extra: Any) -> str:
    payload = _b64(
        json.dumps({"u": user_id, "p": purpose, "e": int(expires_at), **extra}).encode()
    )
    signature = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def verify(key: bytes, token: str, purpose: str, now: float) -> dict[str, Any]:
    """The token's payload, or Refused (bad signature, other purpose, expired)."""
    payload, _, signature = token.partition(".")
    if not payload or not signature:
        raise Refused("malformed")
    expected = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature):
        raise Refused("bad signature")
    try:
        data = json.loads(_unb64(payload))
    except ValueError as exc:
        raise Refused("malformed") from exc
    if not isinstance(data, dict) or data.get("p") != purpose or not data.get("u"):
        raise Refused("wrong purpose")
    if not isinstance(data.get("e"), int) or data["e"] < now:
        raise Refused("expired")
    return data


def init_data_hash(pairs: list[tuple[str, str]], bot_token: str) -> str:
    """Telegram's signature of Mini App initData fields (without `hash`)."""
    check = "\n".join(f"{k}={v}" for k, v in sorted(pairs))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def validate_init_data(
    init_data: str, bot_token: str | None, now: float, max_age: float
) -> dict[str, Any]:
    """The Telegram user (a dict with at least `id`) of valid, fresh initData; else Refused."""
    if not bot_token or not init_data:
        raise Refused("no bot token or no initData")
    pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=False)
    given = [v for k, v in pairs if k == "hash"]
    fields = [(k, v) for k, v in pairs if k != "hash"]
    if len(given) != 1 or len({k for k, _ in fields}) != len(fields):
        raise Refused("malformed")
    if not hmac.compare_digest(init_data_hash(fields, bot_token), given[0]):
        raise Refused("bad signature")
    values = dict(fields)
    try:
        auth_date = int(values.get("auth_date", ""))
        user = json.loads(values.get("user", ""))
    except ValueError as exc:
        raise Refused("malformed") from exc
    if auth_date > now + CLOCK_SKEW_SECONDS or now - auth_date > max_age:
        raise Refused("expired")
    if not isinstance(user, dict) or "id" not in user:
        raise Refused("no user")
    return user


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: str
    role: str  # manager, supervisor, staff

    @property
    def is_manager(self) -> bool:
        return self.role == MANAGER

    @property
    def sees_stats(self) -> bool:
        return self.role in (MANAGER, SUPERVISOR)


def role_of(app: DashboardDeps, user_id: str) -> str | None:
    if app.roles.is_manager(user_id):
        return MANAGER
    if app.roles.is_supervisor(user_id):
        return SUPERVISOR
    if app.roles.is_staff(user_id):
        return STAFF
    return None


class Signer:
    """Links and sessions for one app: its key, its clock, its roles."""

    def __init__(self, app: DashboardDeps) -> None:
        self.app = app
        settings = app.settings
        self.key = dashboard_key(settings)
        self.link_seconds = settings.dashboard_link_seconds

    def now(self) -> float:
        return self.app.clock.now().timestamp()

    def link_token(self, user_id: str, seconds: float | None = None, *, name: str = "") -> str:
        lifetime = self.link_seconds if seconds is None else seconds
        return sign(self.key, user_id, LINK, self.now() + lifetime, n=name[:64])

    def session_token(self, user_id: str, *, name: str = "") -> str:
        return sign(self.key, user_id, SESSION, self.now() + SESSION_SECONDS, n=name[:64])

    def viewer(self, user_id: str) -> Viewer:
        role = role_of(self.app, user_id)
        if role is None:
            raise Refused("not staff")
        return Viewer(user_id, role)

    def from_link(self, token: str) -> Viewer:
        return self.viewer(str(verify(self.key, token, LINK, self.now())["u"]))

    def from_session(self, token: str) -> Viewer:
        return self.viewer(str(verify(self.key, token, SESSION, self.now())["u"]))

    def name_in(self, token: str, purpose: str = LINK) -> str:
        """The display name a valid token carries ("" when none or not valid)."""
        try:
            return str(verify(self.key, token, purpose, self.now()).get("n") or "")
        except Refused:
            return ""

    def session_name(self, token: str) -> str:
        return self.name_in(token, SESSION)

    def from_init_data(self, init_data: str) -> tuple[Viewer, dict[str, Any]]:
        """(the viewer, Telegram's user object) of valid, fresh Mini App initData."""
        user = validate_init_data(
            init_data, self.app.settings.bot_token, self.now(), self.link_seconds
        )
        return self.viewer(str(user["id"])), user
