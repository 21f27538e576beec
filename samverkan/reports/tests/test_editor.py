"""The committee report's editor (issue 16): the whole document in one form, a preview that is the
document's own HTML, the earlier report's texts carried into a new one, and the sentences the
figures will make shown beside the texts. Each test is named after what the coordinator saw."""

import datetime
import re

import pytest
from django.urls import reverse

from samverkan.accounts.models import Role, User
from samverkan.conftest import sign_in
from samverkan.reports.content import PROSE_SECTIONS, report_document
from samverkan.reports.models import Report, ReportSectionVersion
from samverkan.reports.render import document_html
from samverkan.reports.services import report_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(department):
    def user(name, role):
        return User.objects.create_user(name, password="x" * 16, role=role, unit=department)

    return {
        "coordinator": user("coord", Role.COORDINATOR),
        "steering": user("st", Role.STEERING_MEMBER),
    }


def _report(small, people, **extra) -> Report:
    data = {
        "partnership": small.partnership,
        "kind": "interim",
        "date_from": datetime.date(2022, 1, 1),
        "date_to": datetime.date(2022, 5, 31),
        "reference": "1.3.2-266/2022",
        "document_date": datetime.date(2022, 8, 30),
        "by": people["coordinator"],
        **extra,
    }
    return report_create(**data)


def _all_texts(report: Report, **changes: str) -> dict[str, str]:
    """The form as the browser sends it: every section, some of them changed."""
    texts = dict(report.sections.values_list("key", "text"))
    texts.update(changes)
    return texts


def test_editing_two_sections_and_saving_once_keeps_both(client, small, people):
    report = _report(small, people)
    sign_in(client, people["coordinator"])
    response = client.post(
        reverse("reports:detail", args=[report.pk]),
        _all_texts(
            report,
            summary="Partnerskapet har pågått i ett halvt år.",
            views_and_proposal="Förvaltningen föreslår att nämnden godkänner rapporten.",
        ),
        follow=True,
    )
    assert response.status_code == 200
    texts = dict(report.sections.values_list("key", "text"))
    assert texts["summary"] == "Partnerskapet har pågått i ett halvt år."
    assert texts["views_and_proposal"] == "Förvaltningen föreslår att nämnden godkänner rapporten."
    page = response.content.decode()
    assert "2 avsnitt ändrade" in page
    # Only the changed sections got a new version (besides the one each got at creation).
    assert (
        ReportSectionVersion.objects.filter(section__report=report).count()
        == len(PROSE_SECTIONS) + 2
    )


def test_the_editor_has_one_save_button_not_eight(client, small, people):
    report = _report(small, people)
    sign_in(client, people["coordinator"])
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert page.count('value="save"') == 1
    assert page.count("<textarea") == len(PROSE_SECTIONS)
    main = page[page.index("<main") :]
    assert len(re.findall(r'<form method="post"', main)) == 1


def test_a_correction_after_saving_keeps_the_earlier_wording_in_the_history(client, small, people):
    report = _report(small, people)
    sign_in(client, people["coordinator"])
    url = reverse("reports:detail", args=[report.pk])
    client.post(url, _all_texts(report, summary="Partnerskapet har pågått i sex år."))
    client.post(url, _all_texts(report, summary="Partnerskapet har pågått i sex månader."))
    assert report.sections.get(key="summary").text == "Partnerskapet har pågått i sex månader."
    page = client.get(url).content.decode()
    assert "Tidigare lydelser" in page and "sex år" in page


def test_a_new_report_for_january_to_may_2022_starts_from_the_earlier_texts_not_empty(
    client, small, people
):
    earlier = _report(small, people)
    sign_in(client, people["coordinator"])
    url = reverse("reports:detail", args=[earlier.pk])
    client.post(url, _all_texts(earlier, summary="Sammanfattningen från förra gången."))
    new_page = client.get(reverse("reports:new")).content.decode()
    assert f'<option value="{earlier.pk}" selected>' in new_page
    response = client.post(
        reverse("reports:new"),
        {
            "kind": "interim",
            "date_from": "2022-01-01",
            "date_to": "2022-05-31",
            "reference": "1.3.2-266/2022",
            "document_date": "2022-09-01",
            "based_on": str(earlier.pk),
        },
        follow=True,
    )
    second = Report.objects.exclude(pk=earlier.pk).get()
    assert second.sections.get(key="summary").text == "Sammanfattningen från förra gången."
    assert second.based_on == earlier
    page = response.content.decode()
    assert "texterna utgår från" in page.lower() and "Sammanfattningen från förra gången" in page


def test_a_new_report_starts_from_the_latest_report_ending_by_its_end(small, people):
    first = _report(small, people)
    first.sections.filter(key="summary").update(text="Första")
    year = _report(
        small,
        people,
        kind="annual",
        date_from=datetime.date(2022, 1, 1),
        date_to=datetime.date(2022, 12, 31),
    )
    assert year.based_on == first and year.sections.get(key="summary").text == "Första"
    year.sections.filter(key="summary").update(text="Året")
    # A report for a period before every other still starts from texts, the latest ones.
    earlier_period = _report(
        small, people, date_from=datetime.date(2021, 6, 1), date_to=datetime.date(2021, 11, 30)
    )
    assert earlier_period.sections.get(key="summary").text == "Året"
    empty = _report(small, people, based_on=None)
    assert empty.sections.get(key="summary").text == "" and empty.based_on is None


def test_the_preview_is_the_document_html_with_the_unsaved_texts(client, small, people):
    report = _report(small, people)
    sign_in(client, people["coordinator"])
    texts = _all_texts(report, background="Ett osparat stycke om bakgrunden.")
    response = client.post(
        reverse("reports:preview", args=[report.pk]), {**texts, "disclosure": "public"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ett osparat stycke om bakgrunden." in html
    assert report.sections.get(key="background").text == ""  # a preview saves nothing
    expected = document_html(report_document(report, disclosure="public", drafts=texts))
    assert html == expected  # the very HTML the PDF is made from


def test_the_preview_is_framed_by_the_editor_only(client, small, people):
    report = _report(small, people)
    sign_in(client, people["coordinator"])
    preview = client.get(reverse("reports:preview", args=[report.pk]))
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    page = client.get(reverse("reports:detail", args=[report.pk]))
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_the_preview_works_without_javascript(client, small, people):
    """The "Förhandsgranska" button posts the form into the preview frame by HTML alone."""
    report = _report(small, people)
    sign_in(client, people["coordinator"])
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    preview_url = reverse("reports:preview", args=[report.pk])
    button = re.search(r'<button type="submit" name="action" value="preview"[^>]*>', page)
    assert button and f'formaction="{preview_url}"' in button.group(0)
    target = re.search(r'formtarget="([^"]+)"', button.group(0)).group(1)
    assert f'<iframe name="{target}"' in page
    assert "samverkan/reports.js" in page  # and live with it


def test_the_page_shows_which_figures_the_sentences_will_contain(client, small, people):
    report = _report(small, people)
    sign_in(client, people["coordinator"])
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Skrivs från siffrorna efter den här texten" in page
    assert "chattsamtal genomförts" in page and "Stödcentrum haft" in page


def test_a_period_the_public_level_cannot_answer_gives_its_message_in_the_preview(
    client, small, people
):
    report = _report(
        small, people, date_from=datetime.date(2022, 1, 10), date_to=datetime.date(2022, 5, 31)
    )
    sign_in(client, people["steering"])
    page = client.get(reverse("reports:detail", args=[report.pk]))
    assert page.status_code == 200
    preview = client.get(reverse("reports:preview", args=[report.pk]), {"disclosure": "public"})
    assert preview.status_code == 200
    assert "hela kalendermånader" in preview.content.decode().lower() or "månad" in (
        preview.content.decode()
    )
    # Exact figures are not for the steering group, nor are unsaved texts theirs to post.
    assert (
        client.get(
            reverse("reports:preview", args=[report.pk]), {"disclosure": "internal"}
        ).status_code
        == 404
    )
    assert client.post(reverse("reports:preview", args=[report.pk]), {}).status_code == 404


def test_a_section_left_out_of_the_request_is_left_as_it_was(client, small, people):
    report = _report(small, people, drafts={"summary": "Kvar.", "background": "Också kvar."})
    sign_in(client, people["coordinator"])
    client.post(reverse("reports:detail", args=[report.pk]), {"summary": "Ändrad."})
    texts = dict(report.sections.values_list("key", "text"))
    assert texts["summary"] == "Ändrad." and texts["background"] == "Också kvar."


@pytest.mark.parametrize(
    ("median", "expected"),
    [
        (0.0, "Hälften av dem kom fram samma dag som koden gavs."),
        (0.5, "Hälften av dem kom fram inom ett dygn."),
        (1.0, "Hälften av dem kom fram inom ett dygn."),
        (3.0, "Hälften av dem kom fram inom tre dagar."),
        (2.5, "Hälften av dem kom fram inom 2,5 dagar."),
        (14.0, "Hälften av dem kom fram inom 14 dagar."),
    ],
)
def test_a_referral_median_reads_as_words_not_inom_0_0_dagar(median, expected):
    from django.utils import translation

    from samverkan.reports.sentences import arrival_sentence

    with translation.override("sv"):
        assert arrival_sentence(median) == expected


def test_more_published_ongoing_series_than_clients_reads_samtliga(small):
    """Public counts are changed each on its own: 17 ongoing of 16 clients is "all of them"."""
    from django.utils import translation

    from samverkan.reports.sentences import Writer, clinic_paragraphs

    stats = {
        "disclosure": {"suppressed": [], "threshold": 5},
        "clinic": {
            "clients": 21,
            "residents": {
                "clients": 16,
                "ongoing": 17,
                "by_gender_and_concern": {"girl": {"victim": 12}, "boy": {"perpetrator": 5}},
            },
        },
    }
    with translation.override("sv"):
        (text,) = clinic_paragraphs(Writer(stats), "januari till maj 2022", "Stockholms stad")
    assert "Samtliga dessa samtalsserier pågår." in text and "17 av dessa" not in text
