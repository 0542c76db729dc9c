"""A database connection lost under a process's feet, as a restart of PostgreSQL or a network cut does."""

from __future__ import annotations

import psycopg2
from django.db import connection


def lose_this_connection() -> None:
    """PostgreSQL ends this thread's session: its next query fails, and every one after it until it reconnects."""
    pid = connection.connection.get_backend_pid()
    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")})
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
