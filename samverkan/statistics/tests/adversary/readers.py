"""How a reader without access to records gets figures: one small reader per public channel.

Each reader asks one channel for one period, as a person or a partner system would, and returns
a `Reading`: the published figures by dotted path (None where the channel hides a figure), or a
refusal (the channel will not answer that period at the public level) with its message. Nothing
here reads the database behind the channel's back; the tests compare with the truth separately
(`truth.py`).

Channels:
- `command`: `samverkan stats --disclosure public --format json`;
- `api`: `GET /api/v1/statistics/` with a read token (whoever issued it);
- `overview`: `/oversikt/` signed in (key figures of the period and of the same period a year
  earlier, and the chart tables);
- `campaign`: a campaign's evaluation (`campaigns.evaluation.campaign_evaluation`): a campaign
  writer chooses its dates, so the evaluation is a reader that asks for the period the campaign
  and its four weeks after span, and for as many days before;
- `document`: a committee document at the public level, read from the figures its sentences and
  tables write (`Writer.written`, by statistics path) and its charts' numbers. Parsing the
  rendered HTML would give the same numbers without their paths; the paths are what lets a
  reader link a document to the other channels, and a reader of the document can name them.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

D = datetime.date
Period = tuple[datetime.date, datetime.date]

# Keys of a statistics result that are not figures.
NOT_FIGURES = {"schema_version", "partnership", "period", "disclosure", "history"}
# Figures that are statistics of a group, not counts (protected by their base, not hidden as small).
STATISTIC_WORDS = ("mean_age", "youngest_age", "oldest_age", "median", "share")


@dataclass
class Reading:
    """What one channel published for one period."""

    channel: str
    period: Period
    values: dict[str, int | float | None] = field(default_factory=dict, repr=False)
    rules: dict[str, str] = field(default_factory=dict, repr=False)
    """The rule each hidden figure was hidden by, where the channel says it (today's JSON)."""
    refused: bool = False
    message: str = ""
    status: int | None = None
    """The command's exit code or the HTTP status."""
    level: str | None = None
    """The disclosure level the channel says it applied, where it says it."""
    previous: Reading | None = field(default=None, repr=False)
    """The overview and the campaign also show a second period (a year earlier, before)."""

    def counts(self) -> dict[str, int | None]:
        """The counts (not means, ages or medians) by path."""
        return {
            path: value
            for path, value in self.values.items()
            if not is_statistic(path) and (value is None or isinstance(value, int))
        }


def is_statistic(path: str) -> bool:
    return any(word in path for word in STATISTIC_WORDS)


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if not prefix and key in NOT_FIGURES:
            continue
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            flat.update(flatten(value, path))
        elif isinstance(value, bool):
            continue
        else:
            flat[path] = value
    return flat


def _from_result(channel: str, period: Period, result: dict[str, Any], status: int) -> Reading:
    disclosure = result.get("disclosure") or {}
    return Reading(
        channel=channel,
        period=period,
        values=flatten(result),
        rules={s["path"]: s.get("rule", "") for s in disclosure.get("suppressed", []) or []},
        status=status,
        level=disclosure.get("level"),
    )


def read_command(period: Period, partnership: str | None = None) -> Reading:
    """`samverkan stats --disclosure public --format json --from .. --to ..`."""
    arguments = ["stats", "--from", period[0].isoformat(), "--to", period[1].isoformat()]
    arguments += ["--disclosure", "public", "--format", "json"]
    if partnership:
        arguments += ["--partnership", partnership]
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*arguments, stdout=out, stderr=err)
    except CommandError as error:
        return Reading("command", period, refused=True, message=str(error), status=error.returncode)
    except SystemExit as exit:  # an argument the parser refuses, as on the command line
        return Reading(
            "command", period, refused=True, message=err.getvalue(), status=int(exit.code or 0)
        )
    return _from_result("command", period, json.loads(out.getvalue()), 0)


def read_api(client, secret: str, period: Period, partnership: str | None = None) -> Reading:  # noqa: ANN001
    """`GET /api/v1/statistics/?from=..&to=..` with a token."""
    query = {"from": period[0].isoformat(), "to": period[1].isoformat()}
    if partnership:
        query["partnership"] = partnership
    response = client.get("/api/v1/statistics/", query, HTTP_AUTHORIZATION=f"Bearer {secret}")
    if response.status_code != 200:
        return Reading(
            "api",
            period,
            refused=True,
            message=response.content.decode(),
            status=response.status_code,
        )
    return _from_result("api", period, response.json(), 200)


_FIGURE_ROW = re.compile(
    r'<td class="number" data-figure="([^"]+)">([^<]*)</td>\s*<td class="number">([^<]*)</td>'
)
_CHART = re.compile(r'<section class="chart" aria-labelledby="chart-([^"]+)">(.*?)</section>', re.S)
_CHART_ROW = re.compile(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', re.S)
_CELL = re.compile(r'<td class="number">([^<]*)</td>')
_ALERT = re.compile(r'<p class="[^"]*"[^>]*role="alert"[^>]*>(.*?)</p>', re.S)


def _number(text: str) -> int | None:
    text = text.strip()
    if text in ("..", ""):
        return None
    digits = re.sub(r"\D", "", text)
    return int(digits) if digits else None


def read_overview(client, period: Period, partnership: str | None = None) -> Reading:  # noqa: ANN001
    """`/oversikt/` for a period, signed in: the key figures of the period (by path) and of the
    same period a year earlier (`previous`), and every chart table's cells as
    `chart.<key>.<category>.<column>`."""
    query = {"date_from": period[0].isoformat(), "date_to": period[1].isoformat()}
    if partnership:
        query["partnership"] = partnership
    response = client.get(reverse("dashboard:overview"), query)
    html = response.content.decode()
    rows = _FIGURE_ROW.findall(html)
    if not rows:
        alerts = [re.sub(r"<[^>]+>|\s+", " ", a).strip() for a in _ALERT.findall(html)]
        errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
        return Reading(
            "overview",
            period,
            refused=True,
            message=" ".join([*alerts, *(re.sub(r"<[^>]+>", " ", e) for e in errors)]).strip(),
            status=response.status_code,
        )
    values: dict[str, int | float | None] = {path: _number(now) for path, now, _ in rows}
    for key, body in _CHART.findall(html):
        for category, cells in _CHART_ROW.findall(body):
            for column, cell in enumerate(_CELL.findall(cells)):
                values[f"chart.{key}.{category.strip()}.{column}"] = _number(cell)
    previous_period = _previous_year(period)
    previous = Reading(
        "overview",
        previous_period,
        values={path: _number(before) for path, _, before in rows},
        status=response.status_code,
    )
    return Reading(
        "overview",
        period,
        values=values,
        status=response.status_code,
        previous=previous,
    )


def _previous_year(period: Period) -> Period:
    def back(day: datetime.date) -> datetime.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)

    return back(period[0]), back(period[1])


# The campaign evaluation's rows by the statistics path they come from.
def _campaign_path(label: str) -> str:
    if label == "conversations":
        return "chat.conversations"
    if label == "residents":
        return "chat.residents.conversations"
    if label.startswith("concern."):
        return f"chat.by_concern.{label.split('.', 1)[1]}"
    if label.startswith("residents.gender."):
        return f"chat.residents.by_gender.{label.rsplit('.', 1)[1]}"
    return f"campaign.{label}"


def read_campaign(partnership, period: Period) -> Reading:  # noqa: ANN001
    """A campaign whose evaluation period ('during': the campaign and four weeks after) is the
    period asked for, as a campaign writer (the coordinator or any unit manager, of either
    organisation) registers it; the reading is the evaluation's figures for the periods it
    reports (`previous`: the days before)."""
    from samverkan.campaigns.evaluation import WEEKS_AFTER
    from samverkan.campaigns.models import Campaign

    starts_on = period[0]
    ends_on = max(period[1] - datetime.timedelta(weeks=WEEKS_AFTER), starts_on)
    weeks_after = (period[1] - ends_on).days / 7
    campaign = Campaign.objects.create(
        partnership=partnership, name="Attack", starts_on=starts_on, ends_on=ends_on
    )
    try:
        return read_campaign_evaluation(campaign, weeks_after, period)
    finally:
        campaign.delete()


def read_campaign_evaluation(campaign, weeks_after: float | None = None, period=None) -> Reading:  # noqa: ANN001
    """A campaign's evaluation as its page shows it (four weeks after unless told)."""
    from samverkan.campaigns.evaluation import WEEKS_AFTER, campaign_evaluation
    from samverkan.core.errors import SamverkanError

    try:
        if weeks_after is None or weeks_after == WEEKS_AFTER:
            evaluation = campaign_evaluation(campaign)
        else:
            # A period shorter than the four weeks after: the reader asks for fewer weeks
            # after (the function takes them; the page uses four).
            evaluation = campaign_evaluation(campaign, weeks_after=weeks_after)
    except SamverkanError as error:
        return Reading(
            "campaign",
            period or (campaign.starts_on, campaign.ends_on),
            refused=True,
            message=str(error),
        )
    during = tuple(evaluation.get("during") or period or (campaign.starts_on, campaign.ends_on))
    before = tuple(evaluation.get("before") or ())
    comparisons = evaluation.get("comparisons") or []
    reading = Reading(
        "campaign",
        during,
        values={_campaign_path(c.label): c.during for c in comparisons},
        refused=not comparisons,
    )
    if before:
        reading.previous = Reading(
            "campaign", before, values={_campaign_path(c.label): c.before for c in comparisons}
        )
    return reading


def read_document(partnership, period: Period) -> Reading:  # noqa: ANN001
    """An interim committee document at the public level for the period."""
    from samverkan.core.errors import SamverkanError
    from samverkan.dashboard.overview import Period as DocumentPeriod
    from samverkan.reports.content import ChartBlock, build_document
    from samverkan.reports.models import Report

    try:
        document = build_document(
            partnership=partnership,
            kind=Report.Kind.INTERIM,
            period=DocumentPeriod(period[0], period[1]),
            reference="Dnr 1",
            document_date=period[1],
            drafts={},
            disclosure="public",
        )
    except SamverkanError as error:
        return Reading("document", period, refused=True, message=str(error))
    values: dict[str, int | float | None] = dict(document.writer.written)
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, ChartBlock):
                for category, cells in block.chart.rows():
                    for column, value in enumerate(cells):
                        values[f"chart.{block.chart.key}.{category}.{column}"] = value
    return Reading("document", period, values=values, level=document.disclosure)


def is_whole_months(period: Period) -> bool:
    start, end = period
    return start.day == 1 and (end + datetime.timedelta(days=1)).day == 1
