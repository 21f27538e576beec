"""The live chat's work that touches the database, and the rules the consumers apply.

Plain synchronous functions, testable without a socket; the consumers call them through
`database_sync_to_async`. None of them receives a message's text.
"""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import User
from samverkan.accounts.permissions import can_keep_directory
from samverkan.accounts.permissions import can_supervise as can_supervise
from samverkan.accounts.permissions import can_volunteer as can_volunteer
from samverkan.accounts.permissions import chat_unit as chat_unit
from samverkan.chat.models import DirectoryEntry, FeedbackAnswer, FeedbackCount, OpeningHours
from samverkan.partnership.models import District, Service, Unit
from samverkan.records.models import MAX_AGE, ChatConcern, Gender, Resident, ViolenceForm

# The longest message either side may send, in characters.
MAX_MESSAGE_LENGTH = 2000

# The service's anonymous daily counts (statistics.DailyCount, metrics under SERVICE_PREFIX):
# how long young people waited before a volunteer took them, how long those who gave up had
# waited, how long conversations lasted, and the consoles' time online. Each event adds 1 to the
# day's count of its band and its whole minutes to the band's sum: no row, key or time of a
# single conversation is kept (docs/chat-protocol.md, "Supervision").
SERVICE_PREFIX = "chat.service."
# (upper bound in seconds or None, band key), in order.
WAIT_BANDS = (
    (60, "under_1_min"),
    (5 * 60, "1_to_5_min"),
    (15 * 60, "5_to_15_min"),
    (30 * 60, "15_to_30_min"),
    (None, "over_30_min"),
)
LENGTH_BANDS = (
    (5 * 60, "under_5_min"),
    (15 * 60, "5_to_15_min"),
    (30 * 60, "15_to_30_min"),
    (60 * 60, "30_to_60_min"),
    (None, "over_60_min"),
)
# The kinds of event counted, each under chat.service.<kind>.<band>, with its bands.
SERVICE_EVENTS = {"taken": WAIT_BANDS, "abandoned": WAIT_BANDS, "ended": LENGTH_BANDS}
CONSOLE_METRIC = f"{SERVICE_PREFIX}consoles"


def band_of(seconds: float, bands: tuple[tuple[int | None, str], ...]) -> str:
    for upper, key in bands:
        if upper is None or seconds < upper:
            return key
    raise ValueError(seconds)  # pragma: no cover - the last band has no upper bound


def service_count(kind: str, *, seconds: float, when: datetime.datetime | None = None) -> None:
    """Count one event of the service on its day (Stockholm): `taken` (the wait before a
    volunteer took the conversation), `abandoned` (the wait of a young person who left the
    queue untaken), `ended` (a taken conversation's length), or `consoles` (a console's time
    online). The day's count of the band goes up by one and its sum by the whole minutes."""
    from samverkan.core.time import local_day
    from samverkan.statistics.counters import CountBuffer

    unit = chat_unit()
    if unit is None:
        return
    seconds = max(0.0, seconds)
    if kind == "consoles":
        metric = CONSOLE_METRIC
    else:
        metric = f"{SERVICE_PREFIX}{kind}.{band_of(seconds, SERVICE_EVENTS[kind])}"
    counts = CountBuffer()
    counts.add(unit.pk, local_day(when or timezone.now()), ((metric, round(seconds / 60)),))
    with transaction.atomic():
        counts.flush()


def service_counts_of_day(day: datetime.date) -> dict[str, tuple[int, int]]:
    """The chat unit's service counts of a day, by metric: (events, minutes)."""
    from samverkan.statistics.models import DailyCount

    unit = chat_unit()
    if unit is None:
        return {}
    rows = DailyCount.objects.filter(
        unit=unit, day=day, metric__startswith=SERVICE_PREFIX
    ).values_list("metric", "n", "total")
    return {metric: (n, total) for metric, n, total in rows}


def is_open(now: datetime.datetime | None = None) -> bool:
    """Whether the chat is open at `now` (Stockholm time); open around the clock without hours."""
    moment = timezone.localtime(now or timezone.now())
    hours = list(OpeningHours.objects.all())
    return not hours or any(row.covers(moment) for row in hours)


def directory_services_of_unit(unit: Unit) -> QuerySet[Service]:
    """Services offered in the chat, of the partnerships the unit takes part in."""
    return (
        Service.objects.filter(partnership__in=unit.partnerships.all())
        .filter(Q(directory_entry__isnull=True) | Q(directory_entry__shown_in_chat=True))
        .select_related("directory_entry")
        .order_by("name")
    )


def services_for_user(user: User) -> QuerySet[Service]:
    """Services of the partnerships the user's unit or organisation takes part in."""
    if not (user.is_authenticated and user.is_active and user.unit_id):
        return Service.objects.none()
    unit = user.unit
    return (
        Service.objects.filter(
            Q(partnership__units=unit) | Q(partnership__organisations=unit.organisation)
        )
        .distinct()
        .select_related("directory_entry")
        .order_by("name")
    )


DIRECTORY_FIELDS = frozenset(
    {"description", "address", "opening_hours", "contact", "shown_in_chat"}
)
"""What the directory's form may change about a service: the entry's own values."""


@transaction.atomic
def directory_entry_update(*, service: Service, by: User, **values: Any) -> DirectoryEntry:
    if not (can_keep_directory(by) and services_for_user(by).filter(pk=service.pk).exists()):
        from samverkan.core.errors import Forbidden

        raise Forbidden(_("Only the partnership's coordinators keep the directory."))
    unknown = set(values) - DIRECTORY_FIELDS
    if unknown:
        raise TypeError(f"Not a directory entry's own value: {sorted(unknown)}")
    entry, _created = DirectoryEntry.objects.get_or_create(service=service)
    changed = [name for name, value in values.items() if getattr(entry, name) != value]
    for name, value in values.items():
        setattr(entry, name, value)
    entry.full_clean()
    entry.save()
    log_action("chat.directory_entry.changed", user=by, target=entry, fields=changed)
    return entry


def feedback_count(*, answer: str, now: datetime.datetime | None = None) -> None:
    """Count one answer to "did this help?" on today's row; nothing else is kept."""
    if answer not in FeedbackAnswer.values:
        raise ValueError(answer)
    day = timezone.localdate(now or timezone.now())
    with transaction.atomic():
        FeedbackCount.objects.get_or_create(day=day, answer=answer)
        FeedbackCount.objects.filter(day=day, answer=answer).update(n=F("n") + 1)


def clean_intake(raw: object) -> dict[str, Any]:
    """The young person's optional answers before the chat, keeping only valid choices."""
    if not isinstance(raw, dict):
        return {}
    intake: dict[str, Any] = {}
    age = raw.get("age")
    if isinstance(age, str) and age.strip().isdigit():
        age = int(age.strip())
    if isinstance(age, int) and not isinstance(age, bool) and 1 <= age <= MAX_AGE:
        intake["age"] = age
    if raw.get("gender") in Gender.values:
        intake["gender"] = raw["gender"]
    if raw.get("concern") in ChatConcern.values:
        intake["concern"] = raw["concern"]
    return intake


def clean_notes(raw: object, *, district_ids: set[int]) -> dict[str, Any]:
    """The volunteer's notes during the chat: the post-chat record's choices, nothing free."""
    if not isinstance(raw, dict):
        return {}
    notes = clean_intake(raw)
    if raw.get("resident") in Resident.values:
        notes["resident"] = raw["resident"]
    district = raw.get("district")
    if isinstance(district, str) and district.isdigit():
        district = int(district)
    if isinstance(district, int) and district in district_ids:
        notes["district"] = district
    violence = raw.get("violence")
    if isinstance(violence, list):
        notes["violence"] = sorted({v for v in violence if v in ViolenceForm.values})
    return notes


def district_ids_for_user(user: User) -> set[int]:
    if not user.unit_id:
        return set()
    return set(
        District.objects.filter(partnership__in=user.unit.partnerships.all()).values_list(
            "pk", flat=True
        )
    )


def referral_issue(*, service_id: object, by: User) -> dict[str, str]:
    """Issue a referral code for a service of the volunteer's partnerships, as the chat shows
    it. The referral is linked to the post-chat record when that is saved."""
    from samverkan.referrals.services import issue_referral  # the referrals app's interface

    service = directory_services(by).filter(pk=_int(service_id)).first()
    if service is None:
        from samverkan.core.errors import NotFound

        raise NotFound(_("There is no such service."))
    referral = issue_referral(destination=service, by=by)
    entry = getattr(service, "directory_entry", None)
    return {
        "code": referral.display_code,
        "service": str(service.pk),
        "destination": service.name,
        "contact": entry.contact if entry else "",
        "address": entry.address if entry else "",
        "opening_hours": entry.opening_hours if entry else "",
        "expires": timezone.localdate(referral.expires_at).isoformat(),
    }


def directory_services(user: User) -> QuerySet[Service]:
    return services_for_user(user).filter(
        Q(directory_entry__isnull=True) | Q(directory_entry__shown_in_chat=True)
    )


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def record_initial(conversation: Any) -> dict[str, Any]:
    """The post-chat form's starting values: the young person's answers before the chat,
    overridden by what the volunteer noted, and the destination of the last code issued."""
    values = {**conversation.intake, **conversation.notes}
    # The conversation started when a volunteer took it; the wait before is not part of it.
    started = conversation.taken_at or conversation.created_at
    initial: dict[str, Any] = {"started_at": timezone.localtime(started)}
    for name in ("concern", "gender", "age", "resident", "district", "violence"):
        if name in values:
            initial[name] = values[name]
    if conversation.codes:
        initial["referred_to"] = int(conversation.codes[-1]["service"])
    return initial


def console_allowed(scope: dict[str, Any]) -> bool:
    """A signed-in volunteer of the chat unit who has given the second factor in this session
    (the WebSocket passes no middleware of Django's, so the check is made here)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    user, session = scope.get("user"), scope.get("session")
    if user is None or not user.is_authenticated or session is None:
        return False
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    if device is None or device.user_id != user.pk or not device.confirmed:
        return False
    return can_volunteer(user)


# A volunteer at work in the console keeps their sign-in: at most this often, an action on the
# socket saves the session, which moves its expiry on as a page load would. (Sessions end after
# SAMVERKAN_SESSION_MINUTES without a request; a long conversation makes no page requests.)
SESSION_TOUCH_SECONDS = 60


def session_kept(session: Any) -> bool:
    """Save a console's session, which moves its idle end on as a page load would; False if it
    has gone meanwhile (signed out elsewhere, or expired and cleared)."""
    from django.contrib.sessions.backends.base import UpdateError

    if session is None or not session.session_key:
        return True
    try:
        session.save()
    except UpdateError:
        return False
    return True
