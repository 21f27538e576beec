"""Writes of referral codes: issue one in the chat, link it to the post-chat record, register
its arrival at the destination. Each write by a person is audited."""

import datetime
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import User
from samverkan.accounts.permissions import receives_referrals
from samverkan.core.errors import Forbidden, NotFound, RateLimited, SamverkanError
from samverkan.partnership.models import Service, Unit
from samverkan.records.models import ChatConversation
from samverkan.records.selectors import can_work_with_records
from samverkan.referrals.codes import display, new_code, parse
from samverkan.referrals.models import Referral

# With 31**7 codes, a collision is already rare; ten in a row means something else is wrong.
ISSUE_ATTEMPTS = 10


class UnknownCode(NotFound):
    pass


class ExpiredCode(SamverkanError):
    pass


class AlreadyArrived(SamverkanError):
    pass


class OtherDestination(SamverkanError):
    pass


def _local(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _day(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT")


def _check_chat_writer(by: User) -> None:
    """Codes are issued by people who may write their chat unit's post-chat records."""
    if not (can_work_with_records(by) and by.unit.kind == Unit.Kind.CHAT):
        raise Forbidden(_("Only the chat's staff can issue referral codes."))


@transaction.atomic
def issue_referral(
    *,
    destination: Service,
    by: User,
    conversation: ChatConversation | None = None,
    now: datetime.datetime | None = None,
) -> Referral:
    """A new code for `destination`, valid SAMVERKAN_REFERRAL_DAYS days from now."""
    _check_chat_writer(by)
    if not by.unit.partnerships.filter(pk=destination.partnership_id).exists():
        raise SamverkanError(_("The service does not belong to a partnership of this unit."))
    if conversation is not None and conversation.unit_id != by.unit_id:
        raise Forbidden(_("You can only register records of your own unit."))
    now = now or timezone.now()
    expires_at = now + datetime.timedelta(days=settings.SAMVERKAN_REFERRAL_DAYS)
    for _attempt in range(ISSUE_ATTEMPTS):
        try:
            # A savepoint, so that a collision rolls back this insert only.
            with transaction.atomic():
                referral = Referral.objects.create(
                    code=new_code(),
                    destination=destination,
                    issuing_unit=by.unit,
                    issued_at=now,
                    expires_at=expires_at,
                    conversation=conversation,
                )
        except IntegrityError:
            continue
        log_action("referrals.referral.issued", user=by, target=referral)
        return referral
    raise SamverkanError(_("No free referral code was found; try again."))


@transaction.atomic
def attach_to_conversation(
    *, codes: Iterable[str], conversation: ChatConversation, by: User
) -> list[Referral]:
    """Link codes issued in a chat to its saved post-chat record, so figures can count them by
    concern. Only codes of the record's own unit, not yet linked to another record."""
    if not (can_work_with_records(by) and by.unit_id == conversation.unit_id):
        raise Forbidden(_("You can only register records of your own unit."))
    linked = []
    for text in codes:
        code = parse(text)
        referral = (
            Referral.objects.select_for_update()
            .filter(code=code, issuing_unit_id=conversation.unit_id)
            .first()
        )
        if referral is None:
            raise UnknownCode(
                _("There is no referral code %(code)s from this unit.") % {"code": display(code)}
            )
        if referral.conversation_id == conversation.pk:
            linked.append(referral)
            continue
        if referral.conversation_id is not None:
            raise SamverkanError(
                _("The referral code %(code)s already belongs to another conversation.")
                % {"code": display(code)}
            )
        referral.conversation = conversation
        referral.save(update_fields=["conversation"])
        log_action("referrals.referral.attached", user=by, target=referral)
        linked.append(referral)
    return linked


def _arrival_failures_key(by: User | None, unit: Unit | None) -> str:
    # Per person (an API token acts through a user of its own, so per token too); from the
    # command line, per unit.
    if by is not None:
        return f"referrals:arrival-failures:user:{by.pk}"
    return f"referrals:arrival-failures:unit:{unit.pk if unit is not None else '-'}"


def register_arrival(
    text: str,
    *,
    by: User | None,
    unit: Unit | None = None,
    now: datetime.datetime | None = None,
) -> Referral:
    """The young person with this code has arrived at `by`'s unit (or, from the command line,
    with by=None, at `unit`). Each refusal says what is wrong, in the reader's language.

    Refusals are counted per user (or token, or unit from the command line): after
    SAMVERKAN_ARRIVAL_ATTEMPTS of them within SAMVERKAN_ARRIVAL_WINDOW seconds every arrival is
    refused until the window ends, and the stop is audited. With about 27 billion codes that
    makes guessing a valid one hopeless, whatever the refusals say."""
    key = _arrival_failures_key(by, unit)
    window = settings.SAMVERKAN_ARRIVAL_WINDOW
    if cache.get(key, 0) >= settings.SAMVERKAN_ARRIVAL_ATTEMPTS:
        since = cache.get(f"{key}:since") or time.time()
        retry_after = max(1, int(since + window - time.time()))
        if by is not None:
            log_action("referrals.arrival.limited", user=by)
        raise RateLimited(
            _("Too many codes could not be registered. Try again in %(minutes)d minutes.")
            % {"minutes": max(1, -(-retry_after // 60))},
            retry_after,
        )
    try:
        return _register_arrival(text, by=by, unit=unit, now=now)
    except SamverkanError:
        cache.add(f"{key}:since", time.time(), window)
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
        raise


@transaction.atomic
def _register_arrival(
    text: str,
    *,
    by: User | None,
    unit: Unit | None,
    now: datetime.datetime | None,
) -> Referral:
    if by is not None:
        # Staff of a unit that receives no service are refused before any code is looked up:
        # otherwise "is for another service" against "no such code" would tell them which
        # codes exist.
        if not (can_work_with_records(by) and receives_referrals(by.unit)):
            raise Forbidden(_("Only staff of a receiving unit can register arrivals."))
        unit = by.unit
    if unit is None:
        raise SamverkanError(_("Say at which unit the code arrived."))
    code = parse(text)
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("destination", "destination__unit")
        .filter(code=code)
        .first()
    )
    if referral is None:
        raise UnknownCode(
            _("There is no referral code %(code)s. Check it with the young person.")
            % {"code": display(code)}
        )
    if referral.destination.unit_id != unit.pk:
        raise OtherDestination(
            _("The code %(code)s is for %(service)s, which %(unit)s does not receive.")
            % {"code": display(code), "service": referral.destination.name, "unit": unit.name}
        )
    if referral.arrived_at is not None:
        raise AlreadyArrived(
            _("The code %(code)s was already registered as arrived on %(when)s.")
            % {"code": display(code), "when": _local(referral.arrived_at)}
        )
    now = now or timezone.now()
    if referral.expires_at <= now:
        raise ExpiredCode(
            _("The code %(code)s expired on %(day)s.")
            % {"code": display(code), "day": _day(referral.expires_at)}
        )
    referral.arrived_at = now
    referral.arrival_unit = unit
    referral.save(update_fields=["arrived_at", "arrival_unit"])
    if by is not None:
        log_action("referrals.referral.arrived", user=by, target=referral)
    return referral
