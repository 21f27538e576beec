"""How many queries the overview page makes, for each reader: a tripwire, not a timing. A change
that adds a query to every overview (a look-up in a loop, a configuration read twice) fails here
and must say why in the count it sets.

The counts include what every signed-in page reads (session, user, second factor, the unit and
its organisation): `EVERY_PAGE`, the same for every reader since the menu is kept per process
and the session saved only when its end would move by a minute (navigation.py,
accounts/sessions.py); the test's second request finds both done by the first."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from samverkan.conftest import sign_in

pytestmark = pytest.mark.django_db

YEAR = {"date_from": "2022-01-01", "date_to": "2022-12-31"}


def _overview(client, **query):
    response = client.get(reverse("dashboard:overview"), {**YEAR, **query})
    assert response.status_code == 200
    return response


# (reader, filter, queries): a page computed (nothing kept under the data revision, e.g. the first
# after a write) makes the page's own queries: the partnerships, the data revision
# (statistics.revision), units, districts, months with data, the reporting periods (committee
# documents, the agreement's obligations), the configuration (services, figures of earlier
# years, disposed clinic clients), then per period (this one and the year before):
# - internal: the monthly counts, the clinic's sessions, the referral codes (3);
# - public, every cell released: the released cells (1), never a record or a count;
# - a unit manager: the public level, and their own unit's exact figures (3 + 1 a period),
#   with an audit entry of that read.
# A page answered from the cache (dashboard.cache) makes, besides what every page reads, the
# revision's query only, and the unit manager's audit entry.
EVERY_PAGE = {"coordinator": 3, "steering": 3, "unit-manager": 3}
# (The unit is read with the second factor's device since issue 19's lists19 branch,
# accounts.middleware.OTPMiddleware: one query fewer; and the user with them: one fewer again.)
# (The partnerships are read by the unit's organisation's id since issue 18's
# accounts.permissions, no longer with the organisation itself: one query fewer.)
# (The data revision since issue 19's overview19 branch: one query more when computed, the
# page's and the figures' queries fewer when kept.)
PAGE = 9
KEPT = 1
EXPECTED = [
    ("coordinator", {}, PAGE + 2 * 3, KEPT),
    ("coordinator", {"unit": "chat"}, PAGE + 2 * 3, KEPT),
    ("steering", {}, PAGE + 2 * 1, KEPT),
    ("steering", {"district": "north"}, PAGE + 2 * 1, KEPT),
    ("unit-manager", {}, PAGE + 2 * (1 + 3) + 1, KEPT + 1),
]


@pytest.mark.parametrize(("reader", "query", "computed", "kept"), EXPECTED)
def test_the_overview_makes_a_fixed_number_of_queries(
    client,
    readers,
    reader,
    query,
    computed,
    kept,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    sign_in(client, readers[reader])
    cache.clear()
    _overview(client, **query)  # the public level releases the year's months on first reading
    # Inside the test's transaction nothing is kept: every page is computed.
    with django_assert_num_queries(EVERY_PAGE[reader] + computed) as captured:
        _overview(client, **query)
    if reader == "steering":
        # Released periods are answered from what was released: no record, no count (the
        # page reads which months have any, for its default period and presets).
        read = " ".join(q["sql"] for q in captured.captured_queries)
        for table in ("records_", "referrals_referral", "dailycount", 'monthlycount"."metric'):
            assert table not in read, table
    with django_capture_on_commit_callbacks(execute=True):
        _overview(client, **query)  # kept, as when its transaction commits
    with django_assert_num_queries(EVERY_PAGE[reader] + kept):
        _overview(client, **query)
    cache.clear()
