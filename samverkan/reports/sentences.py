"""The figures as sentences, in the style of the administration's reports.

"Under januari till maj 2022 har totalt 612 chattsamtal genomförts ..." — every count goes through
`Writer.count`, which writes small numbers as words (as Swedish prose does), writes a count the
public level hides as "ett litet antal" (its published value is below the threshold, so every
month of the period had fewer than the threshold: "färre än 5" would be untrue of a longer period)
and any other hidden figure as "ett skyddat antal", and remembers what it wrote so that tests can
check that no small count leaks.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from samverkan.statistics.figures import HIDDEN_MARK, read

NUMBER_WORDS_UP_TO = 12


def number_word(n: int) -> str | None:
    words = {
        2: pgettext("number", "two"),
        3: pgettext("number", "three"),
        4: pgettext("number", "four"),
        5: pgettext("number", "five"),
        6: pgettext("number", "six"),
        7: pgettext("number", "seven"),
        8: pgettext("number", "eight"),
        9: pgettext("number", "nine"),
        10: pgettext("number", "ten"),
        11: pgettext("number", "eleven"),
        12: pgettext("number", "twelve"),
    }
    return words.get(n)


def period_phrase(date_from: datetime.date, date_to: datetime.date) -> str:
    """'januari till maj 2022', 'mars 2022', 'december 2021 till maj 2022', or exact dates."""
    whole_months = date_from.day == 1 and (date_to + datetime.timedelta(days=1)).day == 1
    if not whole_months:
        return _("%(start)s to %(end)s") % {
            "start": date_format(date_from, "j F Y"),
            "end": date_format(date_to, "j F Y"),
        }
    if (date_from.year, date_from.month) == (date_to.year, date_to.month):
        return date_format(date_from, "F Y")
    if date_from.year == date_to.year:
        return _("%(start)s to %(end)s") % {
            "start": date_format(date_from, "F"),
            "end": date_format(date_to, "F Y"),
        }
    return _("%(start)s to %(end)s") % {
        "start": date_format(date_from, "F Y"),
        "end": date_format(date_to, "F Y"),
    }


def about_age(mean: float | None) -> str:
    """17.2 -> 'drygt 17', 15.8 -> 'knappt 16', 16.0 -> '16': how a report rounds a mean age."""
    if mean is None:
        return _("not shown (too few)")
    whole = math.floor(mean)
    fraction = mean - whole
    if fraction < 0.1:
        return str(whole)
    if fraction < 0.5:
        return _("just over %(n)d") % {"n": whole}
    if fraction > 0.9:
        return str(whole + 1)
    if fraction == 0.5:  # a public mean, rounded to the half year: between x.25 and x.75
        return _("just over %(n)d") % {"n": whole}
    return _("just under %(n)d") % {"n": whole + 1}


@dataclass
class Writer:
    """Writes the figures of one statistics result (either disclosure level) as text."""

    stats: dict[str, Any]
    written: list[tuple[str, int | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rules = {s["path"]: s["rule"] for s in self.stats["disclosure"]["suppressed"]}
        self.threshold = self.stats["disclosure"]["threshold"]

    def value(self, path: str) -> Any:
        return read(self.stats, path)

    def count(self, path: str, *, start: bool = False, words: bool = True) -> str:
        value = self.value(path)
        self.written.append((path, value))
        if value is None:
            text = self.hidden(path)
        elif words and number_word(value):
            text = number_word(value)
        else:
            text = number_format(value, force_grouping=True)
        return capfirst(text) if start else text

    def hidden(self, path: str) -> str:
        if self.rules.get(path) in ("small", "collapsed"):
            return _("a small number")
        return _("a protected number")

    def number(self, path: str) -> str:
        """A count in a table cell: digits, '..' when hidden."""
        value = self.value(path)
        self.written.append((path, value))
        return HIDDEN_MARK if value is None else number_format(value, force_grouping=True)

    def share(self, part: str, whole: str, parts: tuple[str, ...] = ()) -> str:
        """Percentage of part in whole, or '..' when either is hidden or the whole is 0.

        With `parts` (every part of the whole, `part` among them), the share is of the larger of
        the whole and the sum of the parts shown: public counts are perturbed each on its own,
        so parts may add up to a little more than their total, and shares must not pass 100 %.
        """
        p, w = self.value(part), self.value(whole)
        if p is None or w is None:
            return HIDDEN_MARK
        w = max(w, sum(self.value(path) or 0 for path in parts))
        if w == 0:
            return HIDDEN_MARK
        return f"{number_format(round(100 * p / w))} %"


def chat_paragraphs(w: Writer, period: str, municipality: str = "") -> list[str]:
    c = "chat"
    r = f"{c}.residents"
    values = {
        "period": period,
        "total": w.count(f"{c}.conversations", words=False),
        "residents": w.count(f"{r}.conversations", words=False),
        "municipality": municipality or _("the municipality"),
        "girls": w.count(f"{r}.by_gender.girl"),
        "boys": w.count(f"{r}.by_gender.boy"),
    }
    other = w.value(f"{r}.by_gender.other")
    if other:
        # Only a number of "another gender" that can be published is written: a hidden one
        # (0 to 4 a month) or none goes with those who gave no such information, as the
        # administration's report words it.
        values["other"] = w.count(f"{r}.by_gender.other")
        first = (
            _(
                "During %(period)s, %(total)s chat conversations were held in total. Of these, "
                "%(residents)s were with residents of %(municipality)s, of whom %(girls)s "
                "identified as girls and %(boys)s as boys; %(other)s gave another gender "
                "identity and the others gave no such information."
            )
            % values
        )
    else:
        first = (
            _(
                "During %(period)s, %(total)s chat conversations were held in total. Of these, "
                "%(residents)s were with residents of %(municipality)s, of whom %(girls)s "
                "identified as girls and %(boys)s as boys. The others gave no such information."
            )
            % values
        )
    second = _(
        "Of the %(residents)s residents who turned to the chat, %(victim)s conversations were "
        "about being subjected to violence and %(perpetrator)s about using violence. The rest were "
        "friends (%(friend)s) or other matters (%(other)s)."
    ) % {
        "residents": w.count(f"{r}.conversations", words=False),
        "victim": w.count(f"{r}.by_concern.victim"),
        "perpetrator": w.count(f"{r}.by_concern.perpetrator"),
        "friend": w.count(f"{r}.by_concern.friend"),
        "other": w.count(f"{r}.by_concern.other"),
    }
    girls_age = w.value(f"{r}.mean_age_by_gender.girl")
    boys_age = w.value(f"{r}.mean_age_by_gender.boy")
    if (
        girls_age is not None
        and boys_age is not None
        and about_age(girls_age) == about_age(boys_age)
    ):
        third = _("The mean age of the visitors, boys and girls alike, was %(age)s years.") % {
            "age": about_age(w.value(f"{r}.mean_age"))
        }
    else:
        third = _("The mean age was %(girls)s years for girls and %(boys)s years for boys.") % {
            "girls": about_age(girls_age),
            "boys": about_age(boys_age),
        }
    return [first, f"{second} {third}"]


def clinic_paragraphs(w: Writer, period: str, municipality: str = "") -> list[str]:
    c = "clinic"
    r = f"{c}.residents"
    first = _(
        "The counselling clinic has had %(clients)s clients during %(period)s; of these, "
        "%(residents)s live in %(municipality)s. %(girls_victims)s of them are girls who sought "
        "support for being subjected to violence and %(boys_perpetrators)s are boys who sought "
        "support to change their behaviour as users of violence."
    ) % {
        "clients": w.count(f"{c}.clients", words=False),
        "period": period,
        "residents": w.count(f"{r}.clients", words=False),
        "municipality": municipality or _("the municipality"),
        "girls_victims": w.count(f"{r}.by_gender_and_concern.girl.victim", start=True),
        "boys_perpetrators": w.count(f"{r}.by_gender_and_concern.boy.perpetrator"),
    }
    ongoing, clients = w.value(f"{r}.ongoing"), w.value(f"{r}.clients")
    # Published counts are changed each on its own: more ongoing series than clients means all.
    if ongoing is not None and clients and ongoing >= clients:
        w.written.append((f"{r}.ongoing", ongoing))
        second = _("All of these series of sessions are ongoing.")
    else:
        second = _("%(ongoing)s of these series of sessions are ongoing.") % {
            "ongoing": w.count(f"{r}.ongoing", start=True)
        }
    return [f"{first} {second}"]


def support_centre_paragraphs(w: Writer, period: str) -> list[str]:
    s = "support_centre"
    v = f"{s}.partner_violence.victims"
    first = _(
        "During %(period)s the support centre received %(cases)s cases, of which %(girls)s girls "
        "and %(boys)s boys. The mean age is %(girls_age)s years for girls and %(boys_age)s years "
        "for boys."
    ) % {
        "period": period,
        "cases": w.count(f"{s}.cases", words=False),
        "girls": w.count(f"{s}.by_gender.girl", words=False),
        "boys": w.count(f"{s}.by_gender.boy", words=False),
        "girls_age": about_age(w.value(f"{s}.mean_age_by_gender.girl")),
        "boys_age": about_age(w.value(f"{s}.mean_age_by_gender.boy")),
    }
    youngest = w.value(f"{v}.youngest_age")
    victims = _(
        "%(victims)s persons (of whom %(boys)s boys) have been subjected to violence in a close "
        "relationship"
    ) % {"victims": w.count(f"{v}.count", start=True), "boys": w.count(f"{v}.by_gender.boy")}
    if youngest is not None:
        victims += _(", the youngest only %(age)d years old.") % {"age": youngest}
    else:
        victims += "."
    screening = _(
        "The routine question about violence in young people's close relationships was asked "
        "in %(screened)s cases; in %(perpetrators)s of them the young person said they had "
        "used violence in a relationship."
    ) % {
        "screened": w.count(f"{s}.screened", words=False),
        "perpetrators": w.count(f"{s}.partner_violence.perpetrators.count"),
    }
    return [f"{first} {victims}", screening]


def referral_paragraphs(w: Writer, period: str) -> list[str]:
    issued = w.value("referrals.issued.count")
    if not issued:
        return []
    text = _(
        "During %(period)s the chat's volunteers gave %(issued)s referral codes to young people; "
        "%(arrived)s of them have so far been shown at the service they were meant for."
    ) % {
        "period": period,
        "issued": w.count("referrals.issued.count"),
        "arrived": w.count("referrals.arrived.count"),
    }
    median = w.value("referrals.median_days_to_arrival")
    if median is not None:
        text += " " + arrival_sentence(float(median))
    return [text]


def arrival_sentence(median: float) -> str:
    """The median number of days from code to arrival, as a person would say it: the same day,
    within a day, within three days, within 2,5 days."""
    if median == 0:
        return _("Half of them arrived the same day as the code was given.")
    if median <= 1:
        return _("Half of them arrived within a day.")
    if median.is_integer():
        days = number_word(int(median)) or number_format(int(median), force_grouping=True)
    else:
        days = number_format(median, decimal_pos=1)
    return _("Half of them arrived within %(days)s days.") % {"days": days}
