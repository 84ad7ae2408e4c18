"""Pages for notifications."""

from django.urls import path

from dasapp import views_notifications

urlpatterns = [
    path("notifications/", views_notifications.inbox, name="notifications"),
    path(
        "notifications/<int:pk>/", views_notifications.notification_open, name="notification_open"
    ),
    path(
        "notifications/<int:pk>/read/",
        views_notifications.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        views_notifications.notifications_read_all,
        name="notifications_read_all",
    ),
]
