"""Imports of prospects from CSV/xlsx, by stage: upload and analysis (upload), the column and value
mapping (mapping), row validation (validation), the dry run and the all-or-nothing import with COPY
(run), and a job's claim, background run, progress and recovery (jobs). The people import (accounts,
teams and managers) has its own checks and writes (people). The services are re-exported here;
callers import them from `imports.services`."""

from imports.services.dates import DateOrderInUse, import_job_date_order, import_job_set_date_order
from imports.services.fields import (
    ALSO_FIELDS,
    BAD_FORMAT,
    IMPORT_FIELDS,
    TOO_LARGE,
    VALUE_FIELDS,
    ImportRefused,
    field_choices,
    field_label,
)
from imports.services.jobs import (
    import_job_claim,
    import_job_execute,
    import_job_heartbeat,
    import_job_recover,
    import_job_start,
)
from imports.services.mapping import import_job_set_mapping
from imports.services.people import (
    people_field_choices,
    people_field_label,
    people_job_create,
    people_job_preview,
    people_job_run,
    people_job_set_mapping,
    people_job_start,
)
from imports.services.run import import_job_preview, import_job_run
from imports.services.upload import import_job_create, job_file, upload_dir

__all__ = [
    "ALSO_FIELDS",
    "BAD_FORMAT",
    "IMPORT_FIELDS",
    "TOO_LARGE",
    "VALUE_FIELDS",
    "DateOrderInUse",
    "ImportRefused",
    "field_choices",
    "field_label",
    "import_job_claim",
    "import_job_create",
    "import_job_date_order",
    "import_job_execute",
    "import_job_heartbeat",
    "import_job_preview",
    "import_job_recover",
    "import_job_run",
    "import_job_set_date_order",
    "import_job_set_mapping",
    "import_job_start",
    "job_file",
    "people_field_choices",
    "people_field_label",
    "people_job_create",
    "people_job_preview",
    "people_job_run",
    "people_job_set_mapping",
    "people_job_start",
    "upload_dir",
]
