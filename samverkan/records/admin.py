"""Read-only admin views of the records: writes go through the services, which keep the
anonymous aggregates true, so the admin must not change records behind their back."""

from django.contrib import admin

from samverkan.records import models


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


@admin.register(models.ChatConversation)
class ChatConversationAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "unit", "resident", "gender", "age", "concern", "referred_to"]
    list_filter = ["unit", "resident", "gender", "concern"]
    date_hierarchy = "started_at"


class ClinicSessionInline(ReadOnly, admin.TabularInline):
    model = models.ClinicSession
    extra = 0


@admin.register(models.ClinicClient)
class ClinicClientAdmin(ReadOnlyAdmin):
    list_display = ["ref", "unit", "first_visit", "gender", "age", "concern", "closed_on"]
    list_filter = ["unit", "gender", "concern", "resident", "closure"]
    inlines = [ClinicSessionInline]


@admin.register(models.SupportCentreCase)
class SupportCentreCaseAdmin(ReadOnlyAdmin):
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


@admin.register(models.ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "unit", "sha256", "rows_read", "rows_added"]
