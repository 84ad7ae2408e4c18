"""Platform tasks."""

from celery import shared_task

from dasapp import services


@shared_task(bind=True, acks_late=True, ignore_result=True)
def heartbeat(self) -> None:
    services.heartbeat_record(name="worker", hostname=self.request.hostname or "")
