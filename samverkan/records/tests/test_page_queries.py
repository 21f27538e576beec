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

# (user, page, queries). The record lists: session, the user with its second factor's device
# and unit (one query: accounts.middleware.OTPMiddleware), the count (the summed anonymous counts
# with the disposal log, or the records), the page of rows, the audit entry. Every page that read
# the unit on its own made one more (before issue 19's lists19 branch), and every signed-in page
# one more again while the user was read apart from its device; the audit log reads none.
PAGES = [
    ("volontar", CHAT, 5),
    ("volontar", CHAT + "?sida=3", 5),
    ("volontar", CHAT + "?date_from=2022-03-01&date_to=2022-03-31&concern=victim&resident=yes", 5),
    ("volontar", CHAT + "?date_from=2022-02-01&date_to=2022-04-30&gender=girl&resident=yes", 5),
    ("volontar", CHAT + "?gender=boy", 5),  # not in the counts: the records are counted
    ("volontar", CHAT + "?ref=c1", 4),  # no reference starts so: no page to read
    ("volontar", CHAT + "?date_from=bad", 5),  # an invalid filter: the unfiltered list
    ("volontar", CHAT + "import/", 2),
    ("verksamhetschef", CHAT, 5),
    ("stodcentrum", CASES, 5),
    ("stodcentrum", CASES + "?sida=3", 5),
    ("stodcentrum", CASES + "?date_from=2022-01-01&date_to=2022-06-30&category=witness", 5),
    ("stodcentrum", CASES + "?ref=SC", 4),
    ("enhetschef", CASES, 5),
    ("psykolog", CLIENTS, 6),  # and the sessions of the page's clients, in one query
    ("psykolog", CLIENTS + "?concern=victim", 6),
    ("psykolog", client_page, 6),  # a client's sessions and history
    ("psykolog", "/remisskoder/ankomst/", 6),  # the codes that arrived at the unit
    ("samordnare", "/aktiviteter/", 7),  # the demo's activities: the page, its services, orgs
    ("samordnare", "/kampanjer/", 4),
    ("samordnare", "/namndhandlingar/", 4),
    ("samordnare", interim, 22),  # the editor: its texts and the sentences of the figures
    ("samordnare", interim_html, 22),  # the document: its figures, sections and texts
    ("samordnare", "/konto/logg/", 5),
    ("admin", "/konto/logg/", 5),
    ("samordnare", "/statistik/historik/", 4),
    ("samordnare", "/styrning/", 8),
    ("samordnare", "/styrning/grupper/", 9),
    ("samordnare", "/styrning/beslut/", 6),
    ("samordnare", "/styrning/ekonomi/", 9),
    ("styrgrupp", "/styrning/", 7),
    ("verksamhetschef", "/styrning/ekonomi/", 11),
    ("enhetschef", "/api-nycklar/", 3),
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
