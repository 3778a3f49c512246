from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ClosingConfig(AppConfig):
    name = "closing"
    verbose_name = pgettext_lazy("test closing", "Closing")
