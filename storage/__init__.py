"""Storage: SQLAlchemy models, the engine, atomic domain operations, Alembic migrations."""
