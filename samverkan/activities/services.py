import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.models import User
from samverkan.activities.models import Activity
from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import Organisation, Partnership


@transaction.atomic
def activity_create(
    *,
    partnership: Partnership,
    kind: str,
    date: datetime.date,
    organisations: list[Organisation],
    participants: int,
    topic: str,
    by: User | None = None,
) -> Activity:
    if date > timezone.localdate():
        raise SamverkanError(_("An activity is registered once it has taken place."))
    if not organisations:
        raise SamverkanError(_("Name at least one organisation present."))
    activity = Activity.objects.create(
        partnership=partnership,
        kind=kind,
        date=date,
        participants=participants,
        topic=topic.strip(),
        registered_by=by,
    )
    activity.organisations.set(organisations)
    return activity
