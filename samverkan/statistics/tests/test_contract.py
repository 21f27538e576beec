"""The JSON of `samverkan stats` is a contract: it always validates against the schema."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator

from samverkan.conftest import local
from samverkan.records import services

pytestmark = pytest.mark.django_db
SCHEMA = json.loads(
    (Path(__file__).parents[1] / "schema" / "stats.schema.json").read_text(encoding="utf-8")
)


def stats(*args):
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def fill(small):
    for day in range(1, 8):
        services.chat_conversation_create(
            unit=small.chat,
            started_at=local(2022, 3, day, 19),
            concern="victim",
            resident="yes",
            gender="girl",
            age=15 + day % 3,
            district=small.district,
        )
    services.chat_conversation_create(
        unit=small.chat,
        started_at=local(2022, 4, 1, 19),
        concern="perpetrator",
        resident="yes",
        gender="boy",
        age=17,
        referred_to=small.clinic_service,
    )
    services.support_centre_case_create(
        unit=small.support_centre,
        received_on=datetime.date(2022, 3, 1),
        category="victim",
        gender="girl",
        age=13,
        screened=True,
        screening_answer="victim",
    )


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("disclosure", ["internal", "public"])
def test_output_validates_against_the_schema(small, disclosure):
    fill(small)
    output = json.loads(
        stats("--from", "2022-01-01", "--to", "2022-12-31", "--disclosure", disclosure)
    )
    Draft202012Validator(SCHEMA).validate(output)
    assert output["disclosure"]["level"] == disclosure


def test_empty_database_period_validates(small):
    Draft202012Validator(SCHEMA).validate(
        json.loads(stats("--from", "2030-01-01", "--to", "2030-01-01"))
    )


def test_the_command_line_defaults_to_exact_figures(small):
    fill(small)
    output = json.loads(stats("--from", "2022-03-01", "--to", "2022-04-30"))
    assert output["disclosure"] == {"level": "internal", "threshold": None, "suppressed": []}
    assert output["chat"]["residents"]["by_gender"]["boy"] == 1
    public = json.loads(
        stats("--from", "2022-03-01", "--to", "2022-04-30", "--disclosure", "public")
    )
    assert public["chat"]["residents"]["by_gender"]["boy"] is None
    assert public["disclosure"]["threshold"] == 5


def test_text_format_is_readable(small):
    fill(small)
    text = stats(
        "--from", "2022-03-01", "--to", "2022-04-30", "--format", "text", "--disclosure", "public"
    )
    assert "2022-03-01" in text and ".." in text


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2022-02-30", "--to", "2022-03-01"],
        ["--from", "2022-03-01", "--to", "2022-02-01"],
        ["--from", "2022-03-01", "--to", "2022-04-01", "--threshold", "2"],
        ["--from", "2022-03-01", "--to", "2022-04-01", "--partnership", "nope"],
    ],
)
def test_bad_arguments_give_a_clear_error(small, args):
    with pytest.raises(CommandError):
        stats(*args)
