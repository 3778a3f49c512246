"""Pipeline targets' services, by stage:

- `rollup`: the day's history and flows, computed once a day (flow_rollup_refresh);
- `rules`: the pure rules, a scope's figures against its target and the early warning (evaluate, project);
- `check`: the check itself, reading the figures and writing the alerts (pipeline_check_run);
- `notify`: the emails, one per new alert and the daily digest (alert_emails_send, alert_digest_send);
- `edit`: a scope's target created, changed or deleted (pipeline_target_save).

The scope keys and counts shared with the pages are in targets/scopes.py; the plans in targets/plans.py.
"""

from targets.services.check import pipeline_check_run
from targets.services.edit import pipeline_target_save
from targets.services.notify import alert_digest_send, alert_emails_send
from targets.services.rollup import flow_rollup_refresh

__all__ = [
    "alert_digest_send",
    "alert_emails_send",
    "flow_rollup_refresh",
    "pipeline_check_run",
    "pipeline_target_save",
]
