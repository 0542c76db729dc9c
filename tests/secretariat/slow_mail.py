"""A file-based e-mail backend that takes its time, so a test can stop a worker while it is sending.

Selected by a worker subprocess through EMAIL_BACKEND; the delay per message comes from SLOW_MAIL_SECONDS.
"""

import os
import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0.3")) * len(email_messages or ()))
        return super().send_messages(email_messages)
