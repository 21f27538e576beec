from django.contrib import admin

from samverkan.partnership import models


class PartyInline(admin.StackedInline):
    model = models.Party
    extra = 0
    filter_horizontal = ["represented_by"]


class ServiceInline(admin.TabularInline):
    model = models.Service
    extra = 0


class DistrictInline(admin.TabularInline):
    model = models.District
    extra = 0


class GoalInline(admin.TabularInline):
    model = models.Goal
    extra = 0


class AgreementInline(admin.StackedInline):
    model = models.Agreement
    extra = 0


@admin.register(models.Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "municipality"]
    prepopulated_fields = {"key": ["name"]}
    filter_horizontal = ["units"]
    inlines = [PartyInline, AgreementInline, GoalInline, ServiceInline, DistrictInline]


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "kind"]
    prepopulated_fields = {"key": ["name"]}


@admin.register(models.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "kind", "organisation"]
    list_filter = ["kind", "organisation"]
    prepopulated_fields = {"key": ["name"]}


class GroupMemberInline(admin.TabularInline):
    model = models.GroupMember
    extra = 0


@admin.register(models.Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "partnership"]
    list_filter = ["kind", "partnership"]
    inlines = [GroupMemberInline]
