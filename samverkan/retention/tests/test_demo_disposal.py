"""The demo's two years disposed of entirely: the source document's figures do not move."""

import datetime
import io

import pytest
from django.core.management import call_command

from samverkan.partnership.models import Partnership
from samverkan.records.models import ChatConversation, ClinicClient, SupportCentreCase
from samverkan.referrals.models import Referral
from samverkan.retention.disposal import dispose
from samverkan.statistics.engine import statistics_compute

pytestmark = pytest.mark.django_db
D = datetime.date
ONE_DAY = datetime.timedelta(days=1)
PERIODS = [
    (D(2022, 1, 1), D(2022, 5, 31)),  # the interim report the demo reproduces
    (D(2021, 1, 1), D(2021, 12, 31)),
    (D(2022, 3, 15), D(2022, 9, 10)),  # internal only: the public level answers whole months
    (D(2022, 3, 1), D(2022, 9, 30)),
]


def test_disposing_of_every_demo_record_leaves_every_figure_as_it_was():
    call_command("demo", "--no-serve", stdout=io.StringIO())
    partnership = Partnership.objects.get()

    def figures():
        return [
            statistics_compute(
                partnership=partnership, date_from=start, date_to=end, disclosure=level
            )
            for start, end in PERIODS
            for level in ("internal", "public")
            if level == "internal" or start.day == 1 and end.month != (end + ONE_DAY).month
        ]

    before = figures()
    assert before[0]["clinic"]["clients"] == 21  # the report's figure
    outcomes = dispose(today=D(2030, 1, 1))
    assert {o.kind for o in outcomes} >= {
        "chat-conversation",
        "support-centre-case",
        "clinic-client",
    }
    assert not ChatConversation.objects.exists()
    assert not SupportCentreCase.objects.exists()
    assert not ClinicClient.objects.exists()
    assert Referral.objects.exists()  # codes are not records of a person; they stay
    assert figures() == before
