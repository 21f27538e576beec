"""How many queries each staff list and each committee-document page makes, on the demo.

A tripwire, not a timing: a query per row (a label, a related record, a count) shows here as a
number that grows with the page's rows; the demo's lists are full pages (50 rows). Session,
user, second factor and menu are part of each page's number. When a page changes on purpose,
its number changes here with it, and the commit says why.
"""

import pytest
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


def interim() -> str:
    report = Report.objects.get(kind="interim", date_from="2022-01-01", date_to="2022-05-31")
    return reverse("reports:detail", args=[report.pk])


def interim_html() -> str:
    return interim() + "hamta/?format=html&disclosure=internal"


CHAT = "/registrering/chattsamtal/"
CASES = "/registrering/arenden/"
CLIENTS = "/registrering/klienter/"

# (user, page, queries). The record lists: session, user, second factor, unit, the count (the
# summed anonymous counts with the disposal log, or the records), the page of rows, the audit
# entry, the menu's three, and the session's save (begin, update, commit).
PAGES = [
    ("volontar", CHAT, 13),
    ("volontar", CHAT + "?sida=3", 13),
    ("volontar", CHAT + "?date_from=2022-03-01&date_to=2022-03-31&concern=victim&resident=yes", 13),
    ("volontar", CHAT + "?date_from=2022-02-01&date_to=2022-04-30&gender=girl&resident=yes", 13),
    ("volontar", CHAT + "?gender=boy", 13),  # not in the counts: the records are counted
    ("volontar", CHAT + "?ref=c1", 12),  # no reference starts so: no page to read
    ("stodcentrum", CASES, 13),
    ("stodcentrum", CASES + "?date_from=2022-01-01&date_to=2022-06-30&category=witness", 13),
    ("stodcentrum", CASES + "?ref=SC", 12),
    ("psykolog", CLIENTS, 14),  # and the sessions of the page's clients, in one query
    ("psykolog", CLIENTS + "?concern=victim", 14),
    ("samordnare", "/aktiviteter/", 15),  # the demo's activities: the page, its services, orgs
    ("samordnare", "/kampanjer/", 11),
    ("samordnare", "/namndhandlingar/", 12),
    ("samordnare", interim, 30),  # the editor: its texts and the sentences of the figures
    ("samordnare", interim_html, 28),  # the document: its figures, sections and texts
    ("samordnare", "/konto/logg/", 13),
    ("samordnare", "/styrning/", 16),
    ("samordnare", "/styrning/grupper/", 17),
    ("samordnare", "/styrning/beslut/", 14),
    ("styrgrupp", "/styrning/", 16),
    ("enhetschef", CASES, 16),  # the menu reads the agreement for the money page
]


def test_each_list_and_document_page_makes_a_fixed_number_of_queries(client, demo):
    found = {}
    for username, page, _expected in PAGES:
        path = page() if callable(page) else page
        sign_in(client, User.objects.get(username=username))
        client.get(path)  # the first request of a session may do more (e.g. a language)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (username, path, response.status_code)
        found[(username, path)] = len(queries)
    expected = {
        (username, page() if callable(page) else page): number for username, page, number in PAGES
    }
    assert found == expected
