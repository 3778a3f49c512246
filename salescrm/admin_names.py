"""The names the Django admin shows for other packages' models, which ship no Japanese catalogue: listed
here so that makemessages puts them in ours (LOCALE_PATHS is read before the packages' own)."""

from django.utils.translation import gettext_noop

THIRD_PARTY_MODEL_NAMES = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
]

# Plain strings in their packages (not marked for translation): salescrm.adminsite looks the names up in
# the catalogues as the admin shows them.
UNMARKED_NAMES = [
    gettext_noop("Axes"),
    gettext_noop("Otp_Totp"),
    gettext_noop("Pghistory"),
    gettext_noop("TOTP devices"),
    gettext_noop("Events"),
    gettext_noop("Middleware events"),
]
