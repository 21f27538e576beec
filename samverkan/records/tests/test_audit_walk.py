"""Every page that shows or exports records writes its audit entry: the pages are taken from the
URL configuration, so a new record page is walked here without being listed."""

import datetime

import pytest
from django.urls import URLPattern, get_resolver, reverse

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.conftest import local, sign_in
from samverkan.records import services

pytestmark = pytest.mark.django_db

# What reading each kind of page is logged as; pages that read no record (an empty form) and
# POST-only pages are named here so that any other page must say what it logs.
ACTION_BY_SUFFIX = {
    "_list": "records.listed",
    "_export": "records.exported",
    "_detail": "records.{model}.viewed",
    "_edit": "records.{model}.viewed",
    "_delete": "records.{model}.viewed",
}
# The import's upload form and its template files show no record.
READS_NO_RECORD = {"_create", "_import", "_import_template"}
POST_ONLY = {"records:clinic_session_add", "records:clinic_close", "records:clinic_reopen"}
POST_ONLY |= {"records:clinic_session_delete"}
POST_ONLY |= {f"records:{kind}_import_confirm" for kind in ("chat", "support", "clinic")}
MODEL = {"chat": "chat_conversation", "support": "support_centre_case", "clinic": "clinic_client"}


def _record_pages() -> list[str]:
    resolver = get_resolver()
    records = next(
        entry for entry in resolver.url_patterns if getattr(entry, "namespace", None) == "records"
    )
    return [
        f"records:{entry.name}"
        for entry in records.url_patterns
        if isinstance(entry, URLPattern) and entry.name
    ]


@pytest.fixture
def staff(small):
    def user(name, role, unit):
        return User.objects.create_user(name, password="x" * 16, role=role, unit=unit)

    users = {
        "chat": user("volunteer", Role.VOLUNTEER, small.chat),
        "support": user("officer", Role.SUPPORT_CENTRE_OFFICER, small.support_centre),
        "clinic": user("counsellor", Role.COUNSELLOR, small.clinic),
    }
    records = {
        "chat": services.chat_conversation_create(
            unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim"
        ),
        "support": services.support_centre_case_create(
            unit=small.support_centre, received_on=datetime.date(2022, 3, 1), category="victim"
        ),
        "clinic": services.clinic_client_create(
            unit=small.clinic, ref="SM-1", first_visit=datetime.date(2022, 1, 10), concern="victim"
        ),
    }
    return users, records


def test_every_record_page_and_export_writes_its_audit_entry(client, staff):
    users, records = staff
    walked = []
    for name in _record_pages():
        if name in POST_ONLY:
            continue
        kind, suffix = name.split(":")[1].split("_", 1)
        suffix = f"_{suffix}"
        if suffix in READS_NO_RECORD:
            continue
        assert suffix in ACTION_BY_SUFFIX, f"{name}: say what reading this page is logged as"
        sign_in(client, users[kind])
        record = records[kind]
        args = [record.pk] if suffix in ("_detail", "_edit", "_delete") else []
        before = AuditEntry.objects.count()
        response = client.get(
            reverse(name, args=args), {"format": "csv"} if suffix == "_export" else {}
        )
        assert response.status_code == 200, name
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # an export logs as it is read out
        entry = AuditEntry.objects.order_by("pk").last()
        assert AuditEntry.objects.count() == before + 1, name
        assert entry.action == ACTION_BY_SUFFIX[suffix].format(model=MODEL[kind]), name
        assert entry.user == users[kind] and entry.unit == users[kind].unit
        if suffix in ("_detail", "_edit", "_delete"):
            assert entry.target_id == record.pk
        walked.append(name)
    assert len(walked) >= 15  # lists, details, edits, deletions and exports of three kinds
