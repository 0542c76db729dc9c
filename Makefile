# Two commands for a fresh machine with Python >= 3.11 and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv demo lint check bench worker beat browser dovecot wrk proxy clean messages stack backup restore status upgrade-check axe

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

demo: venv
	mkdir -p var/mail
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

run: demo
	@echo ""
	@echo "PTF portal: http://$(HOST):$(PORT)/  (e-mails are written to var/mail/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Chromium for the browser tests comes from the system's packages, never a browser download.
# So do Pango and a font for WeasyPrint (the PDFs), and poppler-utils for reading PDFs by hand.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils
browser:
	@test -x /usr/bin/chromium || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "Chromium is not installed: browser tests will be skipped (apt-get install -y chromium)"
	@dpkg -s $(PDF_PACKAGES) >/dev/null 2>&1 || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES) >/dev/null) ; } || \
	  echo "Pango is missing: PDFs cannot be generated (apt-get install -y $(PDF_PACKAGES))"

# Dovecot for the inbound-mailbox tests, from the system's packages as well (the tests start their own,
# on a free port, with a throw-away configuration).
dovecot:
	@test -x /usr/sbin/dovecot || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null) ; } || \
	  echo "Dovecot is not installed: mailbox tests will be skipped (apt-get install -y dovecot-imapd)"

# nginx, so that the test of the reverse proxy's configuration runs `nginx -t` on it (deploy/nginx/).
proxy:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null) ; } || \
	  echo "nginx is not installed: the proxy configuration test will be skipped (apt-get install -y nginx-light)"

# axe-core (accessibility rules, WCAG 2.1 AA) for the browser tests, from the npm registry at a pinned version,
# into var/axe/ (never a CDN); without node/npm the accessibility crawl is skipped (fails with REQUIRE_SERVICES=1).
AXE_VERSION := 4.10.3
AXE_JS := var/axe/node_modules/axe-core/axe.min.js
axe:
	@test -f $(AXE_JS) && grep -q '"version": "$(AXE_VERSION)"' var/axe/node_modules/axe-core/package.json || \
	  { command -v npm >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null) ; } ; \
	    npm install --silent --no-audit --no-fund --prefix var/axe axe-core@$(AXE_VERSION) || \
	    echo "axe-core could not be installed: the accessibility crawl will be skipped (npm install axe-core)" ; }

test: venv browser dovecot proxy axe
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

check: venv
	$(PY) manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') ALLOWED_HOSTS=portal.example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

messages: venv
	$(PY) manage.py makemessages -l fr --no-location --ignore='.venv/*' --ignore='var/*' --ignore='tests/*' --ignore='bench/*'
	$(PY) manage.py compilemessages --ignore='.venv/*'

# wrk drives the page benchmark; installed from the system's packages like Chromium.
wrk:
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) ; } || \
	  echo "wrk is not installed: the page benchmark will be skipped (apt-get install -y wrk)"

bench: venv wrk
	$(PY) bench/run.py

# The production topology on this machine's PostgreSQL and Redis (gunicorn DEBUG=0, a worker, one beat, an SMTP
# sink), walked from convocation to answers over HTTP, then stopped (tests/stack.py; STACK_POSTGRES, STACK_BROKER_URL).
stack: venv
	$(PY) tests/stack.py

# Backups (README, Production → Backups): the database and the uploaded files in one file under var/backups/,
# and its restore into an empty database (`make restore FILE=var/backups/ptf-backup-….tar`).
backup: venv
	$(PY) manage.py backup

restore: venv
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/ptf-backup-YYYYMMDDTHHMMSSZ.tar"; exit 2; }
	$(PY) manage.py restore "$(FILE)"

# A database filled by the previous release's code, migrated by this code, keeps every row (tests/upgrade_check.py;
# UPGRADE_POSTGRES, UPGRADE_FROM).
upgrade-check: venv
	$(PY) tests/upgrade_check.py

status: venv
	$(PY) manage.py status

worker: venv
	$(VENV)/bin/celery -A ptf_portal worker --loglevel=INFO

beat: venv
	$(VENV)/bin/celery -A ptf_portal beat --loglevel=INFO --schedule var/celerybeat-schedule

clean:
	rm -rf $(VENV) var/ptf.sqlite3 var/mail var/media var/staticfiles
