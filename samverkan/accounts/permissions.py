"""Who may do what, in one place: the roles of each kind of work and the checks the pages, the
menu, the API and the services ask.

A check answers for the user's role, unit and state (signed in, active); which rows the user then
reads is the reads' own scoping (`records.selectors`, `Partnership.objects.for_user`, ...). The
views enforce these checks themselves (a page refused is a 404, so an address reveals nothing);
the menu (`samverkan.navigation`) only leaves out links that would end so.

Who may do what, by role:
- volunteers, counsellors, support-centre officers and unit managers work with their own unit's
  records (`RECORD_ROLES`);
- coordinators, steering-group members and unit managers see the partnership's aggregates: the
  overview, the committee documents, campaigns and activities (`AGGREGATE_ROLES`);
- the coordinator sees the exact (internal) figures (`disclosure_for`), keeps the directory of
  services and the figures of earlier years;
- coordinators and steering-group members read the governance pages (the foundation's unit
  managers its money pages, `governance.selectors.access_for`);
- coordinators and unit managers register activities and campaigns (`REGISTERING_ROLES`; a
  campaign also needs the writer's unit);
- coordinators and administrators search the audit log (`AUDIT_ROLES`);
- a unit manager issues the unit's API tokens and gives the unit's staff a new start
  (`RECOVERABLE_ROLES`).
"""

from django.conf import settings
from django.db.models import QuerySet

from samverkan.accounts.models import Role, User
from samverkan.partnership.models import Partnership, Service, Unit

RECORD_ROLES = frozenset(
    {Role.VOLUNTEER, Role.COUNSELLOR, Role.SUPPORT_CENTRE_OFFICER, Role.UNIT_MANAGER}
)
AGGREGATE_ROLES = frozenset({Role.COORDINATOR, Role.STEERING_MEMBER, Role.UNIT_MANAGER})
INTERNAL_ROLES = frozenset({Role.COORDINATOR})
GOVERNANCE_READING_ROLES = frozenset({Role.COORDINATOR, Role.STEERING_MEMBER})
REGISTERING_ROLES = frozenset({Role.COORDINATOR, Role.UNIT_MANAGER})
HISTORY_ROLES = frozenset({Role.COORDINATOR})
AUDIT_ROLES = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})
# Roles a unit manager may give a new start: the unit's own staff, not managers or above.
RECOVERABLE_ROLES = frozenset({Role.VOLUNTEER, Role.COUNSELLOR, Role.SUPPORT_CENTRE_OFFICER})


def _signed_in(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


# --- Records and referral codes ----------------------------------------------------------------


def can_work_with_records(user: User) -> bool:
    return bool(_signed_in(user) and user.role in RECORD_ROLES and user.unit_id)


def receives_referrals(unit: Unit | None) -> bool:
    """Whether the unit is the receiving unit of some service, so codes can arrive there."""
    return unit is not None and Service.objects.filter(unit=unit).exists()


def can_register_arrivals(user: User) -> bool:
    """Staff who work with records in a unit that receives some service."""
    return can_work_with_records(user) and receives_referrals(user.unit)


# --- The chat ----------------------------------------------------------------------------------


def chat_unit() -> Unit | None:
    """The unit whose volunteers answer the public chat: SAMVERKAN_CHAT_UNIT, or the first."""
    units = Unit.objects.filter(kind=Unit.Kind.CHAT).order_by("pk")
    if settings.SAMVERKAN_CHAT_UNIT:
        units = units.filter(key=settings.SAMVERKAN_CHAT_UNIT)
    return units.first()


def can_volunteer(user: User) -> bool:
    """Volunteers (and the chat unit's other record writers) of the unit serving the chat."""
    if not can_work_with_records(user):
        return False
    unit = chat_unit()
    return unit is not None and user.unit_id == unit.pk


def can_supervise(user: User) -> bool:
    """The chat unit's manager and the partnership's coordinators see the chat's overview."""
    if not _signed_in(user):
        return False
    if user.role == Role.COORDINATOR:
        return True
    unit = chat_unit()
    return user.role == Role.UNIT_MANAGER and unit is not None and user.unit_id == unit.pk


def can_keep_directory(user: User) -> bool:
    return _signed_in(user) and user.role == Role.COORDINATOR


# --- The partnership's figures -----------------------------------------------------------------


def can_see_aggregates(user: User) -> bool:
    """The overview, the committee documents, campaigns and activities."""
    return _signed_in(user) and user.role in AGGREGATE_ROLES


def partnerships_for_user(user: User) -> QuerySet[Partnership]:
    """The partnerships whose aggregates the user may see: those of the user's unit
    (`Partnership.objects.for_user`), for a role that sees aggregates."""
    if not can_see_aggregates(user):
        return Partnership.objects.none()
    return Partnership.objects.for_user(user)


def disclosure_for(user: User) -> str:
    """The level of the figures the user sees: "internal" (exact) for the coordinator, who
    compiles the reports; "public" (disclosure control applied) for everyone else, since a small
    exact number from another organisation's unit could point at a young person.

    The values of `statistics.figures.DisclosureLevel`, a StrEnum equal to them (the accounts sit
    below the statistics and do not name it)."""
    return "internal" if user.role in INTERNAL_ROLES else "public"


def can_keep_history(user: User) -> bool:
    """The figures of earlier years, imported from before the application."""
    return bool(_signed_in(user) and user.role in HISTORY_ROLES)


# --- The partnership's other work and its administration ---------------------------------------


def can_register_activities(user: User) -> bool:
    return _signed_in(user) and user.role in REGISTERING_ROLES


def can_register_campaigns(user: User) -> bool:
    """A campaign is registered in the writer's own unit's name, so it needs one."""
    return bool(can_register_activities(user) and user.unit_id)


def can_read_audit_log(user: User) -> bool:
    return _signed_in(user) and user.role in AUDIT_ROLES


def can_manage_tokens(user: User) -> bool:
    """Unit managers issue their own unit's tokens."""
    return bool(_signed_in(user) and user.role == Role.UNIT_MANAGER and user.unit_id is not None)
