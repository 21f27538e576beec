"""Property-based: whatever the file, an import keeps all of it or nothing, and never crashes."""

import csv
import datetime
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samverkan.records.imports import KINDS, ImportFailed, records_import
from samverkan.records.models import (
    ChatConversation,
    ClinicClient,
    ClinicSession,
    ImportBatch,
    SupportCentreCase,
)
from samverkan.statistics.counters import counts_from_records, stored_counts
from samverkan.statistics.models import DailyCount

pytestmark = pytest.mark.django_db

PLAUSIBLE = {
    "ref": st.sampled_from(["", "r1", "r2", "SM-1", "a b", "x" * 70]),
    "client_ref": st.sampled_from(["SM-1", "SM-2", "", "nobody"]),
    "started_at": st.sampled_from(
        [
            "2022-01-03 18:45",
            "2022-03-27 02:30",
            "2022-01-03T18:45:00+01:00",
            "2022-02-30 10:00",
            "",
            "yesterday",
        ]
    ),
    "received_on": st.sampled_from(["2022-03-01", "2022-3-1", "", "2999-01-01"]),
    "first_visit": st.sampled_from(["2022-01-10", "", "10/01/2022"]),
    "date": st.sampled_from(["2022-01-10", "2022-02-01", "2021-01-01", ""]),
    "closed_on": st.sampled_from(["", "2022-03-01", "2021-01-01"]),
    "closure": st.sampled_from(["", "completed", "ended-early", "done"]),
    "resident": st.sampled_from(["yes", "no", "unknown", "", "YES", "maybe"]),
    "district": st.sampled_from(["", "north", "south"]),
    "gender": st.sampled_from(["girl", "boy", "other", "unknown", "", "woman"]),
    "age": st.sampled_from(["", "16", "0", "100", "17.5", "-3", "sixteen"]),
    "concern": st.sampled_from(["victim", "perpetrator", "friend", "other", "", "x"]),
    "violence": st.sampled_from(["", "physical", "physical;digital", "laser;", ";;"]),
    "referred_to": st.sampled_from(["", "clinic", "rvc", "nowhere"]),
    "category": st.sampled_from(["victim", "witness", "suspect-mediation", "", "thief"]),
    "screened": st.sampled_from(["yes", "no", "", "maybe"]),
    "screening_answer": st.sampled_from(["", "none", "victim", "both", "declined", "yes"]),
    "came_via": st.sampled_from(["", "chat", "self", "bus"]),
    "told_of_support_to_stop": st.sampled_from(["", "yes", "no", "YES", "maybe"]),
}
NOISE = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)


@st.composite
def files(draw):
    kind = draw(st.sampled_from(list(KINDS)))
    columns = KINDS[kind].columns
    header = list(columns)
    if draw(st.integers(0, 9)) == 0:  # sometimes a damaged header
        header = draw(st.permutations(columns)) if draw(st.booleans()) else header[:-1]
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        row = [
            draw(st.one_of(PLAUSIBLE[c], NOISE) if draw(st.integers(0, 5)) == 0 else PLAUSIBLE[c])
            for c in columns
        ]
        if draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(0, len(row)))] + draw(st.lists(NOISE, max_size=2))
        rows.append(row)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8", errors="surrogatepass")
    damage = draw(st.integers(0, 9))
    if damage == 0:  # raw bytes: invalid UTF-8, NUL, stray quotes
        position = draw(st.integers(0, len(data)))
        data = data[:position] + draw(st.binary(min_size=1, max_size=6)) + data[position:]
    elif damage == 1:
        data = data[: draw(st.integers(0, len(data)))]
    return kind, data


def _snapshot():
    return (
        ChatConversation.objects.count(),
        ClinicClient.objects.count(),
        ClinicSession.objects.count(),
        SupportCentreCase.objects.count(),
        ImportBatch.objects.count(),
        sorted(DailyCount.objects.values_list("unit_id", "day", "metric", "n", "total")),
    )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(file=files())
def test_any_file_imports_entirely_or_not_at_all(small, file):
    kind, data = file
    for ref in ("SM-1", "SM-2"):  # so that session files can succeed
        ClinicClient.objects.get_or_create(
            unit=small.clinic,
            ref=ref,
            defaults={"first_visit": datetime.date(2022, 1, 10), "concern": "victim"},
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        before = _snapshot()
        try:
            result = records_import(kind=kind, path=path)
        except ImportFailed as failed:
            assert failed.errors, "a failed import names at least one bad row"
            for error in failed.errors:
                assert str(error).startswith(f"line {error.line}, column ")
            assert _snapshot() == before
        else:
            # Every row was good: it was added, or its ref was already there.
            assert result.rows_added <= result.rows_read
            assert _snapshot()[4] == before[4] + 1
    unit_ids = [small.chat.id, small.support_centre.id]
    assert dict(stored_counts(unit_ids)) == counts_from_records(unit_ids)
