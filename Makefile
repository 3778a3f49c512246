.PHONY: run test lint format migrations-check messages bench faults backup restore screenshots
run:              ## web + worker + beat (embedded servers unless DATABASE_URL/REDIS_URL are set)
	bin/run
test:             ## the whole suite
	bin/test
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .
migrations-check:
	.venv/bin/python manage.py makemigrations --check --dry-run
messages:         ## refresh and compile every Japanese catalogue
	bin/messages
bench:            ## measure every page and job against a same-run baseline (SIZE=S|M|L, default M)
	bin/bench --size $(or $(SIZE),M) $(BENCH_ARGS)
