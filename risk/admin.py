from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from risk import models


@admin.register(models.RiskSettings)
class RiskSettingsAdmin(SimpleHistoryAdmin):
    """The risk bands, MARAC thresholds and red flags of the force or a district."""

    list_display = [
        "__str__",
        "standard_max_yes",
        "medium_max_yes",
        "visible_high_risk_yes",
        "marac_criterion_means_high",
    ]
    list_filter = ["force"]
    fieldsets = [
        (None, {"fields": ["force", "district"]}),
        ("Risk bands", {"fields": ["standard_max_yes", "medium_max_yes"]}),
        (
            "MARAC criteria",
            {
                "fields": [
                    "marac_criterion_means_high",
                    "visible_high_risk_yes",
                    "escalation_incidents",
                    "escalation_window_days",
                    "repeat_marac_days",
                ]
            },
        ),
        ("Red flags", {"fields": ["red_flags"]}),
    ]

    def save_model(self, request, obj, form, change):
        obj._change_reason = (
            f"Changed in the administration: {', '.join(form.changed_data)}"
            if change
            else "Added in the administration"
        )
        super().save_model(request, obj, form, change)
