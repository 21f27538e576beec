"""The fact groups declared in statistics/facts.py: what a record counts for, the metrics, their
margins and the list of finest cells all come from the one declaration, and agree."""

import itertools

import pytest

from samverkan.records.models import ChatConcern, Gender, ScreeningAnswer, ViolenceForm
from samverkan.statistics.counters import chat_facts, support_centre_facts
from samverkan.statistics.facts import CELLS_BY_RECORD, CHAT, SUPPORT_CENTRE, cell_names, cells_of
from samverkan.statistics.figures import HIDDEN_MARK, read
from samverkan.statistics.stored import with_marginals

CONFIGURED = {"districts": ["norr", "soder"], "services": ["clinic", "rvc"]}


@pytest.mark.parametrize("record", [CHAT, SUPPORT_CENTRE])
def test_every_finest_cell_is_taken_apart_into_its_group_and_values(record):
    names = cell_names(record, CONFIGURED)
    assert len(names) == len(set(names))
    for name, measured in names:
        cells, values = cells_of(name)
        assert cells.metric(*values) == name
        assert (cells.measure is not None) == measured
    assert cells_of("chat.conversations") is None  # a margin is no finest cell


def test_a_resident_counts_in_every_group_of_the_chat_and_an_unknown_district_counts_as_such():
    facts = chat_facts(
        resident="yes",
        gender="girl",
        age=15,
        concern="victim",
        violence=("physical", "digital"),
        district=None,
        referred_to="rvc",
    )
    assert sorted(facts) == sorted(
        [
            ("chat.by_concern.victim", 0),
            ("chat.residents.by_gender_and_concern.girl.victim", 0),
            ("chat.residents.by_district.unknown", 0),
            ("chat.residents.by_violence.physical", 0),
            ("chat.residents.by_violence.digital", 0),
            ("chat.residents.age.girl", 15),
            ("referrals.chat.rvc", 0),
        ]
    )
    names = {name for name, _measured in cell_names(CHAT, CONFIGURED)}
    assert {metric for metric, _value in facts} <= names


def test_conditions_leave_out_the_groups_a_record_does_not_meet():
    not_resident = chat_facts(
        resident="no",
        gender="boy",
        age=None,
        concern="perpetrator",
        violence=("physical",),
        district="norr",
        referred_to=None,
    )
    assert not_resident == (("chat.by_concern.perpetrator", 0),)
    not_screened = support_centre_facts(
        gender="girl",
        age=16,
        category="victim",
        screened=False,
        screening_answer="victim",
        referred_to=None,
    )
    assert sorted(not_screened) == sorted(
        [
            ("support_centre.by_gender_and_category.girl.victim", 0),
            ("support_centre.age.girl", 16),
            # The partner-violence groups depend on the answer, not on the question being asked
            # (the forms require the question for an answer).
            ("support_centre.partner_violence.victims.by_gender.girl", 0),
            ("support_centre.partner_violence.victims.by_age.16", 0),
        ]
    )


def test_the_margins_are_the_sums_the_declarations_name():
    stored = {}
    for gender, concern in itertools.product(Gender.values, ChatConcern.values):
        stored[f"chat.residents.by_gender_and_concern.{gender}.{concern}"] = (2, 0)
    stored["chat.residents.age.girl"] = (3, 45)
    stored["chat.residents.age.boy"] = (1, 16)
    stored[f"chat.residents.by_violence.{ViolenceForm.values[0]}"] = (4, 0)
    counts = with_marginals(stored)
    cells = len(Gender.values) * len(ChatConcern.values)
    assert counts["chat.residents.conversations"] == (2 * cells, 0)
    assert counts["chat.residents.by_gender.girl"] == (2 * len(ChatConcern.values), 0)
    assert counts["chat.residents.by_concern.victim"] == (2 * len(Gender.values), 0)
    assert counts["chat.residents.age"] == (4, 61)  # a measured group sums its values too
    assert "chat.residents.by_violence" not in counts  # no margin declared: none added
    margins = {path for group in CELLS_BY_RECORD.values() for c in group for path, _ in c.margins}
    assert {"chat.conversations", "support_centre.cases", "support_centre.screened"} <= margins


def test_read_gives_a_figure_by_its_path_and_none_for_a_hidden_or_missing_one():
    stats = {"chat": {"conversations": 12, "by_concern": {"victim": None}}}
    assert read(stats, "chat.conversations") == 12
    assert read(stats, "chat.by_concern") == {"victim": None}
    assert read(stats, "chat.by_concern.victim") is None
    assert read(stats, "chat.by_month.2022-01.total") is None
    assert read(stats, "chat.conversations.total") is None
    assert HIDDEN_MARK == ".."


def test_every_fact_a_record_can_count_for_is_a_cell_the_history_may_be_entered_for():
    """The history's metric list (cell_names) and the writers' facts come from one declaration:
    whatever values a record has, its facts are among the listed cells."""
    names = {name for name, _measured in cell_names(CHAT, CONFIGURED)}
    for resident, gender, age, concern, district, referred in itertools.product(
        ("yes", "no"),
        Gender.values,
        (None, 1, 15),
        ChatConcern.values,
        (None, "norr"),
        (None, "rvc"),
    ):
        facts = chat_facts(
            resident=resident,
            gender=gender,
            age=age,
            concern=concern,
            violence=tuple(ViolenceForm.values[:2]),
            district=district,
            referred_to=referred,
        )
        assert {metric for metric, _value in facts} <= names
    names = {name for name, _measured in cell_names(SUPPORT_CENTRE, CONFIGURED)}
    for gender, age, screened, answer in itertools.product(
        Gender.values, (None, 1, 99), (True, False), (None, *ScreeningAnswer.values)
    ):
        facts = support_centre_facts(
            gender=gender,
            age=age,
            category="victim",
            screened=screened,
            screening_answer=answer,
            referred_to="clinic",
        )
        assert {metric for metric, _value in facts} <= names
