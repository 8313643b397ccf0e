"""Configuration from the environment and a `.env` file (DESIGN §7)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

TELEGRAM_API = "https://api.telegram.org/bot"


class Settings(BaseSettings):
    """Every setting the bot reads; names are the environment variables'."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str | None = None
    telegram_api_base_url: str = TELEGRAM_API
    telegram_api_file_url: str | None = None
    telegram_webhook_secret: str | None = None  # webhook mode: Telegram sends it back on each post
    database_url: str = "sqlite:///taizhang.db"
    taizhang_admin_ids: str = ""
    taizhang_timezone: str = "Asia/Shanghai"
    taizhang_locale: str = "zh_CN"
    taizhang_planner_interval: float = 5.0  # seconds between planner passes
    taizhang_delivery_interval: float = 1.0  # seconds between outbox drains
    taizhang_send_rate: float = 28.0  # messages/s this process sends; N processes: 28/N each
    taizhang_claim_timeout: float = 60.0  # seconds before a dead process's claimed sends retry
    taizhang_clock: str = ""  # testing only: "<ISO start>@<speed>", loopback Bot API only

    @field_validator("taizhang_admin_ids")
    @classmethod
    def _ids(cls, value: str) -> str:
        for part in value.replace(" ", "").split(","):
            if part and not part.lstrip("-").isdigit():
                raise ValueError(f"TAIZHANG_ADMIN_IDS: '{part}' is not a Telegram user id")
        return value

    @field_validator(
        "taizhang_send_rate",
        "taizhang_claim_timeout",
        "taizhang_planner_interval",
        "taizhang_delivery_interval",
    )
    @classmethod
    def _positive(cls, value: float, info: ValidationInfo) -> float:
        if value <= 0:
            raise ValueError(f"{(info.field_name or '').upper()}: must be a positive number")
        return value

    @field_validator("taizhang_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"TAIZHANG_TIMEZONE: unknown time zone '{value}'") from None
        return value

    @field_validator("taizhang_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in ("zh_CN", "en"):
            raise ValueError(f"TAIZHANG_LOCALE: '{value}' is not zh_CN or en")
        return value

    @property
    def admin_ids(self) -> frozenset[int]:
        """Telegram user ids that are admins from the start."""
        return frozenset(int(p) for p in self.taizhang_admin_ids.replace(" ", "").split(",") if p)

    @property
    def shown_database_url(self) -> str:
        """The database URL with its password masked, for messages and logs."""
        return make_url(self.database_url).render_as_string(hide_password=True)

    @property
    def file_url(self) -> str:
        """Where files are downloaded: the API base with its trailing `/bot` made `/file/bot`."""
        if self.telegram_api_file_url:
            return self.telegram_api_file_url
        base = self.telegram_api_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"
