"""The committee document's sentences on the chat's service (statistics `chat.service`, from
the chat's own anonymous daily counts: docs/chat-protocol.md, "Supervision"): how many young
people volunteers took from the queue and after how long, how many gave up waiting, and how
long conversations lasted. A period before the chat counted these (no count at all) says
nothing rather than "none"."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from samverkan.reports.sentences import Writer

S = "chat.service"


def chat_service_paragraphs(w: Writer, period: str) -> list[str]:
    taken, abandoned = w.value(f"{S}.taken.count"), w.value(f"{S}.abandoned.count")
    if not taken and not abandoned and taken is not None and abandoned is not None:
        return []
    parts = [
        _(
            "During %(period)s, volunteers took %(taken)s young people from the chat's queue; "
            "%(abandoned)s gave up waiting before anyone could take them (%(share)s of those "
            "who waited)."
        )
        % {
            "period": period,
            "taken": w.count(f"{S}.taken.count"),
            "abandoned": w.count(f"{S}.abandoned.count"),
            "share": _share(w),
        }
    ]
    wait, length = (
        w.value(f"{S}.taken.mean_wait_minutes"),
        w.value(f"{S}.ended.mean_length_minutes"),
    )
    if wait is not None and length is not None:
        parts.append(
            _(
                "Those taken had waited %(wait)s minutes on average, and a conversation lasted "
                "%(length)s minutes on average."
            )
            % {"wait": number_format(wait), "length": number_format(length)}
        )
    return [" ".join(parts)]


def _share(w: Writer) -> str:
    taken, abandoned = w.value(f"{S}.taken.count"), w.value(f"{S}.abandoned.count")
    if taken is None or abandoned is None or taken + abandoned == 0:
        return ".."
    return f"{number_format(round(100 * abandoned / (taken + abandoned)))} %"
