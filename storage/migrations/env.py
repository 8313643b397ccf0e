"""Alembic environment: runs against the engine the application hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

MIGRATION_KEY = 0x7A69_6A67  # shared by every process of the bot
config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite alters a table by rebuilding it; the drop of the old copy must not cascade
        # into its children. Foreign keys go off outside the transaction (SQLite ignores the
        # pragma inside one) and are checked before they go back on.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Several processes starting at once: one migrates, the others wait, then find
            # the schema at head. The lock ends with this transaction.
            connection.execute(text("select pg_advisory_xact_lock(:k)"), {"k": MIGRATION_KEY})
        context.run_migrations()
    connection.commit()
    if sqlite:
        broken = connection.execute(text("PRAGMA foreign_key_check")).all()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()
        if broken:
            raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
