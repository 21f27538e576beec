"""How many queries the committee documents' pages and command make, on the demo.

A tripwire, not a timing (see samverkan/records/tests/test_page_queries.py for the staff lists):
the list of documents, the editor, its preview (saved texts, unsaved ones, each disclosure level),
the document downloaded as HTML, and `samverkan report` writing the interim report. A query per
section, figure or period shows here as a number that grows. Session, user, second factor and
menu are part of each page's number. When a page changes on purpose, its number changes here
with it, and the commit says why.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samverkan.accounts.models import User
from samverkan.conftest import sign_in
from samverkan.demo.services import demo_build, demo_remove
from samverkan.reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    with django_db_blocker.unblock():
        built, _created = demo_build(seed=2022)
        yield built
        demo_remove()


def _interim() -> Report:
    return Report.objects.get(kind="interim", date_from="2022-01-01", date_to="2022-05-31")


def _detail() -> str:
    return reverse("reports:detail", args=[_interim().pk])


def _preview() -> str:
    return reverse("reports:preview", args=[_interim().pk])


def _download() -> str:
    return reverse("reports:download", args=[_interim().pk])


# (page, queries) for the coordinator, who writes the reports.
# (One fewer each since issue 18's accounts.permissions reads the user's partnerships by the
# unit's organisation's id, without reading the organisation; one fewer again since issue 19's
# accounts.middleware.OTPMiddleware reads the user's unit with the second factor's device, and
# one fewer since it reads the user with them too.)
PAGES = [
    (lambda: reverse("reports:list"), 4),
    (_detail, 22),  # the editor: its texts and the sentences of the figures
    (lambda: _preview(), 20),  # the public level: the released months' figures
    (lambda: _preview() + "?disclosure=internal", 22),  # the figures computed
    (lambda: _download() + "?format=html", 20),
]


def test_each_report_page_makes_a_fixed_number_of_queries(client, demo):
    sign_in(client, User.objects.get(username="samordnare"))
    found, expected = {}, {}
    for page, number in PAGES:
        path = page()
        client.get(path)  # the first request of a session may do more (e.g. a language)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        found[path], expected[path] = len(queries), number
    assert found == expected


def test_the_preview_of_unsaved_texts_makes_a_fixed_number_of_queries(client, demo):
    sign_in(client, User.objects.get(username="samordnare"))
    report = _interim()
    texts = dict(report.sections.values_list("key", "text"))
    texts["summary"] = "Ett osparat utkast till sammanfattningen."
    client.post(_preview(), texts)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(_preview(), texts)
    assert response.status_code == 200
    assert "Ett osparat utkast till sammanfattningen." in response.content.decode()
    assert len(queries) == 21  # two fewer since issue 19: the unit and user with the device


def test_the_report_command_makes_a_fixed_number_of_queries(demo, tmp_path):
    """`samverkan report` for the demo's interim report: the report, its texts, the public
    figures of its released months, and the partnership's agreement, meetings and goals the
    document describes (the committee PDF's command; HTML here, the same queries)."""
    output = tmp_path / "delrapport.html"
    with CaptureQueriesContext(connection) as queries:
        call_command(
            "report",
            "interim",
            "--from",
            "2022-01-01",
            "--to",
            "2022-05-31",
            "--format",
            "html",
            "-o",
            str(output),
        )
    assert output.read_text().startswith("<!doctype html>")
    assert len(queries) == 33
