"""Synthetic referral codes for the demo: codes issued in chat conversations that referred the
young person on, and the arrivals some of them led to.

Nothing here touches the anonymous counts, so every figure the demo reproduces stays as it was.
The codes themselves come from `random.Random(seed)` rather than the secure source, so a seed
always gives the same codes; they are valid codes all the same.
"""

import random
from datetime import timedelta

from django.conf import settings

from samverkan.demo.partnership import DemoPartnership
from samverkan.records.models import ChatConcern, ChatConversation
from samverkan.referrals.codes import ALPHABET, PAYLOAD, check_symbol
from samverkan.referrals.models import Referral

# Share of conversations with a referral in which the volunteer also gave a code.
CODE_GIVEN = 0.7
# Share of codes that arrive, by destination and concern: a young person who uses violence and
# is referred to the clinic is the case the codes were made to follow.
ARRIVES = {
    ("clinic", ChatConcern.PERPETRATOR): 0.45,
    ("clinic", ChatConcern.VICTIM): 0.35,
    ("rvc", ChatConcern.PERPETRATOR): 0.3,
}
ARRIVES_OTHERWISE = 0.25
# Days from the chat to the first visit: most within two weeks, a few after more than a month.
MEAN_DAYS_TO_ARRIVAL = 10


def _code(rng: random.Random) -> str:
    payload = "".join(rng.choice(ALPHABET) for _unused in range(PAYLOAD))
    return payload + check_symbol(payload)


def demo_referrals_create(demo: DemoPartnership, *, seed: int = 2022) -> int:
    """Codes for the demo chat's conversations with a referral; returns how many."""
    rng = random.Random(f"referrals-{seed}")
    valid_for = timedelta(days=settings.SAMVERKAN_REFERRAL_DAYS)
    conversations = (
        ChatConversation.objects.filter(unit=demo.chat, referred_to__isnull=False)
        .select_related("referred_to")
        .order_by("started_at", "pk")
    )
    codes: set[str] = set()
    referrals = []
    for conversation in conversations:
        if rng.random() >= CODE_GIVEN:
            continue
        code = _code(rng)
        while code in codes:
            code = _code(rng)
        codes.add(code)
        destination = conversation.referred_to
        issued_at = conversation.started_at + timedelta(minutes=rng.randint(10, 45))
        arrived_at = arrival_unit = None
        share = ARRIVES.get((destination.key, conversation.concern), ARRIVES_OTHERWISE)
        if destination.unit_id is not None and rng.random() < share:
            days = min(1 + int(rng.expovariate(1 / MEAN_DAYS_TO_ARRIVAL)), valid_for.days - 1)
            # On a weekday afternoon-ish hour, the receiving unit's opening hours.
            arrived_at = (issued_at + timedelta(days=days)).replace(
                hour=rng.randint(9, 16), minute=rng.choice([0, 15, 30, 45])
            )
            arrival_unit = destination.unit
        referrals.append(
            Referral(
                code=code,
                destination=destination,
                issuing_unit=demo.chat,
                issued_at=issued_at,
                expires_at=issued_at + valid_for,
                conversation=conversation,
                arrived_at=arrived_at,
                arrival_unit=arrival_unit,
            )
        )
    Referral.objects.bulk_create(referrals)
    return len(referrals)
