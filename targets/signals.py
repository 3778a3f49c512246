"""What the targets app announces, so that apps built on it react without targets knowing them.

`alerts_changed(opened=[ids], resolved=[ids])`: the pipeline check opened and resolved these alerts.
Sent inside the check's writing transaction (a receiver that talks to the outside world acts after
the commit); a concurrent check never reports the same alert opened or resolved twice (the insert's
ON CONFLICT and the locked resolution). The webhooks app listens.
"""

from __future__ import annotations

from django.dispatch import Signal

alerts_changed = Signal()  # keyword arguments: opened, resolved (lists of PipelineAlert ids)
