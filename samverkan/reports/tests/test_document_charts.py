"""The committee documents' charts, written as SVG without matplotlib (charts.document_svg):
well-formed, every series told apart by more than its colour, every category and series named
as text, ids that two charts on one page do not share, and nothing drawn for a hidden cell."""

import re
import sys
from xml.etree.ElementTree import fromstring

import pytest

from samverkan.statistics.charts import Chart, Series, document_svg

SVG = "{http://www.w3.org/2000/svg}"


def _chart(**changes) -> Chart:  # noqa: ANN003
    fields = {
        "key": "test",
        "title": "Samtal per månad",
        "category_label": "Månad",
        "value_label": "Samtal",
        "categories": ["Jan 2022", "Feb 2022", "Mar 2022"],
        "series": [
            Series("Utsatt för våld", [74, 72, 92]),
            Series("Utövar våld", [5, None, 13]),
            Series("Vän till någon som berörs", [30, 18, 31]),
            Series("Övrigt", [18, 14, 10]),
        ],
    }
    fields.update(changes)
    return Chart(**fields)


def _texts(root) -> list[str]:  # noqa: ANN001
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_the_chart_is_svg_with_its_categories_series_and_values_axis_as_text():
    root = fromstring(document_svg(_chart()))
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == "0 0 576 259.2"
    texts = _texts(root)
    assert {"Jan 2022", "Feb 2022", "Mar 2022", "Samtal"} <= set(texts)
    assert {"Utsatt för våld", "Utövar våld", "Vän till någon som berörs", "Övrigt"} <= set(texts)
    # The value axis reaches past the tallest stack (74 + 5 + 30 + 18 = 127; 92 + 13 + 31 + 10 = 146).
    ticks = [int(t) for t in texts if t.isdigit()]
    assert ticks[0] == 0 and ticks[-1] >= 146 and len(ticks) >= 4


def test_each_series_after_the_first_has_a_hatching_of_its_own_besides_its_colour():
    """In greyscale, or for a reader who does not tell the colours apart, the hatching tells
    the series apart (WCAG 1.4.1): the legend's keys carry the same."""
    root = fromstring(document_svg(_chart()))
    patterns = [p for p in root.iter(f"{SVG}pattern")]
    assert len(patterns) == 3  # the first series is plain
    drawings = [
        "".join(f"{child.tag}{sorted(child.attrib.items())}" for child in pattern.iter())
        for pattern in patterns
    ]
    assert len(set(d.split("}", 1)[1] for d in drawings)) == 3
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect")]
    colours = {f for f in fills if f and f.startswith("#")}
    assert len(colours) == 4
    for pattern in patterns:
        assert fills.count(f"url(#{pattern.get('id')})") >= 2  # a bar and the legend's key


def test_two_charts_on_one_page_never_share_an_id():
    first = document_svg(_chart())
    second = document_svg(_chart(title="Något annat"))
    ids = re.findall(r' id="([^"]+)"', first)
    assert ids and not set(ids) & set(re.findall(r' id="([^"]+)"', second))


def test_a_hidden_cell_draws_no_bar_and_the_stack_above_it_starts_lower():
    drawn = document_svg(
        _chart(
            series=[Series("Utsatt för våld", [74, 72, 92]), Series("Utövar våld", [5, None, 13])]
        )
    )
    root = fromstring(drawn)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("stroke") == "#fff"]
    assert len(bars) == 5  # six cells, one hidden


def test_many_categories_slant_and_long_names_are_set_smaller_not_broken():
    months = [f"Månad {n}" for n in range(1, 13)]
    root = fromstring(
        document_svg(_chart(categories=months, series=[Series("Samtal", list(range(12)))]))
    )
    slanted = [t for t in root.iter(f"{SVG}text") if "rotate(-45)" in (t.get("transform") or "")]
    assert len(slanted) == 12
    long_names = ["Relationsvåldscentrum (RVC)", "Samtalsmottagningen", "Ungdomsmottagning"] * 2
    root = fromstring(
        document_svg(_chart(categories=long_names, series=[Series("Utfärdad", [1, 2, 3, 4, 5, 6])]))
    )
    words = _texts(root)
    assert "Samtalsmottagningen" in words  # whole, never "Samtalsmottagnin" and "gen"
    sizes = {float(t.get("font-size")) for t in root.iter(f"{SVG}text") if t.get("font-size")}
    assert sizes and max(sizes) < 10


@pytest.mark.parametrize(
    "chart",
    [
        _chart(categories=[], series=[Series("Samtal", [])]),
        _chart(series=[Series("Samtal", [None, None, None])]),
        _chart(series=[Series("Samtal", [0, 0, 0])]),
    ],
)
def test_an_empty_or_protected_chart_is_still_a_well_formed_drawing(chart):
    root = fromstring(document_svg(chart))
    assert root.tag == f"{SVG}svg"


def test_the_documents_charts_need_no_matplotlib():
    """The committee PDF's command never imports matplotlib (its import and drawing were a
    quarter of the command's time)."""
    import subprocess

    code = (
        "import sys\n"
        "from samverkan.statistics.charts import Chart, Series, document_svg\n"
        "document_svg(Chart('k', 't', 'c', 'v', ['a'], [Series('s', [1])]))\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "samverkan.settings"},
    )
    assert out.stdout.strip() == "False"
