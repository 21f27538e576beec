"""An attacker's tour of the whole application: every attempt is refused or harmless, nothing
leaks and nothing is lost.

Walked as an attacker would: guessed and sequential ids, script in every text field of every
form and in every query string, posts without a CSRF token, SQL-like, oversized and NUL-laden
input in every filter, the API's every operation without a token, the chat's sockets without
the right account, and guessing referral codes. Who may reach which page is the access matrix's
(test_access_matrix.py): its pages, cast and world are reused here.
"""

import io
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.api.tests.conftest import bearer, manager_of
from samverkan.api.tokens import api_token_create
from samverkan.conftest import sign_in
from samverkan.core.tests import test_access_matrix as matrix
from samverkan.core.tests.test_access_matrix import CAST, EXPECTED, NOT_FOUND, OK, _row_counts
from samverkan.partnership.models import Unit
from samverkan.referrals import codes
from samverkan.referrals.services import issue_referral

pytestmark = pytest.mark.django_db
world = matrix.world  # the access matrix's cast, records and page arguments (a fixture)

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT}{ATTRIBUTE}"
NASTY = ["' OR 1=1 --", "x" * 10_000, "a\x00b", "%", "_", "\\", "1; DROP TABLE x", PAYLOAD]
SIGNED_IN = [who for who in CAST if who != "anonymous"]
MISSING_ID = 987_654


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits count in the cache, which outlives a test's database rollback.
    cache.clear()
    yield
    cache.clear()


class _Forms(HTMLParser):
    """The forms of a page: method, action and fields (name, kind, value, options)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._select: dict | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "form":
            self.forms.append(
                {
                    "method": (attributes.get("method") or "get").lower(),
                    "action": attributes.get("action") or "",
                    "fields": [],
                }
            )
        if not self.forms or not attributes.get("name"):
            return
        fields = self.forms[-1]["fields"]
        if tag == "input":
            fields.append(
                {
                    "name": attributes["name"],
                    "kind": (attributes.get("type") or "text").lower(),
                    "value": attributes.get("value") or "",
                    "checked": "checked" in attributes,
                }
            )
        elif tag == "textarea":
            fields.append({"name": attributes["name"], "kind": "textarea", "value": ""})
        elif tag == "select":
            self._select = {"name": attributes["name"], "kind": "select", "options": []}
            fields.append(self._select)
        if tag == "option" and self._select is not None and attributes.get("value"):
            self._select["options"].append(attributes["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _parse(html: str) -> _Forms:
    parser = _Forms()
    parser.feed(html)
    return parser


SAMPLE = {
    "date": "2022-03-01",
    "datetime-local": "2022-03-01T19:00",
    "time": "19:00",
    "month": "2022-03",
    "number": "1",
    "email": "x@example.org",
}


def _fill(form: dict, text: str) -> dict:
    """Every field given something acceptable, and every text field `text`."""
    data: dict = {}
    for field in form["fields"]:
        name, kind = field["name"], field["kind"]
        if kind in ("submit", "button", "file", "image", "reset"):
            continue
        if kind == "hidden":
            data[name] = field["value"]
        elif kind in ("checkbox", "radio"):
            data.setdefault(name, field["value"] or "on")
        elif kind == "select":
            if field["options"]:
                data[name] = field["options"][0]
        elif kind in SAMPLE:
            data[name] = SAMPLE[kind]
        else:  # text, search, url, tel, password, textarea
            data[name] = text
    return data


TEXT_KINDS = {"text", "search", "url", "tel", "password", "textarea"}


def _has_text(form: dict) -> bool:
    return any(field["kind"] in TEXT_KINDS for field in form["fields"])


def _html(response) -> str:
    if not response.get("Content-Type", "").startswith("text/html"):
        return ""
    return response.content.decode()


def _pages(world) -> dict[str, str]:
    _users, arguments = world
    return {name: reverse(name, args=arguments.get(name, [])) for name in EXPECTED}


def _clients(world) -> dict[str, Client]:
    users, _arguments = world
    clients = {"anonymous": Client()}
    for who in SIGNED_IN:
        clients[who] = Client()
        sign_in(clients[who], users[who])
    return clients


def _readable(name: str, who: str) -> bool:
    return EXPECTED[name][who] == OK


# -- Guessed and sequential ids ----------------------------------------------------------------


def _normalised(response, *ids) -> str:
    """A page with the parts that differ per request (tokens, nonces) and the ids blanked."""
    text = response.content.decode()
    for identifier in ids:
        text = text.replace(f"/{identifier}/", "/ID/").replace(f'"{identifier}"', '"ID"')
    # After the ids: the page's own address (the language switch's way back) is then the same.
    return re.sub(r'(value|nonce|content)="[^"]{20,}"', r'\1=""', text)


@pytest.mark.parametrize("who", SIGNED_IN)
def test_ids_of_others_answer_like_ids_that_do_not_exist(client, world, who):
    """Another unit's record, a record the role may not read and no record at all look the
    same: 404 with the same page, so ids cannot be probed."""
    users, arguments = world
    sign_in(client, users[who])
    compared = 0
    for name, args in arguments.items():
        numeric = [arg for arg in args if isinstance(arg, int)]
        if not numeric or EXPECTED[name][who] != NOT_FOUND or name.startswith("api:"):
            continue
        real = client.get(reverse(name, args=args))
        guessed_args = [MISSING_ID if isinstance(arg, int) else arg for arg in args]
        guessed = client.get(reverse(name, args=guessed_args))
        assert real.status_code == guessed.status_code == NOT_FOUND, name
        assert _normalised(real, *numeric) == _normalised(guessed, MISSING_ID), name
        compared += 1
        for offset in (1, 2, -1):  # sequential neighbours: none of them answers otherwise
            neighbour = [arg + offset if isinstance(arg, int) else arg for arg in args]
            assert client.get(reverse(name, args=neighbour)).status_code in (NOT_FOUND, 405)
    if who not in ("administrator",):
        assert compared, "every role is refused some record"


def _api_world(small):
    twin = Unit.objects.create(
        key="chat-9", name="Chat 9", kind=Unit.Kind.CHAT, organisation=small.chat.organisation
    )
    small.partnership.units.add(twin)
    return api_token_create(by=manager_of(twin), name="twin", scope="write").secret


def test_api_ids_of_another_unit_answer_like_missing_ids(client, world, small):
    users, arguments = world
    secret = _api_world(small)
    conversation = arguments["records:chat_detail"][0]
    for method in ("get", "patch", "put", "delete"):
        real = getattr(client, method)(
            f"/api/v1/chat-conversations/{conversation}/",
            {},
            content_type="application/json",
            **bearer(secret),
        )
        missing = getattr(client, method)(
            f"/api/v1/chat-conversations/{MISSING_ID}/",
            {},
            content_type="application/json",
            **bearer(secret),
        )
        if real.status_code == 405:
            assert missing.status_code == 405
            continue
        assert real.status_code == missing.status_code == NOT_FOUND, method
        assert _normalised(real, conversation) == _normalised(missing, MISSING_ID)


# -- Every API operation without a token, and with a browser session instead -------------------


def _api_operations() -> list[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, item in schema["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((method, re.sub(r"\{[^}]+\}", "1", path)))
    return found


def test_every_api_operation_refuses_callers_without_a_token(world):
    users, _arguments = world
    operations = _api_operations()
    assert len(operations) >= 15
    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, users["manager"])
    before = _row_counts()
    for caller in (Client(), browser):
        for method, path in operations:
            if path.endswith("/schema/"):
                continue  # the schema is public: it describes the API, not its data
            response = getattr(caller, method)(path, {}, content_type="application/json")
            assert response.status_code == 401, (method, path)
            assert response["Content-Type"] == "application/problem+json"
    assert _row_counts() == before


# -- Script injection: stored in every text field of every form, reflected in every page -------


def test_script_in_every_form_comes_back_escaped_everywhere(world):
    """Every role fills every text field of every form it can open with markup; afterwards
    no page of any role contains the markup unescaped."""
    clients = _clients(world)
    pages = _pages(world)
    submitted = 0
    for who, browser in clients.items():
        for name, url in pages.items():
            if not _readable(name, who) or name in ("accounts:login", "set_language"):
                continue
            for form in _parse(_html(browser.get(url))).forms:
                if form["method"] != "post":
                    continue
                action = form["action"] or url
                if action in (reverse("accounts:logout"), reverse("set_language")):
                    continue  # signing out or switching language would end the tour early
                if action.startswith("http") or not _has_text(form):
                    continue
                response = browser.post(action, _fill(form, PAYLOAD))
                assert response.status_code < 500, (who, name, action)
                assert SCRIPT not in _html(response) and ATTRIBUTE not in _html(response)
                submitted += 1
    assert submitted >= 20
    for who, browser in clients.items():
        seen: set[str] = set()
        queue = [url for name, url in pages.items() if _readable(name, who)]
        while queue and len(seen) < 400:
            url = queue.pop()
            if url in seen:
                continue
            seen.add(url)
            html = _html(browser.get(url))
            assert SCRIPT not in html and ATTRIBUTE not in html, (who, url)
            for link in _parse(html).links:
                parts = urlsplit(link)
                if not parts.netloc and parts.path.startswith("/") and re.search(r"/\d+/", link):
                    queue.append(parts.path)


# Between them these roles open every page (the others' pages are a subset of theirs).
FILTERING = ["anonymous", "volunteer", "outsider", "manager", "counsellor", "coordinator"]


@pytest.mark.parametrize("who", FILTERING)
def test_query_parameters_are_escaped_and_never_break_a_page(world, who):
    """Reflected script, SQL-like, oversized and NUL-laden values in every filter of every
    page, and pages out of range: a page or a refusal, never an error or a leak (no link to a
    record the role may not read)."""
    users, arguments = world
    browser = Client()
    if who != "anonymous":
        sign_in(browser, users[who])
    hidden = [
        reverse(name, args=args)
        for name, args in arguments.items()
        if EXPECTED[name][who] == NOT_FOUND and any(isinstance(arg, int) for arg in args)
    ]
    for name, url in _pages(world).items():
        if not _readable(name, who) or name.startswith("api:") or name == "set_language":
            continue
        page = browser.get(url)
        if page.status_code != OK:
            continue
        filters = {"q", "page", "from", "to", "year", "unit", "period", "status", "sort"}
        for form in _parse(_html(page)).forms:
            if form["method"] == "get":
                filters |= {field["name"] for field in form["fields"]}
        for value in NASTY:
            response = browser.get(url, dict.fromkeys(filters, value))
            assert response.status_code < 500, (name, value[:20])
            html = _html(response)
            assert SCRIPT not in html and ATTRIBUTE not in html, name
            assert not [url for url in hidden if f'href="{url}"' in html], (name, value[:20])
        for number in ("0", "-1", "999999", "1e9", "abc"):
            assert browser.get(url, {"page": number}).status_code < 500, (name, number)


def test_api_filters_take_nasty_input_without_error(world, small):
    secret = _api_world(small)
    client = Client()
    for path in (
        "/api/v1/chat-conversations/",
        "/api/v1/support-centre-cases/",
        "/api/v1/clinic-clients/",
        "/api/v1/statistics/",
    ):
        for value in [*NASTY, "9999-99-99", "0000-01-01", "-1"]:
            params = dict.fromkeys(
                ["from", "to", "changed_since", "ref", "page", "page_size", "partnership"], value
            )
            response = client.get(path, params, **bearer(secret))
            assert response.status_code in (200, 400, 403, 404, 422), (path, value[:20])


def test_moments_at_the_edge_of_the_calendar_are_invalid_input_not_errors(client, small):
    secret = _api_world(small)
    for moment in ("0001-01-01", "0001-01-01T00:30", "9999-12-31T23:59:59Z", "9999-12-31"):
        response = client.post(
            "/api/v1/chat-conversations/",
            {"started_at": moment, "concern": "victim", "ref": "EDGE-1"},
            "application/json",
            **bearer(secret),
        )
        assert response.status_code == 400, (moment, response.content)


# -- CSRF ----------------------------------------------------------------------------------------


def test_posts_without_a_csrf_token_are_refused(world):
    users, _arguments = world
    browsers = _clients(world)
    for browser in browsers.values():
        browser.handler.enforce_csrf_checks = True
    before = _row_counts()
    pages = _pages(world)
    allowed = {}
    for who, browser in browsers.items():
        for name, url in pages.items():
            if name.startswith("api:"):
                continue  # the API takes no session: test_every_api_operation_refuses...
            response = browser.post(url, {"text": "x", "name": "x"})
            if who == "anonymous" and response.status_code == 302:
                # Sent to sign in before anything else is looked at.
                assert response["Location"].startswith(reverse("accounts:login")), name
            elif response.status_code != 403:
                allowed[(who, name)] = response.status_code
    assert allowed == {}
    assert _row_counts() == before


# -- Script in chat messages ---------------------------------------------------------------------


def test_the_chat_pages_never_turn_text_into_markup():
    """Messages travel as JSON and the chat's scripts put them into the page as text only
    (their arrival as the same text: chat/tests/test_flow.py)."""
    from django.contrib.staticfiles import finders

    for script in ("samverkan/chat.js", "samverkan/console.js"):
        source = open(finders.find(script), encoding="utf-8").read()  # noqa: SIM115
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, (script, sink)
        assert "textContent" in source


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_console_socket_refuses_everyone_but_the_chat_volunteers(small):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    from samverkan.asgi import application
    from samverkan.chat.tests.conftest import ORIGIN

    def cookie_of(name, role, unit):
        user = User.objects.create_user(name, role=role, unit=unit)
        browser = Client()
        sign_in(browser, user)
        return browser.cookies["sessionid"].value

    other_chat = await sync_to_async(Unit.objects.create)(
        key="chat-2", name="Other", kind=Unit.Kind.CHAT, organisation=small.chat.organisation
    )
    cookies = {
        "anonymous": None,
        "forged": "x" * 32,
        "outsider": await sync_to_async(cookie_of)("outsider", Role.VOLUNTEER, other_chat),
        "counsellor": await sync_to_async(cookie_of)("counsellor", Role.COUNSELLOR, small.clinic),
    }
    for who, cookie in cookies.items():
        headers = [ORIGIN] + ([(b"cookie", f"sessionid={cookie}".encode())] if cookie else [])
        communicator = WebsocketCommunicator(application, "/ws/chatt/konsol/", headers=headers)
        connected, _code = await communicator.connect()
        assert not connected, who
        await communicator.disconnect()
    volunteer = await sync_to_async(cookie_of)("volunteer", Role.VOLUNTEER, small.chat)
    for path, headers in (
        # A page of another site opening the socket in a signed-in volunteer's browser.
        ("/ws/chatt/konsol/", [(b"origin", b"https://evil.example"), (b"cookie", b"")]),
        ("/ws/chatt/", [(b"origin", b"https://evil.example")]),
        ("/ws/chatt/", []),
    ):
        headers = [
            (key, f"sessionid={volunteer}".encode() if key == b"cookie" else value)
            for key, value in headers
        ]
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _code = await communicator.connect()
        assert not connected, (path, headers)
        await communicator.disconnect()


# -- Referral-code guessing ----------------------------------------------------------------------


def _guesses(count: int) -> list[str]:
    return [codes.display(codes.new_code()) for _unused in range(count)]


@pytest.fixture
def arrivals(small, settings):
    settings.SAMVERKAN_ARRIVAL_ATTEMPTS = 3
    volunteer = User.objects.create_user("volunteer", role=Role.VOLUNTEER, unit=small.chat)
    counsellor = User.objects.create_user("counsellor", role=Role.COUNSELLOR, unit=small.clinic)
    referral = issue_referral(destination=small.clinic_service, by=volunteer)
    return counsellor, referral


def test_guessing_codes_on_the_arrival_page_is_stopped_and_audited(client, arrivals):
    counsellor, referral = arrivals
    sign_in(client, counsellor)
    url = reverse("referrals:arrive")
    for guess in _guesses(3):
        assert client.post(url, {"code": guess}).status_code == 400
    # From now on even the right code is refused: the answer says nothing about it.
    stopped = client.post(url, {"code": referral.display_code})
    assert stopped.status_code == 400
    referral.refresh_from_db()
    assert referral.arrived_at is None
    assert AuditEntry.objects.filter(action="referrals.arrival.limited", user=counsellor).exists()
    # Another person of the unit is counted on their own.
    colleague = User.objects.create_user("colleague", role=Role.COUNSELLOR, unit=counsellor.unit)
    other = Client()
    sign_in(other, colleague)
    assert other.post(url, {"code": referral.display_code}).status_code == 302


def test_guessing_codes_through_the_api_is_429_with_retry_after(client, arrivals):
    counsellor, referral = arrivals
    secret = api_token_create(by=manager_of(counsellor.unit), name="t", scope="write").secret
    for guess in _guesses(3):
        response = client.post(
            "/api/v1/referral-arrivals/", {"code": guess}, "application/json", **bearer(secret)
        )
        assert response.status_code == 422
    response = client.post(
        "/api/v1/referral-arrivals/",
        {"code": referral.display_code},
        "application/json",
        **bearer(secret),
    )
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 600
    assert response["Content-Type"] == "application/problem+json"


def test_guessing_codes_from_the_command_line_is_stopped(arrivals):
    _counsellor, referral = arrivals
    for guess in _guesses(3):
        with pytest.raises(CommandError):
            call_command("referral", "arrive", guess, "--unit", "clinic", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Try again in 10 minutes|Försök igen om 10 minuter"):
        call_command("referral", "arrive", referral.code, "--unit", "clinic", stdout=io.StringIO())


def test_units_that_receive_nothing_learn_nothing_about_codes(client, small, arrivals):
    """A valid code and a well-formed unknown one get the same answer from a unit that
    receives no service, on the page and in the API; a lower role the same."""
    _counsellor, referral = arrivals
    unknown = _guesses(1)[0]
    officer = User.objects.create_user(
        "officer", role=Role.SUPPORT_CENTRE_OFFICER, unit=small.support_centre
    )
    steering = User.objects.create_user("steering", role=Role.STEERING_MEMBER, unit=small.clinic)
    for user in (officer, steering):
        browser = Client()
        sign_in(browser, user)
        answers = {
            browser.post(reverse("referrals:arrive"), {"code": code}).status_code
            for code in (referral.display_code, unknown)
        }
        assert answers == {404}
    secret = api_token_create(by=manager_of(small.support_centre), name="t", scope="write").secret
    bodies = [
        client.post(
            "/api/v1/referral-arrivals/", {"code": code}, "application/json", **bearer(secret)
        )
        for code in (referral.display_code, unknown)
    ]
    assert [body.status_code for body in bodies] == [403, 403]
    assert bodies[0].json() == bodies[1].json()


def test_inconsistent_figures_of_earlier_years_do_not_break_the_overview(world):
    users, arguments = world
    coordinator = Client()
    sign_in(coordinator, users["coordinator"])
    url = reverse("statistics:history_month", args=arguments["statistics:history_month"])
    form = next(
        form
        for form in _parse(_html(coordinator.get(url))).forms
        if form["method"] == "post" and form["action"] in ("", url)
    )
    from samverkan.statistics.models import HistoricalMonthlyCount

    refused = coordinator.post(url, _fill(form, "1"))
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "do not add up" in page or "går inte ihop" in page
    assert HistoricalMonthlyCount.objects.count() == 0  # nothing half-saved
    steering = Client(raise_request_exception=False)
    sign_in(steering, users["steering"])
    assert steering.get(reverse("dashboard:overview")).status_code < 500


# -- Self-service and account recovery -----------------------------------------------------------


def test_another_persons_session_cannot_be_ended_and_looks_like_none(world):
    """A session's number is sequential: guessing another's answers as a number that does not
    exist, and their session lives on."""
    from samverkan.accounts.models import UserSession

    users, _arguments = world
    victim, attacker = Client(), Client()
    sign_in(victim, users["volunteer"])
    sign_in(attacker, users["outsider"])
    theirs = UserSession.objects.get(user=users["volunteer"])
    guessed = attacker.post(reverse("accounts:session_end", args=[theirs.pk]))
    missing = attacker.post(reverse("accounts:session_end", args=[MISSING_ID]))
    assert guessed.status_code == missing.status_code == NOT_FOUND
    assert _normalised(guessed, theirs.pk) == _normalised(missing, MISSING_ID)
    assert UserSession.objects.filter(pk=theirs.pk).exists()
    assert victim.get(reverse("accounts:account")).status_code == OK


def test_a_unit_manager_recovers_only_their_own_units_staff(world):
    """Every account of the cast offered to the support centre's manager for recovery: only
    the unit's officer is given a new start; managers, other units and the administrator are
    no such person, and nothing of theirs changes."""
    users, _arguments = world
    manager = Client()
    sign_in(manager, users["manager"])
    recovered = {}
    for who, user in users.items():
        response = manager.post(reverse("accounts:recovery"), {"user": user.pk})
        recovered[who] = response.status_code
    assert recovered == {who: OK if who == "officer" else NOT_FOUND for who in users}
    entries = AuditEntry.objects.filter(action="accounts.recovered")
    assert [(e.user, e.target_id) for e in entries] == [(users["manager"], users["officer"].pk)]
    for nasty in NASTY:
        assert manager.post(reverse("accounts:recovery"), {"user": nasty}).status_code == 404
