import pytest
from django.test import Client


@pytest.fixture
def raw_client_factory():
    return lambda: Client(raise_request_exception=False)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the work queued after commit (the e-mails) when the block ends, as a real commit would."""
    return django_capture_on_commit_callbacks
