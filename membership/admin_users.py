"""The admin's login accounts page: Django's own, except that disabling or enabling an account moves the
leadership of the groups its person leads (`membership.services.person_account_changed`)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from membership.models import Person
from membership.services import person_account_changed

User = get_user_model()


class PortalUserAdmin(UserAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            person = Person.objects.filter(user=obj).first()
            if person is not None:
                person_account_changed(person=person)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, PortalUserAdmin)
