.PHONY: run test lint format migrations-check messages bench faults backup restore screenshots
run:              ## web + worker + beat (embedded servers unless DATABASE_URL/REDIS_URL are set)
	bin/run
test:             ## the whole suite
	bin/test
screenshots:      ## refresh docs/screenshots/*.png from the seeded demo (Debian's Chromium)
	bin/screenshots
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .
migrations-check:
	DJANGO_DEBUG=1 .venv/bin/python manage.py makemigrations --check --dry-run
messages:         ## refresh and compile every Japanese catalogue
	bin/messages
run-prod-check:   ## manage.py check --deploy with production variables
	DJANGO_SECRET_KEY=$$(python3 -c 'import secrets;print(secrets.token_urlsafe(50))') DJANGO_ALLOWED_HOSTS=crm.example.jp .venv/bin/python manage.py check --deploy --fail-level WARNING
backup:           ## dump the database to var/backups (custom format); see docs/operations.md
	bin/backup
faults:           ## fault and load scenarios on a private stack; writes docs/reliability.md (QUICK=1 for a smoke run)
	bin/faults $(if $(QUICK),--quick,)
restore:          ## make restore FILE=var/backups/salescrm-....dump (asks before replacing the data)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=path/to/backup.dump" >&2; exit 2; }
	bin/restore "$(FILE)"
bench:            ## measure every page and job against a same-run baseline (SIZE=S|M|L, default M)
	bin/bench --size $(or $(SIZE),M) $(if $(SIZE),,--compare-sizes --check-size L) $(BENCH_ARGS)
