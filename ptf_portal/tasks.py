import socket

from celery import shared_task
from django.utils import timezone

from ptf_portal.models import WorkerHeartbeat


@shared_task(name="ptf_portal.tasks.worker_heartbeat")
def worker_heartbeat(hostname: str | None = None) -> None:
    """Record that a worker is alive (run by beat every minute; idempotent)."""
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname or socket.gethostname(), defaults={"seen_at": timezone.now()}
    )
