"""The proof of CONTRIBUTING's "add a field": whether a support-centre case was told that support
to stop using violence exists (the agreement's commitment), end to end from its declaration —
the staff form and page, the import (a file written before the column still reads), the export
and the API, one record and a batch."""

import csv
import io
import re

import pytest
from django.urls import reverse

from samverkan.accounts.models import Role, User
from samverkan.api.tests.conftest import bearer, manager_of
from samverkan.api.tokens import api_token_create
from samverkan.conftest import sign_in
from samverkan.records.exports import records_export_csv
from samverkan.records.imports import records_import
from samverkan.records.models import SupportCentreCase

pytestmark = pytest.mark.django_db

OLD_HEADER = "ref,received_on,gender,age,category,screened,screening_answer,referred_to"


@pytest.fixture
def officer(small):
    return User.objects.create_user(
        "officer", password="x" * 16, role=Role.SUPPORT_CENTRE_OFFICER, unit=small.support_centre
    )


def test_the_form_registers_it_and_the_page_shows_it(client, small, officer):
    sign_in(client, officer)
    form = client.get(reverse("records:support_create")).content.decode()
    assert "Informerad om att det finns stöd för att sluta använda våld" in form
    response = client.post(
        reverse("records:support_create"),
        {
            "received_on": "2022-03-01",
            "category": "suspect-mediation",
            "gender": "boy",
            "age": "17",
            "screening": "not-asked",
            "referred_to": "",
            "told_of_support_to_stop": "True",
        },
    )
    assert response.status_code == 302
    case = SupportCentreCase.objects.get()
    assert case.told_of_support_to_stop is True
    page = client.get(reverse("records:support_detail", args=[case.pk])).content.decode()
    assert "<dd>Ja</dd>" in page
    # Changed on the record's form: not noted.
    edit = reverse("records:support_edit", args=[case.pk])
    assert re.search(r'value="True"[^>]* checked', client.get(edit).content.decode())
    client.post(
        edit,
        {
            "received_on": "2022-03-01",
            "category": "suspect-mediation",
            "gender": "boy",
            "age": "17",
            "screening": "not-asked",
            "referred_to": "",
            "told_of_support_to_stop": "",
        },
    )
    case.refresh_from_db()
    assert case.told_of_support_to_stop is None


def test_import_with_and_without_the_column_and_export(small, tmp_path, officer):
    old = tmp_path / "old.csv"
    old.write_text(f"{OLD_HEADER}\ns1,2022-03-01,girl,14,victim,no,,\n", encoding="utf-8")
    new = tmp_path / "new.csv"
    new.write_text(
        f"{OLD_HEADER},told_of_support_to_stop\n"
        "s2,2022-03-02,boy,16,suspect-mediation,no,,,yes\n"
        "s3,2022-03-03,boy,15,suspect-interrogation,no,,,no\n",
        encoding="utf-8",
    )
    unit = small.support_centre
    assert records_import(kind="support-centre", path=old, unit=unit).rows_added == 1
    assert records_import(kind="support-centre", path=new, unit=unit).rows_added == 2
    told = dict(SupportCentreCase.objects.values_list("ref", "told_of_support_to_stop"))
    assert told == {"s1": None, "s2": True, "s3": False}
    rows = list(csv.reader(io.StringIO("".join(records_export_csv(user=officer, kind="support")))))
    assert rows[0][-1] == "told_of_support_to_stop"
    assert [row[-1] for row in rows[1:]] == ["", "yes", "no"]


def test_the_api_reads_and_writes_it(client, small):
    token = api_token_create(
        by=manager_of(small.support_centre), name="support write", scope="write"
    ).secret
    body = {"received_on": "2022-04-02", "category": "witness"}
    one = client.post(
        "/api/v1/support-centre-cases/",
        {**body, "ref": "A-1", "told_of_support_to_stop": False},
        content_type="application/json",
        **bearer(token),
    )
    assert one.status_code == 201 and one.json()["told_of_support_to_stop"] is False
    batch = client.post(
        "/api/v1/support-centre-cases/batch/",
        {
            "records": [
                {**body, "ref": "B-1", "told_of_support_to_stop": True},
                {**body, "ref": "B-2"},
            ]
        },
        content_type="application/json",
        **bearer(token),
    )
    assert batch.status_code == 201
    told = dict(SupportCentreCase.objects.values_list("ref", "told_of_support_to_stop"))
    assert told == {"A-1": False, "B-1": True, "B-2": None}
