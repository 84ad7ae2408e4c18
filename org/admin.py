from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from org import models


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
