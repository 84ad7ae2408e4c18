"""Keeps `User.two_factor_enrolled` true exactly when the user has a confirmed device of
any kind, whenever a device is saved or deleted."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save


def two_factor_enrolment_refresh(user_id: int | None) -> None:
    from dasapp.middleware import has_confirmed_device
    from dasapp.models import User

    if user_id is None:
        return
    user = User(pk=user_id)
    User.objects.filter(pk=user_id).update(two_factor_enrolled=has_confirmed_device(user))


def _device_changed(sender, instance, **kwargs) -> None:
    two_factor_enrolment_refresh(getattr(instance, "user_id", None))


def connect() -> None:
    from django_otp import device_classes

    for kind in device_classes():
        post_save.connect(_device_changed, sender=kind, dispatch_uid=f"2fa-save-{kind.__name__}")
        post_delete.connect(
            _device_changed, sender=kind, dispatch_uid=f"2fa-delete-{kind.__name__}"
        )
