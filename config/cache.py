"""Django's database cache, with `set` in one statement.

The project's shared cache is the database (several app servers, no other server to run).
Django's `DatabaseCache.set` counts the table, reads the key, then updates or inserts, inside a
savepoint: four or five statements for every entry written, which put a dashboard page that
has to compute its figures over the project's limit of ten queries. Here `set` is one upsert
(`INSERT … ON CONFLICT (cache_key) DO UPDATE`, on SQLite 3.24+ and PostgreSQL), `set_many`
one statement for all its entries, and one write in `PRUNE_EVERY` deletes what has expired
instead of counting the table on every write (entries are written with a timeout, an hour for
the dashboard's, so the table holds about an hour's writes). Everything else (reading, `add`,
`touch`, deleting) is Django's.
"""

from __future__ import annotations

import base64
import pickle  # nosec B403 - the cache's own values, written by this app only
import random
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils.timezone import now as tz_now

#: One write in this many also deletes the entries that have expired (one statement more).
PRUNE_EVERY = 50


class UpsertDatabaseCache(DatabaseCache):
    """`DatabaseCache` whose `set` and `set_many` write in one statement (see the module's
    docstring)."""

    def set(
        self,
        key: str,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        self._upsert({key: value}, timeout, version)

    def set_many(
        self,
        data: dict[str, Any],
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[str]:
        if data:
            self._upsert(data, timeout, version)
        return []

    def _upsert(self, data: dict[str, Any], timeout: float | None, version: int | None) -> None:
        backend_timeout = self.get_backend_timeout(timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)
        if backend_timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(backend_timeout, tz=UTC if settings.USE_TZ else None)
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        params: list[Any] = []
        for key, value in data.items():
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            params += [self.make_and_validate_key(key, version=version), encoded, expires]
        key_column, value_column, expires_column = (
            quote(name) for name in ("cache_key", "value", "expires")
        )
        rows = ", ".join(["(%s, %s, %s)"] * len(data))
        with connection.cursor() as cursor:
            if random.randrange(PRUNE_EVERY) == 0:  # noqa: S311 - spreading work, not a secret
                now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
                cursor.execute(f"DELETE FROM {table} WHERE {expires_column} < %s", [now])  # noqa: S608
            cursor.execute(
                f"INSERT INTO {table} ({key_column}, {value_column}, {expires_column}) "  # noqa: S608
                f"VALUES {rows} ON CONFLICT ({key_column}) DO UPDATE SET "
                f"{value_column} = excluded.{value_column}, "
                f"{expires_column} = excluded.{expires_column}",
                params,
            )
