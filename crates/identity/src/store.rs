//! Persistence: the `Store` traits and their SQLite and PostgreSQL implementations.
