"""The API against its own served OpenAPI schema, with data generated from it (schemathesis):
no request, however odd, gets a server error, and every response matches the schema (status
code, content type, headers, body).

Checks left out, and why: `positive_data_acceptance` (data valid for the schema may still break
a rule it cannot express: a date in the future, a district key the partnership does not have)
and `negative_data_rejection` (the schema does not forbid extra properties, which are ignored).
The stateful test chains operations by the links schemathesis infers from the schema (a record's
`id` from its creation or a list, into reading, changing, closing it, adding a session).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from samverkan.api.tests.conftest import manager_of
from samverkan.api.tokens import api_token_create
from samverkan.conftest import local
from samverkan.records import services
from samverkan.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Served by the application itself (the schema view reads no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Schemathesis calls the WSGI application directly, and Django closes the database
    connection when a request starts and finishes (CONN_MAX_AGE 0). Django's own test client stops that for
    the test's transaction; do the same here, or on PostgreSQL the next call finds the test's
    connection closed."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def chat_token(db, small):
    services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim", ref="EX-1"
    )
    return api_token_create(by=manager_of(small.chat), name="fuzz", scope="write").secret


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_its_schema(case, chat_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {chat_token}"}, checks=CHECKS)


def test_stateful_sequences_keep_the_schema(db, small, chat_token):
    """Chains of operations, with the links schemathesis infers between them (an id a creation
    answers, used to read and change that record): no 5xx, every response in its schema."""
    from hypothesis.stateful import run_state_machine_as_test

    class Machine(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {chat_token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
