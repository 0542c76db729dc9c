"""Celery configuration, read from Django settings (which read the environment)."""

from django.conf import settings
from kombu import Queue

broker_url = settings.CELERY_BROKER_URL or "memory://"
task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
task_eager_propagates = settings.CELERY_TASK_EAGER_PROPAGATES
task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
result_backend = None
task_ignore_result = True
task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1
# Celery's Django fixup closes the database connection around every task unless told to reuse it;
# reconnecting cost more than the whole task (bench/bench_invitations.py). Connections are still
# checked before each task (ptf_portal.celery: close_old_connections honours CONN_MAX_AGE and health checks).
CELERY_DB_REUSE_MAX = 1000
timezone = settings.TIME_ZONE
enable_utc = True
# Fail fast when the broker is unreachable: the caller has already saved its rows.
broker_connection_timeout = 2
broker_connection_retry_on_startup = True
task_publish_retry = False
# Two queues: the work, and the outbox's requeue on a queue of its own, so a backlog of invitations never
# delays the task that rescues lost rows. A worker started without -Q consumes both.
task_default_queue = "celery"
task_queues = [Queue("celery"), Queue("maintenance")]
task_routes = {"secretariat.tasks.requeue_pending_invitations": {"queue": "maintenance"}}
broker_transport_options = {
    # Must exceed the longest task (a batch is bounded by INVITATION_BATCH_TIME_LIMIT) and any countdown,
    # or Redis hands the message to a second worker while the first still runs it.
    "visibility_timeout": settings.CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 0,
}
# The beat records each run of its entries (ptf_portal.beat), so monitoring can tell a stopped beat.
beat_scheduler = "ptf_portal.beat:RecordingScheduler"
beat_schedule = {
    "worker-heartbeat": {"task": "ptf_portal.tasks.worker_heartbeat", "schedule": 60.0},
    "requeue-lost-invitations": {
        "task": "secretariat.tasks.requeue_pending_invitations",
        "schedule": settings.INVITATION_REQUEUE_INTERVAL,
    },
    "send-rsvp-reminders": {
        "task": "secretariat.tasks.send_reminders",
        "schedule": 3600.0,
    },
    "requeue-account-invitations": {
        "task": "membership.accounts.tasks.requeue_account_invitations",
        "schedule": settings.INVITATION_REQUEUE_INTERVAL,
    },
    "requeue-password-resets": {
        "task": "membership.accounts.tasks.requeue_password_resets",
        "schedule": settings.INVITATION_REQUEUE_INTERVAL,
    },
    "forget-old-login-failures": {
        "task": "membership.accounts.tasks.forget_old_login_failures",
        "schedule": 3600.0,
    },
    "disable-lapsed-accounts": {
        "task": "membership.accounts.tasks.disable_lapsed_accounts",
        "schedule": 24 * 3600.0,
    },
    "check-operations": {"task": "ptf_portal.tasks.check_operations", "schedule": 60.0},
    "secretariat-daily-digest": {
        "task": "secretariat.tasks.send_daily_digest",
        "schedule": 24 * 3600.0,
    },
    "close-due-procedures": {
        "task": "procedures.tasks.close_due_procedures",
        "schedule": float(settings.PROCEDURE_CLOSE_INTERVAL),
    },
    "send-procedure-reminders": {
        "task": "procedures.tasks.send_procedure_reminders",
        "schedule": 3600.0,
    },
}
if settings.INBOUND_IMAP_HOST:
    beat_schedule["read-secretariat-mailbox"] = {
        "task": "secretariat.inbound.tasks.poll_mailbox",
        "schedule": float(settings.INBOUND_POLL_SECONDS),
    }
