import pytest

from tests.reports.world import build


@pytest.fixture
def world(db, secretariat_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build(secretariat_user)
