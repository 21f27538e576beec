"""How many queries each staff list and each committee-document page makes, on the demo.

A tripwire, not a timing: a query per row (a label, a related record, a count) shows here as a
number that grows with the page's rows; the demo's lists are full pages (50 rows). Session,
user and second factor are part of each page's number; the menu is kept per process for a
minute (samverkan.navigation), so a page's number is that of its requests in that minute, and the
menu's own queries, made once a minute, are counted by role below. The session is written once
a minute (accounts.sessions), not by these pages. When a page changes on purpose, its number
changes here with it, and the commit says why.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samverkan import navigation
from samverkan.accounts.models import User
from samverkan.conftest import sign_in
from samverkan.demo.services import DEMO_USERS, demo_build, demo_remove
from samverkan.records.models import ClinicClient
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


def client_page() -> str:
    """The page of a client with sessions: its list of sessions and its history."""
    client = ClinicClient.objects.filter(sessions__isnull=False).order_by("pk").first()
    return reverse("records:clinic_detail", args=[client.pk])


CHAT = "/registrering/chattsamtal/"
CASES = "/registrering/arenden/"
CLIENTS = "/registrering/klienter/"

# (user, page, queries). The record lists: session, user, second factor with the user's unit
# (one query: accounts.middleware.OTPMiddleware), the count (the summed anonymous counts with the
# disposal log, or the records), the page of rows, the audit entry. Every page that read the unit
# on its own made one more (before issue 19's lists19 branch); the audit log reads none.
PAGES = [
    ("volontar", CHAT, 6),
    ("volontar", CHAT + "?sida=3", 6),
    ("volontar", CHAT + "?date_from=2022-03-01&date_to=2022-03-31&concern=victim&resident=yes", 6),
    ("volontar", CHAT + "?date_from=2022-02-01&date_to=2022-04-30&gender=girl&resident=yes", 6),
    ("volontar", CHAT + "?gender=boy", 6),  # not in the counts: the records are counted
    ("volontar", CHAT + "?ref=c1", 5),  # no reference starts so: no page to read
    ("volontar", CHAT + "?date_from=bad", 6),  # an invalid filter: the unfiltered list
    ("volontar", CHAT + "import/", 3),
    ("verksamhetschef", CHAT, 6),
    ("stodcentrum", CASES, 6),
    ("stodcentrum", CASES + "?sida=3", 6),
    ("stodcentrum", CASES + "?date_from=2022-01-01&date_to=2022-06-30&category=witness", 6),
    ("stodcentrum", CASES + "?ref=SC", 5),
    ("enhetschef", CASES, 6),
    ("psykolog", CLIENTS, 7),  # and the sessions of the page's clients, in one query
    ("psykolog", CLIENTS + "?concern=victim", 7),
    ("psykolog", client_page, 7),  # a client's sessions and history
    ("psykolog", "/remisskoder/ankomst/", 7),  # the codes that arrived at the unit
    ("samordnare", "/aktiviteter/", 8),  # the demo's activities: the page, its services, orgs
    ("samordnare", "/kampanjer/", 5),
    ("samordnare", "/namndhandlingar/", 5),
    ("samordnare", interim, 23),  # the editor: its texts and the sentences of the figures
    ("samordnare", interim_html, 23),  # the document: its figures, sections and texts
    ("samordnare", "/konto/logg/", 6),
    ("admin", "/konto/logg/", 6),
    ("samordnare", "/statistik/historik/", 5),
    ("samordnare", "/styrning/", 9),
    ("samordnare", "/styrning/grupper/", 10),
    ("samordnare", "/styrning/beslut/", 7),
    ("samordnare", "/styrning/ekonomi/", 10),
    ("styrgrupp", "/styrning/", 8),
    ("verksamhetschef", "/styrning/ekonomi/", 12),
    ("enhetschef", "/api-nycklar/", 4),
]
# The pages that read the partnerships whose aggregates the user sees read one fewer since
# accounts.permissions.partnerships_for_user asks Partnership.objects.for_user, which filters by
# the unit's organisation's id instead of reading the organisation (issue 18).

# The queries of deciding a user's menu (once a minute per process and role, unit and language,
# samverkan.navigation): the chat's unit, the unit's services, the partnership, its agreement and
# the organisation of a unit manager (the money page).
MENU_QUERIES = {
    "volontar": 3,
    "psykolog": 3,
    "stodcentrum": 3,
    "enhetschef": 6,
    "verksamhetschef": 7,
    "samordnare": 2,
    "styrgrupp": 3,
    "admin": 1,
}


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


def test_deciding_a_menu_makes_a_fixed_number_of_queries(demo):
    found = {}
    for spec in DEMO_USERS:
        user = User.objects.select_related("unit").get(username=spec.username)
        user.is_verified = lambda: True
        with CaptureQueriesContext(connection) as queries:
            navigation.menu_for(user)
        found[spec.username] = len(queries)
    assert found == MENU_QUERIES
