"""The local mirror: SQLAlchemy models, engine, Alembic migrations, read queries."""
