"""Settings: every deployment knob, read from the environment or `.env` (see .env.example)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

IdList = Annotated[list[str], NoDecode]


def _split_ids(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).replace(";", ",").split(",") if part.strip()]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Telegram
    bot_token: str | None = None
    bot_framework: Literal["ptb", "aiogram"] = "ptb"
    telegram_api_base_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_path: str | None = None  # default: the path of WEBHOOK_URL
    bot_username: str | None = None  # for t.me deep links (`python -m bot qr`); or --bot

    # Signed deep links (bot/deeplinks.py): QR codes that bind a resident to a flat
    deeplink_secret: str | None = None  # signs them; default: from BOT_TOKEN (set it before printing)

    # People
    staff_chat_id: str = "staff"
    staff_ids: IdList = Field(default_factory=list)
    supervisor_ids: IdList = Field(default_factory=list)
    manager_ids: IdList = Field(default_factory=list)

    # Storage
    database_url: str = "sqlite+aiosqlite:///./data/helpline.db"
    # Several bot processes on one PostgreSQL (webhook mode; bot/cluster.py): leader election,
    # claimed outbox rows, updates owned by a process, shared broadcast rate
    multi_process: bool = False
    redis_url: str | None = None  # the shared broadcast rate in Redis instead of PostgreSQL

    # Language, region, data
    locale: str = "zh"
    manager_locale: str | None = None
    """The managers' screens (/notice, /stats, /export, progress): zh or en; default LOCALE."""
    region: Literal["CN", "HK"] = "CN"
    timezone: str = "Asia/Shanghai"
    crisis_hotline: str | None = None
    """A psychological crisis line for the self-harm path; default by region: 12356 (the
    national psychological assistance hotline, mainland China), 2389 2222 (The Samaritan
    Befrienders Hong Kong, 24 hours)."""
    locales_dir: Path = REPO_ROOT / "locales"
    estate_registry_file: Path | None = None
    estates_file: Path | None = None
    """Several estates in one bot (bot/estates.py; example: examples/estates.yaml); empty:
    one estate (id 0) from these settings."""

    # Conversation flows
    flow_idle_escalate_seconds: float = 60
    flow_idle_timeout_seconds: float = 1800

    # Tickets: claim deadlines, reminders, escalation, follow-up
    sla_claim_seconds_emergency: float = 300
    sla_claim_seconds_urgent: float = 1800
    sla_claim_seconds_normal: float = 3600
    escalate_after_reminders: int = 2
    onsite_reminder_seconds: float = 1200
    followup_complaint_days: float = 7
    followup_repair_days: float = 10
    followup_repair_sample_rate: float = Field(default=0.3, ge=0, le=1)
    claim_reminder_limit: int = 12
    ticket_autoclose_seconds: float = 172800
    low_rating_threshold: int = 2
    report_remind_before_seconds: float = 3600

    # The staff desk: teams, deadlines in working time, duty roster, shift digest
    teams_file: Path | None = None
    """Team groups and routing by intent/building (example: examples/teams.yaml)."""
    duty_roster_file: Path | None = None
    """Who is on duty when (example: examples/duty_roster.yaml)."""
    office_hours: str = "09:00-18:00"
    deadline_seconds_emergency: float = 3600
    deadline_work_hours_urgent: float = 2
    deadline_work_hours_normal: float = 9
    digest_times: str = ""
    """Local times of the shift hand-over digest (交接班), e.g. "08:00,20:00"; empty: off."""

    # Outage notices
    broadcast_rate_per_second: float = 25
    notice_remind_before_seconds: float = 3600
    outage_cluster_threshold: int = 5
    outage_cluster_window_seconds: float = 600
    notice_channel_id: str | None = None  # the estate's Telegram channel: notices posted there too
    estate_name: str = ""  # on the printable notice ("阳光花园")
    estate_address: str = ""  # told to a resident whom 120 or 119 asks where ("天河路1号")
    company_phone: str | None = None  # the management office's phone, on the printable notice

    # Privacy (PIPL): what is kept, and for how long
    retention_days: float = 365  # resolved tickets' personal fields are anonymised after this
    conversation_retention_days: float = 30  # finished conversations' state is deleted after this

    # Dashboard (bot/dashboard): web pages for managers and staff, off unless enabled
    dashboard_enabled: bool = False
    dashboard_listen: str = "127.0.0.1"
    dashboard_port: int = 8080
    dashboard_public_url: str | None = None  # default: http://DASHBOARD_LISTEN:DASHBOARD_PORT/
    dashboard_link_seconds: float = 900  # a /dashboard link, and a Mini App's initData, expire
    dashboard_secret: str | None = None  # signs links and sessions; default: from BOT_TOKEN

    log_level: str = "INFO"

    @field_validator("staff_ids", "supervisor_ids", "manager_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> list[str]:
        return _split_ids(value)

    @field_validator("staff_chat_id", mode="before")
    @classmethod
    def _chat_id(cls, value: object) -> str:
        return str(value).strip()

    @property
    def clustered(self) -> bool:
        """Several processes share the database (PostgreSQL and MULTI_PROCESS only)."""
        return self.multi_process and not self.database_url.startswith("sqlite")

    @property
    def manager_language(self) -> str:
        """The locale of what managers read (MANAGER_LOCALE, else LOCALE)."""
        return self.manager_locale or self.locale

    def emergency_numbers(self) -> dict[str, str]:
        """Numbers to call, by service, for this region."""
        if self.region == "HK":
            numbers = {"police": "999", "fire": "999", "ambulance": "999", "crisis": "2389 2222"}
        else:
            numbers = {"police": "110", "fire": "119", "ambulance": "120", "crisis": "12356"}
        if self.crisis_hotline:
            numbers["crisis"] = self.crisis_hotline
        return numbers
