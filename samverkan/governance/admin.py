from django.contrib import admin

from samverkan.governance import models


@admin.register(models.Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["agreement", "given_by", "given_on", "registered_at"]
    readonly_fields = ["registered_by", "registered_at"]


class ObligationItemInline(admin.TabularInline):
    model = models.ObligationItem
    extra = 0
    fields = ["period_start", "period_end", "due_on", "submitted_on", "submitted_by"]
    readonly_fields = ["submitted_by"]


@admin.register(models.Obligation)
class ObligationAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "reported_by", "reported_to", "period_months", "agreement"]
    list_filter = ["kind"]
    filter_horizontal = ["responsible"]
    inlines = [ObligationItemInline]


@admin.register(models.SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ["key", "recipient", "sent_at"]
    search_fields = ["key"]
    readonly_fields = ["key", "recipient", "sent_at"]


class DecisionInline(admin.TabularInline):
    model = models.Decision
    extra = 0


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["held_on", "group"]
    list_filter = ["group"]
    filter_horizontal = ["attendees"]
    inlines = [DecisionInline]


@admin.register(models.Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["meeting", "number", "text", "responsible"]
    search_fields = ["text", "responsible"]


@admin.register(models.Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["paid_on", "year", "amount", "reference", "agreement"]
    list_filter = ["year"]


class FinancialReportLineInline(admin.TabularInline):
    model = models.FinancialReportLine
    extra = 0


@admin.register(models.FinancialReport)
class FinancialReportAdmin(admin.ModelAdmin):
    list_display = ["agreement", "year", "status", "submitted_on", "approved_on"]
    list_filter = ["status", "year"]
    inlines = [FinancialReportLineInline]
