"""Estates as data: one bot for a property company's many estates (小区), `ESTATES_FILE`.

Without a file there is one estate, id 0, built from today's settings (`STAFF_CHAT_ID`,
`ESTATE_REGISTRY_FILE`, `TEAMS_FILE`, the FAQ of `locales/`, `NOTICE_CHANNEL_ID`, `REGION`,
`OFFICE_HOURS`, `ESTATE_NAME`): a single-estate deployment stays exactly as before. With a
file (YAML; example: examples/estates.yaml):

    estates:
      - id: 1                          # a small integer (0-65535), in QR codes' deep links
        name: 阳光花园                 # what residents pick and read
        staff_chat_id: "-1001000000101"  # the estate's staff group (/whereami tells it)
        registry: estate-a.yaml        # buildings and rooms (bot/estate.py's format), or
        # buildings: {"1": {floors: "1-18", doors: ["01", "02"]}}   # the same, inline
        teams: teams-a.yaml            # team groups (bot/tickets/teams.py's format)
        faq: faq-a.yaml                # FAQ entries (locales/zh/faq.yaml's format), or
        # faq: {zh: faq-a.yaml, en: faq-a-en.yaml}
        notice_channel_id: "@yangguang_notices"
        region: CN                     # emergency numbers and holidays (CN or HK)
        office_hours: "09:00-18:00"
        manager_ids: ["7001"]          # this estate's managers (they see only it)
        address: 广州市天河区天河路1号    # told to a resident whom 120 or 119 asks where

Paths are relative to the file. What an estate leaves out comes from the settings (region,
office hours; an estate with id 0 takes every setting it leaves out, its staff group too).
`STAFF_CHAT_ID` stays the company's group: it sees a ticket whose estate is not known yet
(an emergency reported before the resident said which estate) and may act on every ticket.

Loaded and validated at start (`EstatesError`, with the file and the estate named); the
services get this lookup (`Estates`), never the whole settings, for what differs by estate.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bot.estate import EstateRegistry, RegistryError
from bot.tickets.deadlines import WorkCalendar
from bot.tickets.teams import Teams
from bot.yamlio import load_yaml

if TYPE_CHECKING:
    from bot.config import Settings

DEFAULT_ESTATE = 0
MAX_ESTATE_ID = 0xFFFF  # two bytes in a deep link
REGIONS = ("CN", "HK")
KNOWN_KEYS = frozenset(
    {
        "id", "name", "staff_chat_id", "registry", "buildings", "teams", "faq",
        "notice_channel_id", "region", "office_hours", "manager_ids", "address",
    }
)


class EstatesError(ValueError):
    """The estates file is malformed (raised at start, never while talking to a resident)."""


@dataclass(eq=False)
class Estate:
    """One estate: its own staff group, buildings, teams, FAQ, channel, region, hours."""

    id: int
    name: str
    staff_chat_id: str  # follows a supergroup migration (`Estates.migrated`)
    registry: EstateRegistry = field(default_factory=EstateRegistry.empty)
    teams: Teams = field(default_factory=Teams)
    faq_files: Mapping[str, Path] = field(default_factory=dict)  # locale -> faq.yaml; empty: locales/
    notice_channel_id: str | None = None
    region: str = "CN"
    office_hours: str = "09:00-18:00"
    timezone: str = "Asia/Shanghai"
    manager_ids: frozenset[str] = frozenset()
    address: str = ""  # the street address an ambulance or fire engine is given
    calendar: WorkCalendar = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.calendar = WorkCalendar(
            region=self.region, timezone=self.timezone, office_hours=self.office_hours
        )

    def chats(self) -> frozenset[str]:
        """Its staff group and its team groups."""
        return frozenset({self.staff_chat_id, *self.teams.chats()})

    def emergency_numbers(self, crisis_hotline: str | None = None) -> dict[str, str]:
        if self.region == "HK":
            numbers = {"police": "999", "fire": "999", "ambulance": "999", "crisis": "2389 2222"}
        else:
            numbers = {"police": "110", "fire": "119", "ambulance": "120", "crisis": "12356"}
        if crisis_hotline:
            numbers["crisis"] = crisis_hotline
        return numbers


class Estates:
    """The lookup services get: an estate by id, by staff or team group, the list."""

    def __init__(self, estates: Iterable[Estate], *, company_chat: str | None = None) -> None:
        self.all: tuple[Estate, ...] = tuple(estates)
        if not self.all:
            raise EstatesError("no estate")
        self._by_id = {e.id: e for e in self.all}
        self.company_chat = company_chat  # STAFF_CHAT_ID: sees every estate
        self.group_chats: set[str] = set()  # every estate's groups (a live set: Roles reads it)
        self.refresh()

    def refresh(self) -> None:
        """Recount the groups (after an estate's teams or staff group changed)."""
        self.group_chats.clear()
        for estate in self.all:
            self.group_chats.update(estate.chats())
        if self.company_chat:
            self.group_chats.add(self.company_chat)

    # -- lookups -----------------------------------------------------------------------------
    @property
    def several(self) -> bool:
        return len(self.all) > 1

    @property
    def default(self) -> Estate:
        """Estate 0 when there is one, else the first of the file."""
        return self._by_id.get(DEFAULT_ESTATE) or self.all[0]

    def get(self, estate_id: int | None) -> Estate | None:
        return self._by_id.get(estate_id) if estate_id is not None else None

    def of(self, estate_id: int | None) -> Estate:
        """The estate of a ticket or resident: a known one, else the default."""
        return self.get(estate_id) or self.default

    def known(self, estate_id: int | None) -> bool:
        return estate_id is not None and estate_id in self._by_id

    def resolved(self, estate_id: int | None) -> int | None:
        """A resident's estate: theirs when known, the only one when there is one, else None
        (to be asked)."""
        if self.known(estate_id):
            return estate_id
        return None if self.several else self.default.id

    def of_chat(self, chat_id: str) -> Estate | None:
        """The estate whose staff or team group this is (None: the company group, or none)."""
        for estate in self.all:
            if chat_id in estate.chats():
                return estate
        return None

    def scope_of_chat(self, chat_id: str) -> int | None:
        """The estate a staff group acts for; None: every estate (the company group)."""
        estate = self.of_chat(chat_id)
        return estate.id if estate is not None else None

    def may_act(self, chat_id: str, estate_id: int | None) -> bool:
        """Whether staff in group `chat_id` may act on a ticket of `estate_id`: its own
        estate's groups, the company group, and any group for a ticket of no known estate."""
        scope = self.scope_of_chat(chat_id)
        return scope is None or not self.known(estate_id) or scope == estate_id

    def staff_chat(self, estate_id: int | None) -> str:
        """The main staff group for a ticket of this estate (the company group when the
        estate is not known)."""
        estate = self.get(estate_id)
        if estate is None:
            return self.company_chat or self.default.staff_chat_id
        return estate.staff_chat_id

    def managed_by(self, user_id: str) -> frozenset[int]:
        """The estates whose managers include `user_id` (empty: none named there)."""
        return frozenset(e.id for e in self.all if user_id in e.manager_ids)

    @property
    def estate_managers(self) -> frozenset[str]:
        """Everyone named in an estate's `manager_ids` (managers of that estate only)."""
        return frozenset(m for e in self.all for m in e.manager_ids)

    def manager_scope(
        self, user_id: str, company_managers: Collection[str]
    ) -> frozenset[int] | None:
        """The estates a manager sees: every one (None) for a company-level manager
        (MANAGER_IDS), else the estates naming them in `manager_ids`."""
        if user_id in company_managers:
            return None
        return self.managed_by(user_id)

    def teams_of(self, account: str) -> frozenset[str]:
        return frozenset(k for e in self.all for k in e.teams.teams_of(account))

    def by_name(self, text: str) -> Estate | None:
        """An estate named in a typed answer ("阳光花园", "阳光", or its id)."""
        words = "".join(text.split()).casefold()
        if not words:
            return None
        if words.isdigit() and int(words) in self._by_id:
            return self._by_id[int(words)]
        hits = [e for e in self.all if e.name and (
            e.name.casefold() in words or (len(words) >= 2 and words in e.name.casefold())
        )]
        return hits[0] if len(hits) == 1 else None

    def migrated(self, old: str, new: str) -> None:
        """A staff or team group became a supergroup: its estate and team follow."""
        for estate in self.all:
            if estate.staff_chat_id == old:
                estate.staff_chat_id = new
            if old in estate.teams.chats():
                estate.teams = estate.teams.moved(old, new)
        if self.company_chat == old:
            self.company_chat = new
        self.refresh()

    # -- loading -----------------------------------------------------------------------------
    @classmethod
    def single(cls, settings: Settings) -> Estates:
        """No file: estate 0 from the settings, exactly as before."""
        return cls([default_estate(settings)], company_chat=settings.staff_chat_id)

    @classmethod
    def load(cls, settings: Settings) -> Estates:
        path = settings.estates_file
        if path is None or str(path) == "":
            return cls.single(settings)
        path = Path(path)
        try:
            raw = load_yaml(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise EstatesError(f"ESTATES_FILE {path}: cannot read it: {exc}") from exc
        return cls.from_mapping(raw, settings, base=path.parent, where=f"ESTATES_FILE {path}")

    @classmethod
    def from_mapping(
        cls, raw: Any, settings: Settings, *, base: Path = Path("."), where: str = "estates"
    ) -> Estates:
        items = raw.get("estates") if isinstance(raw, Mapping) else None
        if not isinstance(items, list) or not items:
            raise EstatesError(f"{where}: expected 'estates:' with a list of estates")
        estates: list[Estate] = []
        seen: dict[int, str] = {}
        chats: dict[str, str] = {}
        for n, spec in enumerate(items, 1):
            estate = _estate(spec, settings, base, f"{where}: estate #{n}")
            here = f"{where}: estate {estate.id} ({estate.name})"
            if estate.id in seen:
                raise EstatesError(f"{here}: id {estate.id} is used twice")
            seen[estate.id] = estate.name
            for chat in estate.chats():
                if chat in chats and chats[chat] != here:
                    raise EstatesError(f"{here}: group {chat} is also {chats[chat]}'s")
                chats[chat] = here
            estates.append(estate)
        company = settings.staff_chat_id
        return cls(estates, company_chat=company)


def default_estate(settings: Settings) -> Estate:
    try:
        registry = EstateRegistry.load(settings.estate_registry_file)
    except RegistryError as exc:
        raise EstatesError(str(exc)) from exc
    return Estate(
        id=DEFAULT_ESTATE,
        name=settings.estate_name or registry.name,
        staff_chat_id=settings.staff_chat_id,
        registry=registry,
        teams=Teams.load(settings.teams_file),
        notice_channel_id=settings.notice_channel_id,
        region=settings.region,
        office_hours=settings.office_hours,
        timezone=settings.timezone,
        address=settings.estate_address,
    )


def _estate(spec: Any, settings: Settings, base: Path, where: str) -> Estate:
    if not isinstance(spec, Mapping):
        raise EstatesError(f"{where}: expected a mapping (id, name, staff_chat_id, ...)")
    unknown = set(map(str, spec)) - KNOWN_KEYS
    if unknown:
        raise EstatesError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    raw_id = spec.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, int) or not 0 <= raw_id <= MAX_ESTATE_ID:
        raise EstatesError(f"{where}: 'id' must be a whole number from 0 to {MAX_ESTATE_ID}")
    name = str(spec.get("name") or "").strip()
    fallback = default_estate(settings) if raw_id == DEFAULT_ESTATE else None
    if not name and fallback is not None:
        name = fallback.name
    if not name:
        raise EstatesError(f"{where}: 'name' is required (residents pick the estate by it)")
    where = f"{where} ({name})"
    chat = str(spec.get("staff_chat_id") or "").strip()
    if not chat and fallback is not None:
        chat = fallback.staff_chat_id
    if not chat:
        raise EstatesError(f"{where}: 'staff_chat_id' is required (send /whereami in the group)")
    region = str(spec.get("region") or settings.region).upper()
    if region not in REGIONS:
        raise EstatesError(f"{where}: region must be CN or HK, not {region!r}")
    office_hours = str(spec.get("office_hours") or settings.office_hours)
    try:
        registry = _registry(spec, base, where, fallback)
        teams = _teams(spec, base, where, fallback)
        estate = Estate(
            id=raw_id,
            name=name,
            staff_chat_id=chat,
            registry=registry,
            teams=teams,
            faq_files=_faq(spec.get("faq"), base, where, settings.locale),
            notice_channel_id=_optional(spec.get("notice_channel_id"))
            or (fallback.notice_channel_id if fallback else None),
            region=region,
            office_hours=office_hours,
            timezone=settings.timezone,
            manager_ids=frozenset(str(m).strip() for m in spec.get("manager_ids") or ()),
            address=str(spec.get("address") or (fallback.address if fallback else "")),
        )
    except (RegistryError, ValueError, OSError, yaml.YAMLError) as exc:
        if isinstance(exc, EstatesError):
            raise
        raise EstatesError(f"{where}: {exc}") from exc
    return estate


def _optional(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _path(value: Any, base: Path, where: str, what: str) -> Path:
    path = Path(str(value))
    path = path if path.is_absolute() else base / path
    if not path.is_file():
        raise EstatesError(f"{where}: {what} file not found: {path}")
    return path


def _registry(spec: Mapping[str, Any], base: Path, where: str, fallback: Estate | None) -> EstateRegistry:
    if spec.get("registry") and spec.get("buildings"):
        raise EstatesError(f"{where}: give 'registry' (a file) or 'buildings', not both")
    if spec.get("registry"):
        return EstateRegistry.load(_path(spec["registry"], base, where, "registry"))
    if spec.get("buildings") is not None:
        return EstateRegistry.from_dict(
            {"name": spec.get("name") or "", "buildings": spec["buildings"]}, where=where
        )
    return fallback.registry if fallback is not None else EstateRegistry.empty()


def _teams(spec: Mapping[str, Any], base: Path, where: str, fallback: Estate | None) -> Teams:
    if spec.get("teams"):
        return Teams.load(_path(spec["teams"], base, where, "teams"))
    return fallback.teams if fallback is not None else Teams()


def _faq(value: Any, base: Path, where: str, locale: str) -> dict[str, Path]:
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        return {str(k): _path(v, base, where, "faq") for k, v in value.items()}
    return {locale: _path(value, base, where, "faq")}
