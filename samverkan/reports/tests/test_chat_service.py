"""The committee document's sentences on the chat's service: written from `chat.service`, and
nothing for a period before the chat counted it."""

from django.utils import translation

from samverkan.reports.chat_service import chat_service_paragraphs
from samverkan.reports.sentences import Writer


def _stats(taken, abandoned, wait=None, length=None) -> dict:  # noqa: ANN001
    return {
        "disclosure": {"level": "internal", "threshold": None, "suppressed": []},
        "chat": {
            "service": {
                "taken": {"count": taken, "mean_wait_minutes": wait},
                "abandoned": {"count": abandoned},
                "ended": {"mean_length_minutes": length},
            }
        },
    }


def test_the_service_is_written_with_the_share_who_gave_up():
    with translation.override("en"):
        [text] = chat_service_paragraphs(Writer(_stats(45, 5, 4.5, 22.0)), "May 2026")
    assert text == (
        "During May 2026, volunteers took 45 young people from the chat's queue; five gave up "
        "waiting before anyone could take them (10 % of those who waited). Those taken had "
        "waited 4.5 minutes on average, and a conversation lasted 22.0 minutes on average."
    )
    with translation.override("sv"):
        [swedish] = chat_service_paragraphs(Writer(_stats(45, 5, 4.5, 22.0)), "maj 2026")
    assert swedish.startswith("Under maj 2026 tog volontärerna emot 45 unga från chattens kö")


def test_a_period_without_counts_says_nothing_and_hidden_means_are_left_out():
    assert chat_service_paragraphs(Writer(_stats(0, 0)), "May 2026") == []
    with translation.override("en"):
        [text] = chat_service_paragraphs(Writer(_stats(12, None)), "May 2026")
    assert "a protected number gave up" in text and "(.. of those who waited)" in text
    assert "on average" not in text
