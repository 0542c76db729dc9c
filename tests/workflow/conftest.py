from tests.portal.conftest import _fast_passwords, _run_on_commit_at_once, cast, seg_client  # noqa: F401
