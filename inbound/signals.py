"""What the inbound app announces to the rest of the product.

`inquiry_received` is sent once per web inquiry (反響) that became a prospect, inside the transaction
that created it (receivers that talk to the outside world should act after the commit, e.g. with
salescrm.lib.jobs.enqueue_on_commit). Arguments:

- sender: the inbound.models.Inquiry class;
- inquiry: the saved Inquiry (its form, the submitted values, created_at);
- prospect: the prospects.models.Prospect it created (owner, company/contact when matched).
"""

from __future__ import annotations

from django.dispatch import Signal

inquiry_received = Signal()
