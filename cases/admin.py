from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases import models


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
