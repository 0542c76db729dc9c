import socket

from celery import shared_task
from django.utils import timezone

from ptf_portal.models import WorkerHeartbeat
from ptf_portal.operations import evaluate


@shared_task(name="ptf_portal.tasks.worker_heartbeat")
def worker_heartbeat(hostname: str | None = None) -> None:
    """Record that a worker is alive (run by beat every minute; idempotent)."""
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname or socket.gethostname(), defaults={"seen_at": timezone.now()}
    )


@shared_task(name="ptf_portal.tasks.check_operations")
def check_operations() -> int:
    """Run the monitoring checks (beat, every minute); returns how many incidents are open."""
    return len(evaluate()[1])
