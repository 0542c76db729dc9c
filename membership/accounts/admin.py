"""The admin's user page, through the account services: an e-mail changed is a security event, an account
disabled there (the "active" box unticked) loses its sessions as on every other path, and the leadership of the
groups its person leads follows the account when it is disabled or enabled (T7)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from membership.accounts import services
from membership.models import Person
from membership.services import person_account_changed

User = get_user_model()


class PortalUserAdmin(UserAdmin):
    def save_model(self, request, obj, form, change):
        previous = User.objects.filter(pk=obj.pk).values("email", "is_active").first() if change else None
        super().save_model(request, obj, form, change)
        if previous is None:
            return
        if previous["email"] != obj.email:
            services.login_email_changed(user=obj, previous_email=previous["email"], by=request.user)
        if previous["is_active"] and not obj.is_active:
            services.account_disable(user=obj, by_user=request.user, already_saved=True)
        elif not previous["is_active"] and obj.is_active:
            person = Person.objects.filter(user=obj).first()
            if person is not None:
                person_account_changed(person=person)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, PortalUserAdmin)
