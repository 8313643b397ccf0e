"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from workflows.json_types import JSONValue
from workflows.supervision.scores import ScoreRule, rule_from


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes: stored as UTC, always read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite has no time zones: keep the UTC wall time, naive, so ordering is textual.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Stored = TypeVar("Stored")


class _JSONColumn(TypeDecorator[Stored]):
    """JSON on SQLite, JSONB on PostgreSQL, read back as `Stored`."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[JSONValue]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


class JSONData(_JSONColumn[JSONValue]):
    """JSON on SQLite, JSONB on PostgreSQL."""

    cache_ok = True


class ScoreRuleData(_JSONColumn[ScoreRule]):
    """A campaign's scores rule, stored as its JSON and read back as a `ScoreRule` once, when
    the row is loaded (an empty object is the default rule)."""

    cache_ok = True

    def process_bind_param(self, value: ScoreRule | None, dialect: Dialect) -> object:
        return None if value is None else value.to_json()

    def process_result_value(self, value: object, dialect: Dialect) -> ScoreRule | None:
        return rule_from(value) if isinstance(value, Mapping) else None
