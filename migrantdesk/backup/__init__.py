"""Backups: the database (SQLite online backup, pg_dump/pg_restore) and the leaflet store."""
