from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from dasapp.models import AccessLog, Heartbeat, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "is_active"]
    list_filter = ["groups", "is_active", "is_staff"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the access log is append-only."""

    list_display = ["at", "user", "action", "channel", "object_type", "object_id", "work_item"]
    list_filter = ["action", "channel", "object_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "beat_at", "count", "hostname"]
