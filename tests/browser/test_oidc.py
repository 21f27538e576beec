"""Sign-in through a real OpenID Connect provider on loopback: node's oidc-provider (panva),
pinned in tests/browser/oidc_provider/package-lock.json and installed by `make test-browser`
and .ci/run (`npm ci`). Nothing of the protocol is mocked: Chromium follows the redirects
between the application and the provider, and the application checks the provider's signed
ID tokens against its published keys.
"""

import datetime
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts import oidc
from samverkan.accounts.models import AuditEntry, ExternalIdentity, GroupRule, Role, User

PROVIDER_DIR = Path(__file__).parent / "oidc_provider"
NAME = "stad"
SECRET = "a-test-client-secret-of-some-length"


class Provider:
    """The provider's process and the people it knows (rewritten between sign-ins)."""

    def __init__(self, folder: Path, port: int, app_base: str) -> None:
        self.accounts_path = folder / "accounts.json"
        self.issuer = f"http://127.0.0.1:{port}"
        self.people: dict[str, dict] = {}
        self.save()
        client = folder / "client.json"
        client.write_text(
            json.dumps(
                {
                    "client_id": "samverkan",
                    "client_secret": SECRET,
                    "redirect_uris": [f"{app_base}/konto/oidc/{NAME}/klar/"],
                    "post_logout_redirect_uris": [f"{app_base}{reverse('accounts:login')}"],
                }
            )
        )
        self.process = subprocess.Popen(
            [
                "node",
                str(PROVIDER_DIR / "provider.mjs"),
                str(port),
                str(self.accounts_path),
                str(client),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("ready"):
            self.process.kill()
            raise RuntimeError(f"the OpenID provider did not start: {line!r}")

    def person(self, login: str, *, groups: list[str], amr: list[str]) -> None:
        self.people[login] = {
            "claims": {
                "name": login.title(),
                "given_name": login.title(),
                "email": f"{login}@stad.test",
                "groups": groups,
            },
            "amr": amr,
        }
        self.save()

    def remove(self, login: str) -> None:
        del self.people[login]
        self.save()

    def save(self) -> None:
        self.accounts_path.write_text(json.dumps(self.people))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def provider(live_server, tmp_path, settings):  # noqa: ANN001, ANN201
    if shutil.which("node") is None or not (PROVIDER_DIR / "node_modules").is_dir():
        message = "node and `npm ci --prefix tests/browser/oidc_provider` are needed"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI=true but {message}")
        pytest.skip(message)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    running = Provider(tmp_path, port, live_server.url)
    settings.SAMVERKAN_OIDC_PROVIDERS = {
        NAME: {
            "issuer": running.issuer,
            "client_id": "samverkan",
            "client_secret": SECRET,
            "label": "Stockholms stad",
            "scopes": "openid profile email groups",
            "groups_claim": "groups",
            "mfa_amr": ["mfa", "otp", "hwk"],
            "mfa_acr": [],
        }
    }
    yield running
    running.stop()


@pytest.fixture
def rules(small):  # noqa: ANN001, ANN201
    GroupRule.objects.create(
        provider=NAME, group="sg-mottagningen", role=Role.COUNSELLOR, unit=small.clinic, position=20
    )
    GroupRule.objects.create(
        provider="", group="sg-chefer", role=Role.UNIT_MANAGER, unit=small.clinic, position=10
    )
    return small


def sign_in_at_provider(page, site_url: str, login: str) -> None:  # noqa: ANN001
    page.goto(site_url + reverse("accounts:login"))
    page.get_by_role("link", name="Logga in med Stockholms stad").click()
    page.wait_for_url("http://127.0.0.1:*/interaction/**")
    page.locator("input[name=login]").fill(login)
    page.get_by_role("button", name="Sign in at the provider").click()
    page.wait_for_url(f"{site_url}/**")


def sign_out(page) -> None:  # noqa: ANN001
    page.locator("header form.logout button").click()
    page.wait_for_url("http://127.0.0.1:*/session/end**")
    page.get_by_role("button", name="Sign out").click()


def test_first_sign_in_provisions_role_and_unit_and_a_new_group_changes_the_role(
    browser, live_server, provider, rules
):
    provider.person("anna", groups=["sg-mottagningen", "sg-annat"], amr=["pwd", "mfa"])
    context = browser.new_context()
    page = context.new_page()
    sign_in_at_provider(page, live_server.url, "anna")
    # The provider checked a second factor (amr "mfa"): no code of ours is asked.
    assert reverse("accounts:verify") not in page.url
    assert reverse("accounts:setup") not in page.url
    assert page.locator("header form.logout").count() == 1
    identity = ExternalIdentity.objects.select_related("user").get(provider=NAME, subject="anna")
    user = identity.user
    assert (user.role, user.unit, user.email) == (Role.COUNSELLOR, rules.clinic, "anna@stad.test")
    assert not user.has_usable_password()
    assert identity.last_groups == ["sg-mottagningen", "sg-annat"]
    assert AuditEntry.objects.filter(user=user, action="accounts.oidc.provisioned").count() == 1
    page.goto(live_server.url + reverse("records:clinic_list"))
    assert page.url.endswith(reverse("records:clinic_list"))

    sign_out(page)
    # A group the provider now gives: the unit manager's rule comes first.
    provider.person("anna", groups=["sg-mottagningen", "sg-chefer"], amr=["pwd", "mfa"])
    sign_in_at_provider(page, live_server.url, "anna")
    user.refresh_from_db()
    assert (user.role, user.unit) == (Role.UNIT_MANAGER, rules.clinic)
    assert User.objects.filter(identities__provider=NAME).count() == 1  # the same account
    assert AuditEntry.objects.filter(user=user, action="accounts.oidc.role_changed").exists()

    sign_out(page)
    # No group any rule knows: refused, and the account is closed.
    provider.person("anna", groups=["sg-annat"], amr=["pwd", "mfa"])
    sign_in_at_provider(page, live_server.url, "anna")
    assert page.get_by_role("heading", name="Inloggningen nekades").count() == 1
    user.refresh_from_db()
    assert not user.is_active
    context.close()


def test_without_the_providers_second_factor_our_code_is_asked(
    browser, live_server, provider, rules
):
    provider.person("bo", groups=["sg-mottagningen"], amr=["pwd"])
    context = browser.new_context()
    page = context.new_page()
    sign_in_at_provider(page, live_server.url, "bo")
    # A first authenticator to set up, then the code, as for a local account.
    assert page.url.endswith(reverse("accounts:setup"))
    page.goto(live_server.url + reverse("records:clinic_list"))
    assert reverse("accounts:setup") in page.url
    context.close()


def test_sign_out_ends_the_session_here_and_at_the_provider(browser, live_server, provider, rules):
    provider.person("cecilia", groups=["sg-mottagningen"], amr=["pwd", "mfa"])
    context = browser.new_context()
    page = context.new_page()
    sign_in_at_provider(page, live_server.url, "cecilia")
    sign_out(page)
    page.wait_for_url(lambda url: url.startswith(live_server.url + reverse("accounts:login")))
    # Signed out here...
    page.goto(live_server.url + reverse("records:clinic_list"))
    assert reverse("accounts:login") in page.url
    # ...and at the provider: it asks who you are again instead of signing you straight in.
    page.get_by_role("link", name="Logga in med Stockholms stad").click()
    page.wait_for_url("http://127.0.0.1:*/interaction/**")
    assert page.locator("input[name=login]").count() == 1
    context.close()


def _tampered(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, value if k == name else v) for k, v in parse_qsl(parts.query)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_a_changed_state_is_refused(browser, live_server, provider, rules):
    """The provider's answer comes back with another state than this session's."""
    provider.person("david", groups=["sg-mottagningen"], amr=["pwd", "mfa"])
    context = browser.new_context()
    page = context.new_page()
    callback = f"{live_server.url}/konto/oidc/{NAME}/klar/"

    def forge_state(route) -> None:  # noqa: ANN001
        # The provider's answer to its sign-in form redirects (via /auth/...) to our callback:
        # followed here, the callback's state changed, and the browser sent on there.
        response = route.fetch(max_redirects=0)
        location = response.headers["location"]
        while not location.startswith(callback):
            location = urljoin(response.url, location)
            response = context.request.get(location, max_redirects=0)
            location = response.headers["location"]
        route.fulfill(status=303, headers={"Location": _tampered(location, "state", "forged")})

    page.route(lambda url: url.startswith(f"{provider.issuer}/interaction/"), forge_state)
    sign_in_at_provider(page, live_server.url, "david")
    assert page.get_by_role("heading", name="Inloggningen nekades").count() == 1
    page.goto(live_server.url + reverse("records:clinic_list"))
    assert reverse("accounts:login") in page.url
    assert not User.objects.filter(identities__subject="david").exists()
    context.close()


def test_an_id_token_with_another_nonce_is_refused(browser, live_server, provider, rules):
    """The authorisation request's nonce changed on its way to the provider: the ID token
    then carries a nonce this session never made."""
    provider.person("eva", groups=["sg-mottagningen"], amr=["pwd", "mfa"])
    context = browser.new_context()
    page = context.new_page()

    def forge_nonce(route) -> None:  # noqa: ANN001
        response = route.fetch(max_redirects=0)
        location = _tampered(response.headers["location"], "nonce", "forged-nonce")
        route.fulfill(status=302, headers={"Location": location})

    page.route(lambda url: f"/konto/oidc/{NAME}/" in url and "/klar/" not in url, forge_nonce)
    sign_in_at_provider(page, live_server.url, "eva")
    assert page.get_by_role("heading", name="Inloggningen nekades").count() == 1
    page.goto(live_server.url + reverse("records:clinic_list"))
    assert reverse("accounts:login") in page.url
    assert not User.objects.filter(identities__subject="eva").exists()
    context.close()


def test_a_person_removed_at_the_provider_loses_access_when_the_session_bound_is_reached(
    browser, live_server, provider, rules
):
    provider.person("filip", groups=["sg-mottagningen"], amr=["pwd", "mfa"])
    context = browser.new_context()
    page = context.new_page()
    sign_in_at_provider(page, live_server.url, "filip")
    page.goto(live_server.url + reverse("records:clinic_list"))
    assert page.url.endswith(reverse("records:clinic_list"))
    provider.remove("filip")
    # The bound (SAMVERKAN_OIDC_SESSION_MINUTES) reached: moved forward rather than waited for.
    for stored in Session.objects.all():
        data = stored.get_decoded()
        if data.get(oidc.SESSION_PROVIDER) == NAME:
            data[oidc.SESSION_UNTIL] = (timezone.now() - datetime.timedelta(seconds=1)).timestamp()
            Session.objects.filter(pk=stored.pk).update(session_data=Session.objects.encode(data))
    page.goto(live_server.url + reverse("records:clinic_list"))
    # Sent to the provider, which no longer knows filip: it signs nobody in (its own session's
    # account is gone: an error page) and nothing leads back in.
    assert page.url.startswith(f"{provider.issuer}/auth?")
    assert "/konto/oidc/" not in page.url
    page.goto(live_server.url + reverse("records:clinic_list"))
    assert not page.url.startswith(live_server.url + reverse("records:clinic_list"))
    page.goto(live_server.url + reverse("accounts:login"))
    assert page.locator("input[name=username]").count() == 1  # signed out here
    context.close()
