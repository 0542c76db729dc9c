"""Sign-in with the e-mail address, in any case: the login of a person of the directory."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from core.addresses import address_key_or_empty
from membership.accounts.selectors import accounts_with_address
from membership.roles import load_user


class PortalModelBackend(ModelBackend):
    """Django's ModelBackend, except that the signed-in account is read with its roles (membership.roles),
    in the one query every request makes before anything else."""

    def get_user(self, user_id):
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class EmailBackend(PortalModelBackend):
    """Matches the typed login against `User.email` by its key (core.addresses: any case, never a look-alike);
    one account per address or none.

    Placed after ModelBackend and after axes' backend, so lockouts still apply to every attempt.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password or "@" not in username:
            return None
        users = accounts_with_address(username)
        if len(users) != 1:
            # Run the hasher anyway so that an unknown address takes as long as a known one.
            get_user_model()().set_password(password)
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials) -> str:
    """The login as axes counts failures (AXES_USERNAME_CALLABLE): an e-mail typed in another case is the same."""
    login = str((credentials or {}).get("username") or "").strip()
    return address_key_or_empty(login) or login.lower()
