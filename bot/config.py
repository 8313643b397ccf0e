"""Configuration from the environment and a `.env` file (DESIGN §7)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

TELEGRAM_API = "https://api.telegram.org/bot"
APP_NAME = re.compile(r"[A-Za-z0-9_]{3,30}")  # a Mini App's short name, as @BotFather takes it


def is_loopback_host(host: str | None) -> bool:
    """Whether a host name is this machine: 127.0.0.0/8, `localhost` or ::1."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    taizhang_webapp_url: str = ""  # the Mini App's URL as registered with @BotFather; "": none
    taizhang_webapp_name: str = ""  # its short name: the <app> of t.me/<bot>/<app>
    taizhang_web_listen: str = "127.0.0.1:8080"  # host:port of the web server (webhook, Mini App)

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

    @field_validator("taizhang_webapp_url")
    @classmethod
    def _webapp_url(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        plain_here = parts.scheme == "http" and is_loopback_host(parts.hostname)
        if not (parts.scheme == "https" and parts.hostname) and not plain_here:
            raise ValueError(
                f"TAIZHANG_WEBAPP_URL: '{value}' must be https (plain http only on 127.0.0.1)"
            )
        return value

    @field_validator("taizhang_webapp_name")
    @classmethod
    def _webapp_name(cls, value: str) -> str:
        if value and not APP_NAME.fullmatch(value):
            raise ValueError(f"TAIZHANG_WEBAPP_NAME: '{value}' is not a Mini App's short name")
        return value

    @field_validator("taizhang_web_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"TAIZHANG_WEB_LISTEN: '{value}' is not host:port")
        return value

    @property
    def mini_app(self) -> bool:
        """Whether the Mini App is configured (its URL is set)."""
        return bool(self.taizhang_webapp_url)

    @property
    def web_listen(self) -> tuple[str, int]:
        """Where the web server listens: (host, port)."""
        host, _, port = self.taizhang_web_listen.rpartition(":")
        return host.strip("[]"), int(port)

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
