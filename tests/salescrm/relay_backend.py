"""A mail backend outside Django, as a provider's package would ship one (tests/salescrm/test_mail_settings.py)."""

from django.core.mail.backends.smtp import EmailBackend as SMTPBackend


class EmailBackend(SMTPBackend):
    """Sends through SMTP like Django's own; only its import path differs."""
