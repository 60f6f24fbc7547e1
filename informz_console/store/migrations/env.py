"""Alembic environment: runs on the connection handed in by store/migrate.py."""

from alembic import context

from informz_console.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    on_version_apply=context.config.attributes.get("on_version_apply", ()),  # store/migrate.py
)
with context.begin_transaction():
    context.run_migrations()
