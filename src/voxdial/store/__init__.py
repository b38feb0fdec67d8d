"""Storage: tables, the engine, migrations and repositories. Same code on SQLite and
PostgreSQL."""
