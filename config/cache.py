"""Django's database cache, with `set` in one statement.

The project's shared cache is the database (several app servers, no other server to run).
Django's `DatabaseCache.set` counts the table, reads the key, then updates or inserts, inside a
savepoint: four or five statements for every entry written, which put a dashboard page that
has to compute its figures over the project's limit of ten queries. Here `set` is one upsert
(`INSERT … ON CONFLICT (cache_key) DO UPDATE`, on SQLite 3.24+ and PostgreSQL), and the table
is culled on one write in `CULL_EVERY` rather than counted on every write. Everything else
(reading, `add`, `touch`, deleting, culling itself) is Django's.
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

#: One write in this many counts the table and culls it when it holds more than MAX_ENTRIES.
CULL_EVERY = 50


class UpsertDatabaseCache(DatabaseCache):
    """`DatabaseCache` whose `set` writes in one statement (see the module's docstring)."""

    def set(
        self,
        key: str,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
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
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        key_column, value_column, expires_column = (
            quote(name) for name in ("cache_key", "value", "expires")
        )
        with connection.cursor() as cursor:
            if random.randrange(CULL_EVERY) == 0:  # noqa: S311 - spreading work, not a secret
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                entries = cursor.fetchone()[0]
                if entries > self._max_entries:
                    self._cull(db, cursor, tz_now().replace(microsecond=0), entries)
            cursor.execute(
                f"INSERT INTO {table} ({key_column}, {value_column}, {expires_column}) "  # noqa: S608
                f"VALUES (%s, %s, %s) ON CONFLICT ({key_column}) DO UPDATE SET "
                f"{value_column} = excluded.{value_column}, "
                f"{expires_column} = excluded.{expires_column}",
                [key, encoded, expires],
            )
