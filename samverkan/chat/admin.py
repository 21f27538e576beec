from django.contrib import admin

from samverkan.chat.models import DirectoryEntry, FeedbackCount, OpeningHours


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "opens", "closes"]


@admin.register(DirectoryEntry)
class DirectoryEntryAdmin(admin.ModelAdmin):
    list_display = ["service", "contact", "shown_in_chat"]


@admin.register(FeedbackCount)
class FeedbackCountAdmin(admin.ModelAdmin):
    list_display = ["day", "answer", "n"]
    list_filter = ["answer"]
    date_hierarchy = "day"

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
