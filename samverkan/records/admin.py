"""The admin of the records: a superuser repairs what staff cannot (a record of the wrong unit's
making, a value no form offers), through the same services as the staff's pages, so the
anonymous daily counts stay true in the same transaction. Every repair is written to the audit
log as the superuser's ("records.repaired", "records.repair_deleted"). Nobody adds records
here (that is the units' own pages and imports), and imports stay read-only."""

from django.contrib import admin, messages
from django.db import transaction

from samverkan.accounts.audit import log_action
from samverkan.core.errors import SamverkanError
from samverkan.records import models, services


class ReadOnly:
    """No adding, changing or deleting: only viewing."""

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class RepairAdmin(admin.ModelAdmin):
    """Changed and deleted by superusers only, through `update` and `delete` (the services)."""

    # The unit and the import a record came from are not repaired here.
    readonly_fields = ["unit", "import_batch", "created_at", "updated_at"]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return request.user.is_active and request.user.is_superuser

    def update(self, record, changes: dict) -> None:  # noqa: ANN001
        raise NotImplementedError

    def delete(self, record) -> None:  # noqa: ANN001
        raise NotImplementedError

    def save_model(self, request, obj, form, change) -> None:  # noqa: ANN001
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            with transaction.atomic():
                # A system write (by=None): the superuser is of no unit; the audit names them.
                self.update(obj, changes)
                log_action("records.repaired", user=request.user, target=obj, fields=changes)
        except SamverkanError as error:
            messages.error(request, str(error))
        obj.refresh_from_db()

    def delete_model(self, request, obj) -> None:  # noqa: ANN001
        with transaction.atomic():
            log_action("records.repair_deleted", user=request.user, target=obj)
            self.delete(obj)

    def delete_queryset(self, request, queryset) -> None:  # noqa: ANN001
        for record in queryset:
            self.delete_model(request, record)


@admin.register(models.ChatConversation)
class ChatConversationAdmin(RepairAdmin):
    list_display = ["started_at", "unit", "resident", "gender", "age", "concern", "referred_to"]
    list_filter = ["unit", "resident", "gender", "concern"]
    date_hierarchy = "started_at"

    def update(self, record, changes: dict) -> None:  # noqa: ANN001
        services.chat_conversation_update(conversation=record, **changes)

    def delete(self, record) -> None:  # noqa: ANN001
        services.chat_conversation_delete(conversation=record)


class ClinicSessionInline(admin.TabularInline):
    """A client's sessions; the clinic's figures are read from them directly, so a repair here
    is in the figures at once."""

    model = models.ClinicSession
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return request.user.is_active and request.user.is_superuser

    has_change_permission = has_add_permission
    has_delete_permission = has_add_permission


@admin.register(models.ClinicClient)
class ClinicClientAdmin(RepairAdmin):
    list_display = ["ref", "unit", "first_visit", "gender", "age", "concern", "closed_on"]
    list_filter = ["unit", "gender", "concern", "resident", "closure"]
    inlines = [ClinicSessionInline]

    def update(self, record, changes: dict) -> None:  # noqa: ANN001
        closing = {name: changes.pop(name) for name in ("closed_on", "closure") if name in changes}
        if changes:
            services.clinic_client_update(client=record, **changes)
        if closing:
            # The closing as the form left it: both set, or both cleared (the model's rule).
            record.refresh_from_db()
            closed_on = closing.get("closed_on", record.closed_on)
            closure = closing.get("closure", record.closure)
            if closed_on is None and not closure:
                services.clinic_client_reopen(client=record)
            else:
                services.clinic_client_close(client=record, closed_on=closed_on, closure=closure)

    def save_formset(self, request, form, formset, change) -> None:  # noqa: ANN001
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            log_action(
                "records.repaired", user=request.user, target=form.instance, fields=["sessions"]
            )

    def delete(self, record) -> None:  # noqa: ANN001
        services.clinic_client_delete(client=record)


@admin.register(models.SupportCentreCase)
class SupportCentreCaseAdmin(RepairAdmin):
    list_display = [
        "received_on",
        "unit",
        "gender",
        "age",
        "category",
        "screened",
        "screening_answer",
    ]
    list_filter = ["unit", "gender", "category", "screened", "screening_answer"]
    date_hierarchy = "received_on"

    def update(self, record, changes: dict) -> None:  # noqa: ANN001
        services.support_centre_case_update(case=record, **changes)

    def delete(self, record) -> None:  # noqa: ANN001
        services.support_centre_case_delete(case=record)


@admin.register(models.ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "unit", "sha256", "rows_read", "rows_added"]
