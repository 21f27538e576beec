"""What the overview shows: every figure the committee report prints, by population, each
table with a sentence saying whom it counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from samverkan.dashboard.figures import COUNT, MEAN, MEDIAN
from samverkan.partnership.models import Unit

# The committee report's table of key figures (reports.content): (statistics path, label,
# indented under the figure before it). The overview shows these and more, by population
# (SECTIONS below).
KEY_FIGURES = [
    ("chat.conversations", _("Chat conversations"), False),
    ("chat.residents.conversations", _("of which with residents"), True),
    ("chat.by_concern.perpetrator", _("of which with someone who uses violence"), True),
    ("clinic.clients", _("Clinic clients"), False),
    ("clinic.sessions", _("Clinic sessions"), False),
    ("support_centre.cases", _("Support-centre cases"), False),
    ("support_centre.screened", _("of which asked the screening question"), True),
    (
        "support_centre.partner_violence.victims.count",
        _("Victims of violence in a relationship, found by screening"),
        True,
    ),
    (
        "support_centre.partner_violence.perpetrators.count",
        _("Users of violence in a relationship, found by screening"),
        True,
    ),
    ("referrals.issued.count", _("Referral codes issued"), False),
    ("referrals.arrived.count", _("of which arrived at the destination so far"), True),
]


CHAT, CLINIC, SUPPORT_CENTRE = Unit.Kind.CHAT, Unit.Kind.CLINIC, Unit.Kind.SUPPORT_CENTRE


@dataclass(frozen=True)
class Line:
    """A row of a section: a figure's path, its label, and whether it is a part of the row above
    (indented) or a mean or median rather than a count."""

    path: str
    label: Any
    indented: bool = False
    kind: str = COUNT


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: Any
    population: Any
    """Whom the section's figures count: stated on the page, so that a figure of all chat
    conversations and one of the residents' never read as two answers to one question."""
    unit_kind: str
    """The kind of unit whose records the figures are (the unit filter)."""
    lines: tuple[Line, ...]


def _by_gender(prefix: str, indented: bool = True) -> tuple[Line, ...]:
    return (
        Line(f"{prefix}.girl", _("girls"), indented),
        Line(f"{prefix}.boy", _("boys"), indented),
    )


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "chat",
        _("The chat: all conversations"),
        _(
            "Every chat conversation, whether or not the young person lives in the "
            "municipality. The committee report's sentences count the residents (next table)."
        ),
        CHAT,
        (
            Line("chat.conversations", _("Chat conversations")),
            Line("chat.by_concern.victim", _("of which about being subjected to violence"), True),
            Line("chat.by_concern.perpetrator", _("of which with someone who uses violence"), True),
            Line("chat.by_concern.friend", _("of which about a friend"), True),
            Line("chat.by_concern.other", _("of which about something else"), True),
        ),
    ),
    SectionSpec(
        "chat-residents",
        _("The chat: residents of the municipality"),
        _(
            "Conversations with young people who live in the municipality: the population of "
            "the committee report's figures about the chat."
        ),
        CHAT,
        (
            Line("chat.residents.conversations", _("Conversations with residents")),
            Line("chat.residents.by_gender.girl", _("of which girls"), True),
            Line("chat.residents.by_gender.boy", _("of which boys"), True),
            Line("chat.residents.by_gender.other", _("of which another gender identity"), True),
            Line(
                "chat.residents.by_concern.victim",
                _("of which about being subjected to violence"),
                True,
            ),
            Line(
                "chat.residents.by_concern.perpetrator",
                _("of which with someone who uses violence"),
                True,
            ),
            Line("chat.residents.by_concern.friend", _("of which about a friend"), True),
            Line("chat.residents.by_concern.other", _("of which about something else"), True),
            Line("chat.residents.mean_age", _("Mean age, years"), kind=MEAN),
            Line("chat.residents.mean_age_by_gender.girl", _("girls"), True, MEAN),
            Line("chat.residents.mean_age_by_gender.boy", _("boys"), True, MEAN),
        ),
    ),
    SectionSpec(
        "clinic",
        _("The counselling clinic"),
        _(
            "Clients with a session in the period, and the sessions; the rows below the "
            "residents count the clients who live in the municipality."
        ),
        CLINIC,
        (
            Line("clinic.clients", _("Clinic clients")),
            Line("clinic.sessions", _("Clinic sessions")),
            Line("clinic.residents.clients", _("Clients who are residents")),
            Line(
                "clinic.residents.by_gender_and_concern.girl.victim",
                _("of which girls subjected to violence"),
                True,
            ),
            Line(
                "clinic.residents.by_gender_and_concern.girl.perpetrator",
                _("of which girls who use violence"),
                True,
            ),
            Line(
                "clinic.residents.by_gender_and_concern.boy.perpetrator",
                _("of which boys who use violence"),
                True,
            ),
            Line("clinic.residents.ongoing", _("of which in a series going on at the end"), True),
        ),
    ),
    SectionSpec(
        "support-centre",
        _("The support centre"),
        _(
            "Cases received in the period; the violence in a relationship is what the "
            "screening question found."
        ),
        SUPPORT_CENTRE,
        (
            Line("support_centre.cases", _("Support-centre cases")),
            Line("support_centre.by_gender.girl", _("of which girls"), True),
            Line("support_centre.by_gender.boy", _("of which boys"), True),
            Line("support_centre.mean_age_by_gender.girl", _("Mean age of the girls"), kind=MEAN),
            Line("support_centre.mean_age_by_gender.boy", _("Mean age of the boys"), kind=MEAN),
            Line("support_centre.screened", _("Asked the screening question")),
            Line(
                "support_centre.partner_violence.victims.count",
                _("Victims of violence in a relationship, found by screening"),
            ),
            *_by_gender("support_centre.partner_violence.victims.by_gender"),
            Line(
                "support_centre.partner_violence.perpetrators.count",
                _("Users of violence in a relationship, found by screening"),
            ),
            *_by_gender("support_centre.partner_violence.perpetrators.by_gender"),
        ),
    ),
    SectionSpec(
        "referral-codes",
        _("Referral codes"),
        _(
            "Codes the chat gave in the period, and how many of them have arrived at the "
            "service so far, whenever they arrived."
        ),
        CHAT,
        (
            Line("referrals.issued.count", _("Referral codes issued")),
            Line("referrals.arrived.count", _("of which arrived at the destination so far"), True),
            Line(
                "referrals.median_days_to_arrival",
                _("Days from code to arrival (median)"),
                kind=MEDIAN,
            ),
        ),
    ),
)


def support_centre_referrals(services: dict[str, str]) -> tuple[Line, ...]:
    """Referrals from the support centre, one row per service: the report prints them."""
    return tuple(
        Line(
            f"referrals.by_source.support_centre.{key}",
            _("Referred on by the support centre to %(service)s") % {"service": name},
        )
        for key, name in services.items()
    )
