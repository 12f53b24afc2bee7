"""Database layer: SQLAlchemy 2 typed models, one engine per process, Alembic migrations."""
