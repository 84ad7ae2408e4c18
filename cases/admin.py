from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases import models


class ShiftSlotInline(admin.TabularInline):
    model = models.ShiftSlot
    extra = 0


@admin.register(models.Force)
class ForceAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(models.District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "force", "postcode_prefixes"]
    search_fields = ["name", "code"]


@admin.register(models.ShiftPattern)
class ShiftPatternAdmin(admin.ModelAdmin):
    list_display = ["name", "cycle_start", "cycle_days"]
    inlines = [ShiftSlotInline]


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "shift_pattern", "is_active"]
    list_filter = ["kind", "is_active"]
    filter_horizontal = ["districts"]
    search_fields = ["name", "code"]


@admin.register(models.StaffProfile)
class StaffProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "team", "rank", "supervisor"]
    list_filter = ["team"]
    autocomplete_fields = ["user", "supervisor", "team"]


@admin.register(models.Absence)
class AbsenceAdmin(SimpleHistoryAdmin):
    list_display = ["user", "kind", "starts_at", "ends_at"]
    list_filter = ["kind"]
    autocomplete_fields = ["user"]


@admin.register(models.OutOfHoursContact)
class OutOfHoursContactAdmin(SimpleHistoryAdmin):
    """The 24/7 out-of-hours list: who is told at once, when at work, about a high-risk
    case arriving while nobody in the receiving team is."""

    list_display = ["label", "team", "role", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    autocomplete_fields = ["team"]


@admin.register(models.OutOfHoursAlert)
class OutOfHoursAlertAdmin(SimpleHistoryAdmin):
    """Read only: raised by DV1 submission, acknowledged on the supervisors' pages."""

    list_display = ["case", "raised_at", "team", "nobody_at_work", "acknowledged_at"]
    list_filter = ["nobody_at_work"]
    readonly_fields = [
        "case",
        "raised_at",
        "team",
        "queue_name",
        "told",
        "nobody_at_work",
        "acknowledged_at",
        "acknowledged_by",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
