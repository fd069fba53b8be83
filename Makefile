# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check

.PHONY: run test test-fast lint format messages translations services clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) --editable '.[test]'
	touch $@

# The tests also run LDAP sign-in and sync against a real slapd: they need the `ldap` extra,
# which compiles python-ldap (Debian: libldap2-dev and libsasl2-dev; .ci/run installs them).
$(VENV)/.installed-ldap: $(VENV)/.installed
	$(PIP) --editable '.[test,ldap]'
	touch $@

messages: $(VENV)/.installed
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore '.venv' --verbosity 0

run: export DEBUG ?= true
run: $(VENV)/.installed messages
	$(BIN)/python manage.py migrate --verbosity 0
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "Accord is starting on http://127.0.0.1:8000/ (web, Celery worker and beat; Ctrl-C stops all)."
	@echo "Demo logins, password 'demo': staff (Sales), agent (Finance agent), head (Finance head),"
	@echo "hr (Human Resources), admin (administrator)."
	@echo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --procfile Procfile

test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/accord
test: export REDIS_URL ?= redis://127.0.0.1:6379/0
test: export SECRET_KEY ?= test-only-secret-key-not-for-production-0123456789abcdef
test: $(VENV)/.installed-ldap messages
	$(BIN)/python -m config.check_services
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

# The everyday loop: ruff and the tests, without the real browser, the real Celery workers and
# the slow ones (volumes, subprocesses, transactional tests); `make test` runs them all.
test-fast: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/accord
test-fast: export REDIS_URL ?= redis://127.0.0.1:6379/0
test-fast: export SECRET_KEY ?= test-only-secret-key-not-for-production-0123456789abcdef
test-fast: $(VENV)/.installed-ldap messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -m "not browser and not slow and not celery_worker and not fuzz"

lint: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the message catalogues after changing user-facing strings, then translate the new
# entries in locale/zh_Hans/LC_MESSAGES/django.po (tests fail while any is missing).
translations: $(VENV)/.installed
	DEBUG=true $(BIN)/python manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	DEBUG=true $(BIN)/python manage.py makemessages --locale zh_Hans --domain djangojs --ignore '.venv/*' --ignore 'var/*' --ignore 'static/vendor/*' --no-obsolete

clean:
	rm -rf $(VENV) var
