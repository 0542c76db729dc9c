"""The admin of the second factor's devices: django-otp's own, with its two extra pages bounded like every
other URL of the project (`<id:pk>`, core/converters.py) and a device that does not exist answering 404
instead of the 500 of `TOTPDevice.objects.get`."""

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice


class BoundedTOTPDeviceAdmin(TOTPDeviceAdmin):
    def get_urls(self):
        own = [path("<id:pk>/config/", self.admin_site.admin_view(self.config_view),
                    name="otp_totp_totpdevice_config"),
               path("<id:pk>/qrcode/", self.admin_site.admin_view(self.qrcode_view),
                    name="otp_totp_totpdevice_qrcode")]
        inherited = [url for url in super().get_urls()
                     if url.name not in ("otp_totp_totpdevice_config", "otp_totp_totpdevice_qrcode")]
        return own + inherited

    def config_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().qrcode_view(request, pk)


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, BoundedTOTPDeviceAdmin)
