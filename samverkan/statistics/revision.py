"""The data revision: one number that moves with every write to a table the figures are read from.

The overview caches what it computed (dashboard.cache) under the revision it read first: a
write by any path — the records' services, imports, the API, the disposal of records, the
demo's seeding, the coordinator's configuration, raw SQL — moves the revision in the same
transaction, by database triggers on every table in `TABLES`, so a reader who sees the new
figures also sees the new revision, and no reader caches old figures under it.

- SQLite: three row triggers a table (insert, update, delete), each adding one to the row.
- PostgreSQL: one statement trigger a table (insert, update, delete, truncate), which only notes,
  once a transaction, that the revision must move (a row in `PENDING`); a deferred constraint
  trigger on that row moves it when the transaction commits, once. The row's lock is held from
  then to the end of the commit, not for the whole transaction: a registration does not wait
  for an import's transaction to end, only for another writer's commit in progress
  (docs/ARCHITECTURE.md).

`epoch` is drawn when the row is made; a database emptied and filled again (a test's flush, a
new installation) starts a new epoch, so that a cache kept across it never answers the new data
with figures of the old under the same number.
"""

import secrets

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "statistics_datarevision"
PENDING = "statistics_revisionpending"
"""PostgreSQL only: a transaction that wrote a table of TABLES has one row here until it commits;
its constraint trigger, deferred to the commit, moves the revision and deletes the row."""

TABLES = (
    # The stored counts and what the public level has released (this app).
    "statistics_dailycount",
    "statistics_monthlycount",
    "statistics_historicalmonthlycount",
    "statistics_clinicseriescount",
    "statistics_disclosurekey",
    "statistics_releasedfigure",
    # The records the clinic's distinct clients and the referral codes are read from.
    "records_chatconversation",
    "records_clinicclient",
    "records_clinicsession",
    "referrals_referral",
    # The partnership's configuration: units, districts, services, parties, agreements.
    "partnership_partnership",
    "partnership_partnership_units",
    "partnership_unit",
    "partnership_district",
    "partnership_service",
    "partnership_party",
    "partnership_organisation",
    "partnership_agreement",
    # The reporting periods: the agreement's obligations and the committee documents.
    "governance_obligation",
    "governance_obligationitem",
    "reports_report",
)
"""Every table an overview reads other than the request's own (session, user, second factor,
audit entries); `dashboard/tests/test_revision.py` fails when a page reads one not named here.
Tables of higher layers (governance, reports) are named, not imported: the triggers are
installed after every migration (`install_triggers`, from the app's post_migrate)."""

_PG_FUNCTIONS = (
    # The statement triggers' function: the first write of a transaction to a table of TABLES
    # queues the move for its commit (a setting local to the transaction says it is queued; a
    # savepoint rolled back undoes both the row and the setting).
    f"""
CREATE OR REPLACE FUNCTION statistics_bump_revision() RETURNS trigger AS $$
BEGIN
    IF current_setting('samverkan.revision_pending', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('samverkan.revision_pending', 'on', true);
        INSERT INTO {PENDING} DEFAULT VALUES;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    # At the commit: the move itself, in the writer's transaction, so that a reader who sees the
    # new figures sees the new revision.
    f"""
CREATE OR REPLACE FUNCTION statistics_bump_revision_at_commit() RETURNS trigger AS $$
BEGIN
    UPDATE {TABLE} SET value = value + 1 WHERE id = 1;
    DELETE FROM {PENDING} WHERE id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
)
_PG_PENDING_TRIGGER = f"{PENDING}_at_commit"


def _trigger_names(table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"{table}_revision"]
    return [f"{table}_revision_{op}" for op in ("insert", "update", "delete")]


def installed_triggers(connection: BaseDatabaseWrapper = default_connection) -> set[str]:
    """The names of the revision's triggers in the database, with the table they are on, as
    "table:name"."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal"
                " AND (t.tgname LIKE '%%_revision' OR t.tgname LIKE '%%_at_commit')"
            )
        else:
            cursor.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE '%revision%'"
            )
        return {f"{table}:{name}" for table, name in cursor.fetchall()}


def install_triggers(connection: BaseDatabaseWrapper = default_connection) -> int:
    """Makes the revision's row and the triggers missing on the tables that exist; returns how
    many triggers were made. Idempotent: run after every migration, since SQLite drops a
    table's triggers when a migration rebuilds the table."""
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        return 0
    existing_tables = set(connection.introspection.table_names())
    if TABLE not in existing_tables:
        return 0
    ensure_row(connection)
    have = installed_triggers(connection)
    made = 0
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {PENDING} (id bigserial PRIMARY KEY)")
            for function in _PG_FUNCTIONS:
                cursor.execute(function)
            if f"{PENDING}:{_PG_PENDING_TRIGGER}" not in have:
                cursor.execute(
                    f'CREATE CONSTRAINT TRIGGER "{_PG_PENDING_TRIGGER}" AFTER INSERT ON {PENDING}'
                    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION"
                    " statistics_bump_revision_at_commit()"
                )
        for table in TABLES:
            if table not in existing_tables:
                continue
            for name in _trigger_names(table, vendor):
                if f"{table}:{name}" in have:
                    continue
                if vendor == "postgresql":
                    cursor.execute(
                        f'CREATE TRIGGER "{name}" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE'
                        f' ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION'
                        " statistics_bump_revision()"
                    )
                else:
                    op = name.rsplit("_", 1)[1].upper()
                    cursor.execute(
                        f'CREATE TRIGGER IF NOT EXISTS "{name}" AFTER {op} ON "{table}"'
                        f" BEGIN UPDATE {TABLE} SET value = value + 1 WHERE id = 1; END"
                    )
                made += 1
    return made


def ensure_row(connection: BaseDatabaseWrapper = default_connection) -> None:
    """The revision's one row, with a new epoch when it is made."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (id, epoch, value) VALUES (1, %s, 0) ON CONFLICT (id) DO NOTHING",
            [secrets.token_hex(8)],
        )


def current(connection: BaseDatabaseWrapper = default_connection) -> str | None:
    """The revision as "epoch:value", read in one query; None without its row (a database
    emptied since its migration), when nothing may be cached."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT epoch, value FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return f"{row[0]}:{row[1]}" if row else None


def remove_triggers(connection: BaseDatabaseWrapper = default_connection) -> None:
    """Undoes `install_triggers` (the migration's reverse)."""
    with connection.cursor() as cursor:
        for entry in installed_triggers(connection):
            table, name = entry.split(":", 1)
            if connection.vendor == "postgresql":
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
            else:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TABLE IF EXISTS {PENDING}")
            cursor.execute("DROP FUNCTION IF EXISTS statistics_bump_revision()")
            cursor.execute("DROP FUNCTION IF EXISTS statistics_bump_revision_at_commit()")
