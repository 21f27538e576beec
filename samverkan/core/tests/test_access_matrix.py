"""Every page of the application, for every role and for a user of another unit.

The pages are derived from the URL configuration, so a new page fails here until its row of
expectations is written. (The admin's own pages are covered by Django's permissions: only the
index is walked, for everyone.)
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from samverkan.accounts.models import Role, User
from samverkan.conftest import local, sign_in
from samverkan.partnership.models import Unit
from samverkan.records import services

pytestmark = pytest.mark.django_db

OK, REDIRECT, NOT_FOUND, NOT_ALLOWED = 200, 302, 404, 405
UNAUTHENTICATED = 401
CAST = [
    "anonymous",
    "volunteer",
    "outsider",
    "officer",
    "manager",
    "counsellor",
    "coordinator",
    "steering",
    "administrator",
]


def _names(resolver: URLResolver, namespace: str = "") -> list[str]:
    names = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names += _names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{namespace}{entry.name}")
    return names


def only(*allowed: str, otherwise: int = NOT_FOUND, anonymous: int = REDIRECT) -> dict:
    expected = {who: OK if who in allowed else otherwise for who in CAST}
    expected["anonymous"] = anonymous
    return expected


SIGNED_IN = [who for who in CAST if who != "anonymous"]

EXPECTED = {
    "home": {who: REDIRECT for who in CAST},  # straight on to the user's first page
    "accounts:login": {**only(otherwise=REDIRECT, anonymous=OK)},
    "accounts:logout": {who: NOT_ALLOWED for who in CAST},  # sign-out is a POST
    "accounts:verify": only(*SIGNED_IN),
    "accounts:setup": only(otherwise=REDIRECT),  # everyone here has an authenticator already
    # Sign-in through a provider: none is configured here, so no such provider for anyone.
    "accounts:oidc_login": {who: NOT_FOUND for who in CAST},
    "accounts:oidc_callback": {who: NOT_FOUND for who in CAST},
    # Self-service: one's own account (every user of the cast has a local one).
    "accounts:account": only(*SIGNED_IN),
    "accounts:password_change": only(*SIGNED_IN),
    "accounts:authenticator_replace": only(*SIGNED_IN),
    "accounts:session_end": {**{who: NOT_ALLOWED for who in CAST}, "anonymous": REDIRECT},
    "accounts:recovery": only("manager"),
    "set_language": {who: REDIRECT for who in CAST},
    "records:chat_list": only("volunteer", "outsider"),  # the outsider sees their own unit's
    "records:chat_create": only("volunteer", "outsider"),
    "records:chat_detail": only("volunteer"),
    "records:chat_export": only("volunteer", "outsider"),
    "records:chat_edit": only("volunteer"),
    "records:support_edit": only("officer", "manager"),
    "records:clinic_edit": only("counsellor"),
    # A record registered by mistake is deleted by its unit (a page that asks, then a POST).
    "records:chat_delete": only("volunteer"),
    "records:support_delete": only("officer", "manager"),
    "records:clinic_delete": only("counsellor"),
    "records:support_export": only("officer", "manager"),
    "records:clinic_export": only("counsellor"),
    "records:support_list": only("officer", "manager"),
    "records:support_create": only("officer", "manager"),
    "records:support_detail": only("officer", "manager"),
    "activities:list": only("manager", "coordinator", "steering"),
    "activities:register": only("manager", "coordinator"),
    "dashboard:overview": only("manager", "coordinator", "steering"),
    "reports:list": only("manager", "coordinator", "steering"),
    "reports:new": only("coordinator"),
    "reports:detail": only("manager", "coordinator", "steering"),
    "reports:download": only("manager", "coordinator", "steering"),
    "reports:preview": only("manager", "coordinator", "steering"),
    "accounts:audit_log": only("coordinator", "administrator"),
    "campaigns:list": only("manager", "coordinator", "steering"),
    "campaigns:detail": only("manager", "coordinator", "steering"),
    "campaigns:create": only("manager", "coordinator"),
    "campaigns:edit": only("manager", "coordinator"),
    "referrals:arrive": only("counsellor"),  # staff of a unit that receives a service
    "records:clinic_list": only("counsellor"),
    "records:clinic_create": only("counsellor"),
    "records:clinic_detail": only("counsellor"),
    # Changes to a client are POSTs: a GET is refused before anything is looked up.
    "records:clinic_session_add": {**only(otherwise=NOT_ALLOWED), "anonymous": REDIRECT},
    "records:clinic_close": {**only(otherwise=NOT_ALLOWED), "anonymous": REDIRECT},
    "records:clinic_reopen": {**only(otherwise=NOT_ALLOWED), "anonymous": REDIRECT},
    "records:clinic_session_delete": {**only(otherwise=NOT_ALLOWED), "anonymous": REDIRECT},
    "chat:start": {who: OK for who in CAST},  # the young person's chat: no account
    "chat:console": only("volunteer"),  # the outsider's unit does not answer the public chat
    "chat:supervisor": only("coordinator"),  # and the chat unit's manager
    # The supervisor's live part, as server-sent events: who may see the page.
    "chat:supervisor_events": only("coordinator"),
    "chat:directory": only("coordinator"),
    "chat:directory_edit": only("coordinator"),
    # The web import of a unit's records: the same people as its registration form.
    "records:chat_import": only("volunteer", "outsider"),
    "records:chat_import_template": only("volunteer", "outsider"),
    "records:support_import": only("officer", "manager"),
    "records:support_import_template": only("officer", "manager"),
    "records:clinic_import": only("counsellor"),
    "records:clinic_import_template": only("counsellor"),
    "records:chat_import_confirm": {**only(otherwise=NOT_ALLOWED), "anonymous": REDIRECT},
    "records:support_import_confirm": {**only(otherwise=NOT_ALLOWED), "anonymous": REDIRECT},
    "records:clinic_import_confirm": {**only(otherwise=NOT_ALLOWED), "anonymous": REDIRECT},
    # The unit manager's API tokens; revoking is a POST.
    "api_tokens:list": only("manager"),
    "api_tokens:revoke": {**only(otherwise=NOT_ALLOWED), "anonymous": REDIRECT},
    # Figures of earlier years: the coordinator's.
    "statistics:history": only("coordinator"),
    "statistics:history_choose": {**only(), "coordinator": REDIRECT},  # no unit chosen
    "statistics:history_month": only("coordinator"),
    "statistics:history_template": only("coordinator"),
    "statistics:history_import": {**only(otherwise=NOT_ALLOWED), "anonymous": REDIRECT},
    # The REST API answers only to a token: a browser session without one gets a 401 problem.
    **{
        f"api:{name}": {who: UNAUTHENTICATED for who in CAST}
        for name in [
            *(
                f"{kind}-{view}"
                for kind in ("chat", "support", "clinic")
                for view in ("list", "detail", "batch")
            ),
            "clinic-close",
            "clinic-sessions",
            "arrivals",
            "statistics",
        ]
    },
    # Its schema and documentation are public: they describe the API, not its data.
    "api:schema": {who: OK for who in CAST},
    "api:docs": {who: OK for who in CAST},
    # Governance: the coordinator edits, steering-group members read (and the foundation's unit
    # managers the money pages: governance/tests/test_views.py).
    "governance:overview": only("coordinator", "steering"),
    "governance:notice_register": {**only(otherwise=NOT_ALLOWED), "anonymous": REDIRECT},
    "governance:item_submit": {**only(otherwise=NOT_ALLOWED), "anonymous": REDIRECT},
    "governance:groups": only("coordinator", "steering"),
    "governance:meeting_create": only("coordinator"),
    "governance:meeting_detail": only("coordinator", "steering"),
    "governance:decisions": only("coordinator", "steering"),
    "governance:money": only("coordinator", "steering"),
    "governance:payment_create": only("coordinator"),
    "governance:money_export": only("coordinator", "steering"),
    "governance:financial_report": only("coordinator", "steering"),
    "governance:financial_report_decide": {**only(otherwise=NOT_ALLOWED), "anonymous": REDIRECT},
    "governance:member_create": only("coordinator"),
    "governance:member_edit": only("coordinator"),
}


@pytest.fixture
def world(small):
    other_chat = Unit.objects.create(
        key="chat-2", name="Other chat", kind=Unit.Kind.CHAT, organisation=small.chat.organisation
    )
    department = Unit.objects.create(
        key="dept",
        name="Department",
        kind=Unit.Kind.DEPARTMENT,
        organisation=small.support_centre.organisation,
    )

    def user(name, role, unit, **extra):
        return User.objects.create_user(name, password="x" * 16, role=role, unit=unit, **extra)

    users = {
        "volunteer": user("volunteer", Role.VOLUNTEER, small.chat),
        "outsider": user("outsider", Role.VOLUNTEER, other_chat),
        "officer": user("officer", Role.SUPPORT_CENTRE_OFFICER, small.support_centre),
        "manager": user("manager", Role.UNIT_MANAGER, small.support_centre),
        "counsellor": user("counsellor", Role.COUNSELLOR, small.clinic),
        "coordinator": user("coordinator", Role.COORDINATOR, department),
        "steering": user("steering", Role.STEERING_MEMBER, department),
        "administrator": user(
            "administrator", Role.ADMINISTRATOR, department, is_staff=True, is_superuser=True
        ),
    }
    conversation = services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim"
    )
    case = services.support_centre_case_create(
        unit=small.support_centre, received_on=datetime.date(2022, 3, 1), category="victim"
    )
    client = services.clinic_client_create(
        unit=small.clinic, ref="SM-1", first_visit=datetime.date(2022, 1, 10), concern="victim"
    )
    from samverkan.campaigns.models import Campaign

    small.partnership.organisations.add(small.support_centre.organisation)
    campaign = Campaign.objects.create(
        partnership=small.partnership,
        name="Höstkampanj",
        starts_on=datetime.date(2022, 9, 1),
        ends_on=datetime.date(2022, 9, 30),
    )
    from samverkan.reports.services import report_create

    report = report_create(
        partnership=small.partnership,
        kind="interim",
        date_from=datetime.date(2022, 1, 1),
        date_to=datetime.date(2022, 5, 31),
        by=users["coordinator"],
    )
    from samverkan.governance.tests.cast import governance_pages_world

    governance = governance_pages_world(small.partnership)
    arguments = {
        **governance,
        "campaigns:detail": [campaign.pk],
        "reports:detail": [report.pk],
        "reports:download": [report.pk],
        "reports:preview": [report.pk],
        "campaigns:edit": [campaign.pk],
        "records:chat_detail": [conversation.pk],
        "records:support_detail": [case.pk],
        "records:clinic_detail": [client.pk],
        "records:clinic_session_add": [client.pk],
        "records:clinic_close": [client.pk],
        "records:chat_edit": [conversation.pk],
        "records:support_edit": [case.pk],
        "records:clinic_edit": [client.pk],
        "records:chat_delete": [conversation.pk],
        "records:support_delete": [case.pk],
        "records:clinic_delete": [client.pk],
        "records:clinic_reopen": [client.pk],
        "records:clinic_session_delete": [client.pk, 10**9],  # no such session
        "chat:directory_edit": [small.clinic_service.pk],
        "api_tokens:revoke": [1],
        "statistics:history_month": [small.chat.pk, "2021-03"],
        "api:chat-detail": [conversation.pk],
        "api:support-detail": [case.pk],
        "api:clinic-detail": [client.pk],
        "api:clinic-close": [client.pk],
        "api:clinic-sessions": [client.pk],
        "accounts:oidc_login": ["no-such-provider"],
        "accounts:oidc_callback": ["no-such-provider"],
        "accounts:session_end": [10**9],  # nobody's session
    }
    return users, arguments


def test_every_page_has_its_expectations():
    assert sorted(_names(get_resolver())) == sorted(EXPECTED)


@pytest.mark.parametrize("who", CAST)
def test_every_page_allows_or_denies_as_expected(client, world, who):
    users, arguments = world
    if who != "anonymous":
        sign_in(client, users[who])
    seen = {}
    for name in EXPECTED:
        seen[name] = client.get(reverse(name, args=arguments.get(name, []))).status_code
    assert seen == {name: expected[who] for name, expected in EXPECTED.items()}


@pytest.mark.parametrize("who", CAST)
def test_only_administrators_reach_the_admin(client, world, who):
    users, _arguments = world
    if who != "anonymous":
        sign_in(client, users[who])
    status = client.get(reverse("admin:index")).status_code
    assert status == (OK if who == "administrator" else REDIRECT)


# Pages that only take POST: who may write to them (everyone else must be refused).
POST_ONLY_WRITERS = {
    "accounts:logout": set(CAST),
    "records:clinic_session_add": {"counsellor"},
    "records:clinic_close": {"counsellor"},
    "records:clinic_reopen": {"counsellor"},
    "records:clinic_session_delete": {"counsellor"},
    "governance:notice_register": {"coordinator"},
    "governance:item_submit": {"coordinator"},
    "governance:financial_report_decide": {"coordinator"},
    "records:chat_import_confirm": {"volunteer", "outsider"},
    "records:support_import_confirm": {"officer", "manager"},
    "records:clinic_import_confirm": {"counsellor"},
    "api_tokens:revoke": {"manager"},
    "statistics:history_import": {"coordinator"},
    "accounts:session_end": set(),  # only one's own other sessions: none is named here
}


def _refused_writers(name: str, who: str) -> bool:
    """Whether `who` must be refused a POST to `name`: those refused its page, and for pages
    that only take POST, everyone but their writers."""
    expected = EXPECTED[name]
    if all(status == NOT_ALLOWED for role, status in expected.items() if role != "anonymous"):
        return who not in POST_ONLY_WRITERS[name]
    return expected[who] == NOT_FOUND


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    skipped = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in skipped
    }


def test_every_post_only_page_has_its_writers():
    post_only = {
        name
        for name, expected in EXPECTED.items()
        if all(status == NOT_ALLOWED for role, status in expected.items() if role != "anonymous")
    }
    assert post_only == set(POST_ONLY_WRITERS)


@pytest.mark.parametrize("who", [who for who in CAST if who != "anonymous"])
def test_writes_are_refused_to_those_refused_the_page(client, world, who):
    """A POST — the way every write arrives — from a role the page refuses changes nothing."""
    users, arguments = world
    sign_in(client, users[who])
    before = _row_counts()
    refused = {}
    for name in EXPECTED:
        if not _refused_writers(name, who):
            continue
        response = client.post(reverse(name, args=arguments.get(name, [])), {"text": "x"})
        refused[name] = response.status_code
    assert refused, "some page refuses every role here"
    assert {name: status for name, status in refused.items() if status != NOT_FOUND} == {}
    assert _row_counts() == before


def test_writes_without_sign_in_change_nothing(client, world):
    before = _row_counts()
    for name, expected in EXPECTED.items():
        if expected["anonymous"] != REDIRECT:
            continue  # public pages: the chat's own tests cover what they accept
        response = client.post(reverse(name, args=world[1].get(name, [])), {"text": "x"})
        assert response.status_code in (REDIRECT, NOT_ALLOWED), name
    assert _row_counts() == before
