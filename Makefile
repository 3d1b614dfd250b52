# congso — the two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages the test suite needs (installed by `make test` when missing).
# Debian packages congso itself needs: Liberation fonts for printed forms (Times New Roman metrics), pango for
# WeasyPrint. Installed by `make run` and `make test` when missing.
DEB_RUN_PACKAGES := fonts-liberation2 libpango-1.0-0 libpangoft2-1.0-0
DEB_TEST_PACKAGES := $(DEB_RUN_PACKAGES) gettext redis-server chromium poppler-utils libnss3-tools
PYTEST_ARGS ?=
# `make run` is a demo: e-mails are written to var/mail/ instead of being sent (set CONGSO_EMAIL_BACKEND to the
# SMTP backend and CONGSO_EMAIL_HOST/PORT to send them).
export CONGSO_EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
# The demo's e-ID provider: a local OpenID Connect simulator (congso/eid_simulator) that `make run` starts.
EID_PORT ?= 9001
EID_CLIENT_ID ?= congso-demo
EID_CLIENT_SECRET ?= congso-demo-eid-secret
# The demo's payment gateway (VNPay-style) and SMS gateway: local simulators that `make run` starts.
PAY_PORT ?= 8090
SMS_PORT ?= 8091
PAY_SECRET ?= congso-demo-vnpay-secret
# Dossier histories generated with the demo province on the first `make run`.
DEMO_DOSSIERS ?= 2500

.PHONY: deb-run-packages redis-up run test test-only install install-test deb-test-packages migrate demo serve worker lint messages clean help

help:
	@echo "make run   - install, migrate, load the demo province, serve at http://$(HOST):$(PORT)"
	@echo "make test  - install test dependencies (Python and Debian) and run the whole suite"

# Debian ships venv/ensurepip separately (python3-venv): install it when the first attempt fails.
$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  rm -rf $(VENV); echo "Installing python3-venv (Debian)"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3-venv && \
	  $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# $(call deb-install,PACKAGES): install the Debian packages that are missing (sudo when not root).
define deb-install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

deb-run-packages:
	$(call deb-install,$(DEB_RUN_PACKAGES))

deb-test-packages:
	$(call deb-install,$(DEB_TEST_PACKAGES))

migrate: install deb-run-packages
	@mkdir -p var
	$(BIN)/congso migrate --noinput
	$(BIN)/congso createcachetable
	$(BIN)/congso collectstatic --noinput --verbosity 0

demo: migrate
	$(BIN)/congso demo --if-empty --dossiers $(DEMO_DOSSIERS) --months 12

run: demo
	@echo ""
	@echo "congso: http://$(HOST):$(PORT)/  (admin: /admin/, API docs: /api/docs/)"
	@$(BIN)/congso demo --accounts
	@echo ""
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/python -m congso.eid_simulator --port $(EID_PORT) --client-id $(EID_CLIENT_ID) \
	  --client-secret $(EID_CLIENT_SECRET) --db var/eid-simulator.sqlite3 \
	  --redirect-uri http://$(HOST):$(PORT)/oidc/callback/ --redirect-uri http://localhost:$(PORT)/oidc/callback/ & \
	$(BIN)/python -m congso.payments.simulator --port $(PAY_PORT) --secret $(PAY_SECRET) \
	  --ipn-url http://$(HOST):$(PORT)/thanh-toan/vnpay/ipn & \
	$(BIN)/python -m congso.notifications.sms_simulator --port $(SMS_PORT) & \
	export CONGSO_EID_CLIENT_ID=$(EID_CLIENT_ID) CONGSO_EID_CLIENT_SECRET=$(EID_CLIENT_SECRET) \
	  CONGSO_EID_URL=http://127.0.0.1:$(EID_PORT) CONGSO_VNPAY_HASH_SECRET=$(PAY_SECRET) \
	  CONGSO_VNPAY_URL=http://127.0.0.1:$(PAY_PORT)/paymentv2/vpcpay.html \
	  CONGSO_VNPAY_API_URL=http://127.0.0.1:$(PAY_PORT)/merchant_webapi/api/transaction \
	  CONGSO_SMS_URL=http://127.0.0.1:$(SMS_PORT)/send; \
	$(BIN)/congso db_worker --queue-name default & \
	$(BIN)/congso beat & \
	$(BIN)/gunicorn congso.wsgi --bind $(HOST):$(PORT) --workers 3 --access-logfile - --graceful-timeout 5

# The suite also runs against a real Redis on 127.0.0.1:6379 (the optional cache): start one if none answers.
redis-up:
	@if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then \
	  echo "Starting redis-server on 127.0.0.1:6379"; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
	fi

test: install-test deb-test-packages redis-up test-only

test-only:
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

messages:
	cd congso && ../$(BIN)/congso makemessages -l vi --no-obsolete --add-location file && ../$(BIN)/congso compilemessages -l vi

clean:
	rm -rf $(VENV) var/static
