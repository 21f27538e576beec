import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.models import User
from samverkan.activities.models import Activity
from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import Organisation, Partnership, Unit


@transaction.atomic
def activity_create(
    *,
    partnership: Partnership,
    kind: str,
    date: datetime.date,
    organisations: list[Organisation] | None = None,
    participants: int,
    topic: str,
    units: list[Unit] | None = None,
    by: User | None = None,
) -> Activity:
    """An activity that has taken place, with the services (units) and organisations present;
    a service's organisation is present with it."""
    units = list(units or [])
    organisations = list(organisations or [])
    organisations += [unit.organisation for unit in units if unit.organisation not in organisations]
    if date > timezone.localdate():
        raise SamverkanError(_("An activity is registered once it has taken place."))
    if not organisations:
        raise SamverkanError(_("Name at least one service or organisation present."))
    activity = Activity.objects.create(
        partnership=partnership,
        kind=kind,
        date=date,
        participants=participants,
        topic=topic.strip(),
        registered_by=by,
    )
    activity.organisations.set(organisations)
    activity.units.set(units)
    return activity
