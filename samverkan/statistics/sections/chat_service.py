"""The chat's service figures, from the anonymous daily counts the live chat writes
(`chat.services.service_count`; docs/chat-protocol.md, "Supervision"): young people taken from
the queue by how long they waited, those who gave up waiting (left the queue before anyone took
them) by how long they had waited, conversations by length, the mean of each, and the
volunteers' hours online.

The bands are the stored metrics' own (chat.service.<kind>.<band>); they are repeated here
rather than imported, since the statistics sit below the chat in the layers (a test checks
that both say the same).
"""

from samverkan.statistics.figures import Figures, mean_of

P = "chat.service"
WAIT_BANDS = ("under_1_min", "1_to_5_min", "5_to_15_min", "15_to_30_min", "over_30_min")
LENGTH_BANDS = ("under_5_min", "5_to_15_min", "15_to_30_min", "30_to_60_min", "over_60_min")
# (the stored kind, the figure's breakdown, its bands, the mean's name)
KINDS = (
    ("taken", "by_wait", WAIT_BANDS, "mean_wait_minutes"),
    ("abandoned", "by_wait", WAIT_BANDS, "mean_wait_minutes"),
    ("ended", "by_length", LENGTH_BANDS, "mean_length_minutes"),
)
VOLUNTEER_HOURS = f"{P}.volunteer_hours"
"""Given at the internal level only (statistics.release.NOT_PUBLISHED): the volunteers' working
time is the partnership's own business, not a figure about young people."""


def chat_service_figures(figures: Figures, counts: dict[str, tuple[int, int]]) -> None:
    for kind, breakdown, bands, mean in KINDS:
        cells = {
            f"{P}.{kind}.{breakdown}.{band}": counts.get(f"{P}.{kind}.{band}", (0, 0))
            for band in bands
        }
        events = sum(n for n, _minutes in cells.values())
        figures.count(f"{P}.{kind}.count", events)
        figures.parts(f"{P}.{kind}.count", {path: n for path, (n, _minutes) in cells.items()})
        minutes = sum(total for _n, total in cells.values())
        figures.statistic(f"{P}.{kind}.{mean}", mean_of(minutes, events), events)
    _sessions, minutes = counts.get(f"{P}.consoles", (0, 0))
    figures.count(VOLUNTEER_HOURS, round(minutes / 60))
