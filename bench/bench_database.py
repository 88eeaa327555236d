"""The empty PostgreSQL database a bench migrates and fills, made anew on each run."""

SERVER = "postgres://postgres@127.0.0.1:5432"


def recreate_database(name: str, server: str = SERVER) -> str:
    """Drop and create `name` on `server`; return its URL."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"
