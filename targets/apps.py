from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("Pipeline targets")

    def ready(self) -> None:
        from prospects.signals import pipeline_changed
        from targets.receivers import pipeline_check_request

        pipeline_changed.connect(pipeline_check_request, dispatch_uid="targets.pipeline_check_request")
