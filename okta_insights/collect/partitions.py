"""Monthly partitions of the System Log table on PostgreSQL (migration 0001 makes the table
partitioned by `published`). Elsewhere (SQLite) the table is plain and these do nothing.

A month's partition is created before the first event of that month is stored, and the
retention task drops whole months, which costs nothing like deleting their rows one by one.
"""

from datetime import UTC, datetime

from django.db import connection

from ..models import OktaEvent

TABLE = OktaEvent._meta.db_table


def partitioned() -> bool:
    return connection.vendor == "postgresql"


def month_of(moment: datetime) -> tuple[int, int]:
    moment = moment.astimezone(UTC)
    return moment.year, moment.month


def _name(year: int, month: int) -> str:
    return f"{TABLE}_p{year:04d}{month:02d}"


def _bounds(year: int, month: int) -> tuple[str, str]:
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return (
        f"{year:04d}-{month:02d}-01 00:00:00+00",
        f"{following[0]:04d}-{following[1]:02d}-01 00:00:00+00",
    )


def ensure_months(months: set[tuple[int, int]]) -> None:
    """Create the partitions these months need, if missing (a cheap catalog look-up)."""
    if not partitioned() or not months:
        return
    with connection.cursor() as cursor:
        for year, month in sorted(months):
            name = _name(year, month)
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                low, high = _bounds(year, month)
                cursor.execute(
                    f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{TABLE}" '
                    f"FOR VALUES FROM ('{low}') TO ('{high}')"
                )


def drop_months_before(cutoff: datetime) -> dict[str, int]:
    """Drop every partition that holds only events older than ``cutoff``; each one's name
    and how many events it held (they are deleted too, only not one by one)."""
    if not partitioned():
        return {}
    dropped = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
        for name in names:
            year, month = int(name[-6:-2]), int(name[-2:])
            following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
            if following <= cutoff:
                # the name is a partition's, read from pg_inherits above
                cursor.execute(f'SELECT count(*) FROM "{name}"')  # noqa: S608
                dropped[name] = cursor.fetchone()[0]
                cursor.execute(f'DROP TABLE "{name}"')
    return dropped
