"""The overview's cache and the data revision it is keyed by (dashboard.cache,
statistics.revision), on the real database (SQLite or PostgreSQL): every table an overview
reads has the revision's triggers; a write by any path is on the next page; a page answered
from the cache is byte for byte the page computed; the audit entry and the public level's
release rules hold on a hit.

Most tests here use `transactional_db`: the cache keeps an entry when the request's transaction
commits, which a test run inside one transaction (`django_db`) never does."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samverkan.accounts.models import AuditEntry
from samverkan.conftest import local, sign_in
from samverkan.partnership.models import District
from samverkan.records import services
from samverkan.records.imports.run import records_import
from samverkan.records.models import ChatConversation
from samverkan.retention.disposal import dispose
from samverkan.statistics import revision
from samverkan.statistics.history import history_month_set
from samverkan.statistics.models import MonthlyCount, ReleasedFigure

YEAR = {"date_from": "2022-01-01", "date_to": "2022-12-31"}

PER_REQUEST = {
    "django_session",
    "accounts_user",
    "accounts_auditentry",
    "otp_totp_totpdevice",
    revision.TABLE,
}
"""Tables an overview reads for the request itself, not for its figures or lists."""

MASKS = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), "csrf"),
    (re.compile(r'nonce="[^"]+"'), "nonce"),
]


@pytest.fixture(autouse=True)
def _empty_cache():  # noqa: ANN202
    cache.clear()
    yield
    cache.clear()


def _page(client, **query) -> str:
    response = client.get(reverse("dashboard:overview"), {**YEAR, **query})
    if response.content[:2] == b"PK":  # XLSX: its sheets, not the time it was written
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "\n".join(
                archive.read(name).decode()
                for name in sorted(archive.namelist())
                if not name.startswith("docProps/")
            )
    text = response.content.decode()
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return f"{response.status_code} {response.get('Content-Type')}\n{text}"


QUERIES = [
    {},
    {"unit": "chat"},
    {"unit": "clinic"},
    {"unit": "support"},
    {"district": "north"},
    {"unit": "chat", "district": "north"},
    {"unit": "support", "district": "north"},
    {"unit": "dept"},
    {"format": "csv"},
    {"format": "xlsx"},
    {"date_from": "2022-03-05", "date_to": "2022-03-20"},
    {"date_from": "2022-03-20", "date_to": "2022-03-05"},
]


@pytest.mark.django_db
def test_every_table_an_overview_reads_has_the_revisions_triggers(client, readers):
    """The tripwire: a page that starts reading a table without triggers (a new model in the
    figures, a table rebuilt by a migration on SQLite) fails here."""
    read: dict[str, set[str]] = {}
    for name, user in readers.items():
        sign_in(client, user)
        for query in [*QUERIES, {"date_from": ""}]:
            for _ in range(2):  # the public level's first reading releases its months
                cache.clear()
                with CaptureQueriesContext(connection) as captured:
                    client.get(reverse("dashboard:overview"), {**YEAR, **query})
                for entry in captured.captured_queries:
                    for table in re.findall(
                        r'(?:FROM|JOIN|INTO|UPDATE)\s+"(\w+)"', entry["sql"], re.IGNORECASE
                    ):
                        read.setdefault(table, set()).add(name)
        client.logout()
    installed = revision.installed_triggers()
    tables = set(read) - PER_REQUEST
    missing = {
        table
        for table in tables
        for name in revision._trigger_names(table, connection.vendor)
        if f"{table}:{name}" not in installed
    }
    assert not missing, f"read by the overview without the revision's triggers: {missing}"
    # The readers' pages read the stored counts, the records behind the clinic's and the
    # referrals' figures, the release ledger and the configuration: the test sees them all.
    assert {
        "statistics_monthlycount",
        "statistics_dailycount",
        "statistics_releasedfigure",
        "records_clinicsession",
        "referrals_referral",
        "partnership_unit",
        "governance_obligationitem",
    } <= tables
    assert tables <= set(revision.TABLES)


@pytest.mark.django_db(transaction=True)
def test_a_bulk_write_moves_the_revision_when_it_commits(small):
    before = revision.current()
    rows = [(small.chat.pk, datetime.date(2021, month, 1), "chat.total", 1, 0) for month in (1, 2)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO statistics_monthlycount (unit_id, month, metric, n, total)"
            " VALUES (%s, %s, %s, %s, %s)",
            rows,
        )
        cursor.execute(
            "INSERT INTO statistics_monthlycount (unit_id, month, metric, n, total)"
            " SELECT unit_id, month, 'chat.other', n, total FROM statistics_monthlycount"
            " WHERE metric = 'chat.total'"
        )
        if connection.vendor == "postgresql":
            assert revision.current() == before  # it moves when the transaction commits
    epoch, value = revision.current().split(":")
    assert epoch == before.split(":")[0]
    moved = int(value) - int(before.split(":")[1])
    if connection.vendor == "postgresql":
        assert moved == 1  # once a transaction, at its commit
    else:
        assert moved == 4  # once a row


def _count(small, month: int) -> None:
    MonthlyCount.objects.create(unit=small.chat, month=datetime.date(2020, month, 1), metric="x")


def _moved(before: str) -> int:
    return int(revision.current().split(":")[1]) - int(before.split(":")[1])


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has one writer at a time anyway"
)
@pytest.mark.django_db(transaction=True)
def test_a_writer_does_not_wait_for_another_writers_transaction_to_end(small):
    """A registration while an import's transaction is open: it commits at once (it used to
    wait for the import to end, on the revision row's lock), and each transaction moves the
    revision once, when it commits; one rolled back does not move it."""
    before = revision.current()
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:  # an import, in its transaction, not yet committed
            cursor.execute(
                "INSERT INTO statistics_monthlycount (unit_id, month, metric, n, total)"
                " VALUES (%s, '2020-01-01', 'y', 1, 0)",
                [small.chat.pk],
            )
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        with transaction.atomic():  # a registration meanwhile
            _count(small, 2)
        assert _moved(before) == 1
        other.commit()
        assert _moved(before) == 2
        with other.cursor() as cursor:
            cursor.execute(
                "INSERT INTO statistics_monthlycount (unit_id, month, metric, n, total)"
                " VALUES (%s, '2020-03-01', 'y', 1, 0)",
                [small.chat.pk],
            )
        other.rollback()
        assert _moved(before) == 2
    finally:
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    # A write in a savepoint rolled back leaves nothing to move; a later one in the same
    # transaction moves it once.
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            _count(small, 4)
            raise RuntimeError
    assert _moved(before) == 2
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            _count(small, 5)
            raise RuntimeError
        _count(small, 6)
        _count(small, 7)
    assert _moved(before) == 3
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {revision.PENDING}")
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db
def test_triggers_lost_to_a_rebuilt_table_are_made_again_after_migrating():
    table = "statistics_monthlycount"
    names = revision._trigger_names(table, connection.vendor)
    with connection.cursor() as cursor:
        for name in names:
            if connection.vendor == "postgresql":
                cursor.execute(f'DROP TRIGGER "{name}" ON "{table}"')
            else:
                cursor.execute(f'DROP TRIGGER "{name}"')
    assert not {f"{table}:{name}" for name in names} & revision.installed_triggers()
    assert revision.install_triggers() == len(names)
    assert {f"{table}:{name}" for name in names} <= revision.installed_triggers()
    assert revision.install_triggers() == 0


def _register(small, coordinator, tmp_path):
    services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 5, 4, 18), concern="victim"
    )


def _correct(small, coordinator, tmp_path):
    conversation = ChatConversation.objects.order_by("pk").first()
    services.chat_conversation_update(conversation=conversation, concern="friend")


def _delete(small, coordinator, tmp_path):
    conversation = ChatConversation.objects.order_by("pk").first()
    services.chat_conversation_delete(conversation=conversation)


def _import(small, coordinator, tmp_path):
    path = tmp_path / "chat.csv"
    path.write_text(
        "ref,started_at,resident,district,gender,age,concern,violence,referred_to\n"
        "i1,2022-06-01 10:00,yes,north,girl,16,victim,,\n",
        encoding="utf-8",
    )
    records_import(kind="chat", path=path)


def _history(small, coordinator, tmp_path):
    history_month_set(
        by=coordinator,
        unit=small.chat,
        month=datetime.date(2021, 3, 1),
        figures={
            "chat.by_concern.victim": (7, 0),
            "chat.by_concern.friend": (3, 0),
            "chat.residents.by_gender_and_concern.girl.victim": (5, 0),
            "chat.residents.by_district.unknown": (5, 0),
            "chat.residents.age.girl": (4, 60),
        },
    )


def _configuration(small, coordinator, tmp_path):
    District.objects.filter(pk=small.district.pk).update(name="North side")


def _disposal(small, coordinator, tmp_path):
    dispose(today=datetime.date(2027, 12, 31))


def _raw_bulk_insert(small, coordinator, tmp_path):
    # March's counts again as April's, in one statement past every service.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO statistics_monthlycount (unit_id, month, metric, n, total)"
            " SELECT unit_id, %s, metric, n, total FROM statistics_monthlycount WHERE month = %s",
            [datetime.date(2022, 4, 1), datetime.date(2022, 3, 1)],
        )


WRITES = [
    (_register, True),
    (_correct, True),
    (_delete, True),
    (_import, True),
    (_history, True),  # a month of 2021: the year before's column
    (_configuration, True),
    (_disposal, False),  # the figures stay what they were: that is what disposal keeps
    (_raw_bulk_insert, True),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("write", "changes"), WRITES, ids=[w.__name__[1:] for w, _c in WRITES])
def test_a_write_by_any_path_is_on_the_next_overview(
    client, readers, small, tmp_path, write, changes
):
    coordinator = readers["coordinator"]
    sign_in(client, coordinator)
    query = {"district": "north"} if write is _configuration else {}
    before = _page(client, **query)
    assert _page(client, **query) == before  # kept, and answered from the cache
    stamp = revision.current()
    write(small, coordinator, tmp_path)
    assert revision.current() != stamp
    after = _page(client, **query)
    cache.clear()
    assert after == _page(client, **query)  # what a computation gives now
    if changes:
        assert after != before


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reader", ["coordinator", "steering", "unit-manager"])
def test_a_page_answered_from_the_cache_is_the_page_computed(client, readers, reader):
    sign_in(client, readers[reader])
    _page(client)  # the public level's first page releases the year's months: a write
    cache.clear()
    for query in [*QUERIES, {"date_from": ""}]:
        first = _page(client, **query)
        with CaptureQueriesContext(connection) as kept:
            second = _page(client, **query)
        # (Read now: the next request empties the connection's log of queries.)
        read = " ".join(q["sql"] for q in kept.captured_queries)
        assert read
        assert second == first, query
        cache.clear()
        assert _page(client, **query) == first, query
        if 'id="figures-heading"' in first:
            # Answered from the cache: the request's own queries, the partnerships, the
            # revision (and the unit manager's audit entry); no figure, list or period. (A
            # message instead of figures is computed each time: FilterNotPublic and the
            # public level's periods.)
            for table in ("monthlycount", "releasedfigure", "partnership_district", "obligation"):
                assert table not in read, (query, table)
    client.cookies["django_language"] = "en"
    english = _page(client)
    assert _page(client) == english
    assert "Key figures" in english


@pytest.mark.django_db(transaction=True)
def test_every_read_of_own_exact_figures_is_audited_kept_or_not(client, readers, small):
    manager = readers["unit-manager"]
    sign_in(client, manager)
    for _ in range(3):
        _page(client)
    _page(client, format="csv")
    entries = AuditEntry.objects.filter(action="statistics.own_unit.viewed", user=manager)
    assert entries.count() == 4
    assert {entry.unit_id for entry in entries} == {small.chat.pk}


@pytest.mark.django_db(transaction=True)
def test_public_figures_kept_only_once_the_ledger_holds_them(client, readers, small):
    """A public page whose months this request released is kept only once the release has
    committed: a request rolled back leaves nothing kept, so the next one releases again, and
    every public page shows what the ledger holds."""
    sign_in(client, readers["steering"])
    with pytest.raises(RuntimeError), transaction.atomic():
        rolled_back = _page(client)
        assert ReleasedFigure.objects.exists()
        raise RuntimeError
    assert not ReleasedFigure.objects.exists()
    first = _page(client)
    assert ReleasedFigure.objects.exists()  # computed and released, not answered from a kept page
    assert first == rolled_back
    assert _page(client) == first
    # The ledger is what the page shows: a changed ledger is on the next page.
    march = ReleasedFigure.objects.get(partnership=small.partnership, cell="2022-03")
    cell = "chat.by_concern.victim"
    march.values = {**march.values, cell: march.values.get(cell, 0) + 10}
    march.save()
    changed = _page(client)
    assert changed != first
    cache.clear()
    assert _page(client) == changed


@pytest.mark.django_db(transaction=True)
def test_a_database_emptied_and_filled_again_starts_a_new_epoch(small):
    stamp = revision.current()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {revision.TABLE}")
    assert revision.current() is None  # nothing is kept without the row
    revision.install_triggers()
    assert revision.current().split(":")[0] != stamp.split(":")[0]
    MonthlyCount.objects.create(unit=small.chat, month=datetime.date(2022, 1, 1), metric="x")
    assert revision.current().endswith(":1")
