# The two commands of the README: `make run` and `make test`.
# Without DATABASE_URL the project starts its own embedded PostgreSQL (var/pgdata).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test install lint migrate demo clean

$(STAMP): requirements.txt requirements-dev.txt build-constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade "pip==26.3"
	# xstatic packages are sdists that still import pkg_resources: build them with an older setuptools.
	$(PIP) install --quiet --build-constraint build-constraints.txt -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	@echo "启动开发服务器：http://127.0.0.1:8000/"
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py seed_demo > /dev/null
	$(VENV)/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var/static var/test-media var/screenshots
