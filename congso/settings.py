"""Django settings for congso. Every value comes from an environment variable (README, "Configuration")."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from congso import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.get_str("CONGSO_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env.secret_key(BASE_DIR)
DEBUG = env.get_bool("CONGSO_DEBUG", False)
ALLOWED_HOSTS = env.get_list("CONGSO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("CONGSO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env.get_str("CONGSO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The province's suffix in local procedure codes (d.dddddd.000.00.00.Hnn); H99 is the demo province.
CONGSO_PROVINCE_SUFFIX = env.get_str("CONGSO_PROVINCE_SUFFIX", "H99")
CONGSO_MAX_UPLOAD_BYTES = env.get_int("CONGSO_MAX_UPLOAD_MB", 20) * 1024 * 1024

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "auditlog",
    "rules.apps.AutodiscoverRulesConfig",
    "congso.core",
    "congso.accounts",
    "congso.org",
    "congso.workcalendar",
    "congso.catalog",
    "congso.dossiers",
    "congso.notifications",
    "congso.operations",
    "congso.datastore",
    "congso.privacy",
    "congso.demo",
    "congso.workspace",
    "congso.printing",
    "congso.signing",
    "congso.queueing",
    "congso.stats",
    "congso.indices",
    "congso.payments",
    "congso.portal",
    "congso.feedback",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "congso.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user.is_verified() once a TOTP code was accepted (two-factor login, issue 5).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Axes last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "congso.urls"
WSGI_APPLICATION = "congso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "congso" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
DATABASE_URL = env.get_str("CONGSO_DATABASE_URL", "sqlite:///var/congso.sqlite3")
DATABASES = {"default": env.parse_database_url(
    DATABASE_URL, BASE_DIR, env.get_int("CONGSO_DB_POOL_SIZE", 8),
    server_side_binding=env.get_bool("CONGSO_DB_SERVER_SIDE_BINDING", False),
)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: the database by default (no other service needed); Redis when configured -----------------------------
REDIS_URL = env.get_str("CONGSO_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "congso_cache"}}

# --- Accounts and login -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "congso.accounts.backends.UsernameOrEmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# django-axes: lock an account + address pair after repeated failures; records live in the database.
AXES_FAILURE_LIMIT = env.get_int("CONGSO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env.get_int("CONGSO_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Two-factor login (congso/accounts/two_factor.py) for administrators and whoever an administrator marks. On by
# default; the test suite switches it off except in the tests about it.
CONGSO_TWO_FACTOR = env.get_bool("CONGSO_TWO_FACTOR", True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.get_bool("CONGSO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- E-mail ----------------------------------------------------------------------------------------------------
EMAIL_HOST = env.get_str("CONGSO_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env.get_int("CONGSO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env.get_str("CONGSO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env.get_str("CONGSO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env.get_bool("CONGSO_EMAIL_TLS", False)
EMAIL_BACKEND = env.get_str("CONGSO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env.get_str("CONGSO_EMAIL_FROM", "congso <no-reply@congso.local>")
EMAIL_TIMEOUT = 10
# With CONGSO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (what `make run` uses), e-mails are
# written as files here instead of being sent.
EMAIL_FILE_PATH = env.get_str("CONGSO_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# --- Notifications (docs/notifications.md) ------------------------------------------------------------------------
CONGSO_NOTIFICATIONS_MAX_ATTEMPTS = env.get_int("CONGSO_NOTIFICATIONS_MAX_ATTEMPTS", 12)
CONGSO_NOTIFICATIONS_RETRY_BASE_SECONDS = env.get_int("CONGSO_NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
CONGSO_NOTIFICATIONS_RETRY_MAX_SECONDS = env.get_int("CONGSO_NOTIFICATIONS_RETRY_MAX_SECONDS", 3600)
CONGSO_NOTIFICATIONS_LEASE_SECONDS = env.get_int("CONGSO_NOTIFICATIONS_LEASE_SECONDS", 300)
CONGSO_NOTIFICATIONS_BATCH = env.get_int("CONGSO_NOTIFICATIONS_BATCH", 100)
CONGSO_NOTIFICATIONS_MESSAGE_ID_DOMAIN = env.get_str("CONGSO_NOTIFICATIONS_MESSAGE_ID_DOMAIN", "")
CONGSO_NOTIFICATION_CHANNELS = {"email": "congso.notifications.channels.EmailChannel"}

# --- Personal data (Decree 13/2023; docs/personal-data.md) ------------------------------------------------------
CONGSO_ACCESS_LOG_RETENTION_DAYS = env.get_int("CONGSO_ACCESS_LOG_RETENTION_DAYS", 730)

# --- Periodic sweeps (`congso beat`, docs/operations-beat.md); the daily purge also runs these callables ----------
CONGSO_PURGE_HOOKS = env.get_list("CONGSO_PURGE_HOOKS", ["congso.privacy.services.purge_access_logs"])

# --- Internationalisation: Vietnamese first ---------------------------------------------------------------------
LANGUAGE_CODE = env.get_str("CONGSO_LANGUAGE", "vi")
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "congso" / "locale"]
TIME_ZONE = env.get_str("CONGSO_TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["congso.formats"]

# --- Static and uploaded files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "congso" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.get_str("CONGSO_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Background tasks --------------------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env.get_str("CONGSO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- API ---------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "congso.core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "congso.core.problems.problem_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "1200/min"},
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "congso API",
    "DESCRIPTION": "The API of congso, an open-source digital-government platform for a Vietnamese province.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set, so clients get stable enum names.
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "congso.dossiers.choices.Status",
        "TimelinessEnum": "congso.dossiers.choices.Timeliness",
        "PaymentMethodEnum": "congso.dossiers.choices.PaymentMethod",
        "DurationUnitEnum": "congso.workcalendar.units.DurationUnit",
        "UnitLevelEnum": "congso.org.choices.UnitLevel",
        "ProcedureLevelEnum": "congso.catalog.choices.Level",
        "ProcedureStatusEnum": "congso.catalog.choices.ProcedureStatus",
    },
}

# --- Logging: one line per record, with the request id -----------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "congso.core.middleware.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.get_str("CONGSO_LOG_LEVEL", "INFO")},
    # django-axes announces itself at every start; keep its warnings only.
    "loggers": {"axes": {"level": "WARNING"}},
}
AUDITLOG_CID_GETTER = "congso.core.middleware.current_request_id"

# Each app below owns its own section; edit only your own.
# --- Staff workspace (congso.workspace) ---------------------------------------------------------------------------
# --- Printed forms (congso.printing) -----------------------------------------------------------------------------
# Liberation Serif (Times New Roman metrics) for the printed forms: Debian fonts-liberation2.
PRINTING_FONT_DIR = env.get_str("CONGSO_PRINTING_FONT_DIR", "/usr/share/fonts/truetype/liberation2")
# --- Digital signatures (congso.signing) -------------------------------------------------------------------------
# Master secret of the PKCS#12 passphrases (docs/signatures.md); empty: derived from SECRET_KEY. Set it in production
# so that a new SECRET_KEY does not lock the agencies' keys away.
CONGSO_SIGNING_PASSPHRASE = env.get_str("CONGSO_SIGNING_PASSPHRASE", "")
# The public verification form: this many PDF checks per address per window (seconds).
CONGSO_SIGNING_VERIFY_LIMIT = env.get_int("CONGSO_SIGNING_VERIFY_LIMIT", 20)
CONGSO_SIGNING_VERIFY_WINDOW = env.get_int("CONGSO_SIGNING_VERIFY_WINDOW", 600)
# Every stamp is drawn by WeasyPrint, which logs each layout step at INFO.
LOGGING["loggers"].setdefault("weasyprint.progress", {"level": "WARNING"})
# --- Queue tickets (congso.queueing) -----------------------------------------------------------------------------
# Tickets one address may take per window (kiosk page and API); the centre's kiosk devices (CIDRs) are not limited.
CONGSO_QUEUE_TAKE_LIMIT = env.get_int("CONGSO_QUEUE_TAKE_LIMIT", 5)
CONGSO_QUEUE_TAKE_WINDOW_SECONDS = env.get_int("CONGSO_QUEUE_TAKE_WINDOW_SECONDS", 600)
CONGSO_QUEUE_KIOSK_NETWORKS = env.get_list("CONGSO_QUEUE_KIOSK_NETWORKS", [])
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["QueueTicketStatusEnum"] = "congso.queueing.choices.TicketStatus"
# --- Statistics (congso.stats) -----------------------------------------------------------------------------------
# --- Decision 766 index and dashboard (congso.indices) -----------------------------------------------------------
# The national-portal sync feeds transparency.dossiers_synced; until it exists the indicator is N/A (no data yet).
CONGSO_INDEX766_NATIONAL_SYNC = env.get_bool("CONGSO_INDEX766_NATIONAL_SYNC", False)
# Current-period dossier counts from the statistics aggregates (False: always recount from the dossier tables).
CONGSO_INDEX766_USE_AGGREGATES = env.get_bool("CONGSO_INDEX766_USE_AGGREGATES", True)
# --- Payments (congso.payments) and SMS --------------------------------------------------------------------------
# VNPay 2.1 gateway (docs/payments.md). The defaults point at the local simulator (`python -m
# congso.payments.simulator --port 8090 --secret dev-secret --ipn-url http://127.0.0.1:8000/thanh-toan/vnpay/ipn`).
CONGSO_VNPAY_URL = env.get_str("CONGSO_VNPAY_URL", "http://127.0.0.1:8090/paymentv2/vpcpay.html")
CONGSO_VNPAY_API_URL = env.get_str("CONGSO_VNPAY_API_URL", "http://127.0.0.1:8090/merchant_webapi/api/transaction")
CONGSO_VNPAY_TMN_CODE = env.get_str("CONGSO_VNPAY_TMN_CODE", "CONGSO01")
CONGSO_VNPAY_HASH_SECRET = env.get_str("CONGSO_VNPAY_HASH_SECRET", "dev-secret" if DEBUG else "")
CONGSO_VNPAY_RETURN_URL = env.get_str("CONGSO_VNPAY_RETURN_URL", f"{SITE_URL}/thanh-toan/ket-qua")
CONGSO_VNPAY_EXPIRE_MINUTES = env.get_int("CONGSO_VNPAY_EXPIRE_MINUTES", 15)
CONGSO_VNPAY_TIMEOUT = env.get_int("CONGSO_VNPAY_TIMEOUT", 15)
CONGSO_VNPAY_ORDER_TYPE = env.get_str("CONGSO_VNPAY_ORDER_TYPE", "other")
# Starting payments: at most this many per user per window (seconds).
CONGSO_PAYMENTS_START_LIMIT = env.get_int("CONGSO_PAYMENTS_START_LIMIT", 10)
CONGSO_PAYMENTS_START_WINDOW = env.get_int("CONGSO_PAYMENTS_START_WINDOW", 600)
CONGSO_PAYMENTS_ACTOR_USERNAME = env.get_str("CONGSO_PAYMENTS_ACTOR_USERNAME", "congso-payment-gateway")
# SMS gateway (docs/sms.md): the "sms" channel is delivered only when CONGSO_SMS_URL is set.
CONGSO_SMS_URL = env.get_str("CONGSO_SMS_URL", "")
CONGSO_SMS_API_KEY = env.get_str("CONGSO_SMS_API_KEY", "")
CONGSO_SMS_BRANDNAME = env.get_str("CONGSO_SMS_BRANDNAME", "CONGSO")
CONGSO_SMS_UNICODE = env.get_bool("CONGSO_SMS_UNICODE", False)
CONGSO_SMS_TIMEOUT = env.get_int("CONGSO_SMS_TIMEOUT", 10)
CONGSO_SMS_MAX_LENGTH = env.get_int("CONGSO_SMS_MAX_LENGTH", 459)
if CONGSO_SMS_URL:
    CONGSO_NOTIFICATION_CHANNELS = {**CONGSO_NOTIFICATION_CHANNELS, "sms": "congso.notifications.sms.SmsChannel"}
# --- e-ID login through OpenID Connect (congso/accounts/eid.py; the simulator in congso/eid_simulator) --------------
# Enabled when CONGSO_EID_CLIENT_ID is set. CONGSO_EID_URL is the provider's base: its endpoints are derived from it
# (authorization /o/authorize/, token /o/token/, userinfo /o/userinfo/, keys /o/.well-known/jwks.json) unless
# given one by one.
CONGSO_EID_URL = env.get_str("CONGSO_EID_URL", "http://127.0.0.1:9001").rstrip("/")
CONGSO_EID_ISSUER = env.get_str("CONGSO_EID_ISSUER", CONGSO_EID_URL + "/o")
OIDC_RP_CLIENT_ID = env.get_str("CONGSO_EID_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env.get_str("CONGSO_EID_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid profile phone email citizen"
OIDC_OP_AUTHORIZATION_ENDPOINT = env.get_str("CONGSO_EID_AUTHORIZATION_URL", CONGSO_EID_URL + "/o/authorize/")
OIDC_OP_TOKEN_ENDPOINT = env.get_str("CONGSO_EID_TOKEN_URL", CONGSO_EID_URL + "/o/token/")
OIDC_OP_USER_ENDPOINT = env.get_str("CONGSO_EID_USERINFO_URL", CONGSO_EID_URL + "/o/userinfo/")
OIDC_OP_JWKS_ENDPOINT = env.get_str("CONGSO_EID_JWKS_URL", CONGSO_EID_URL + "/o/.well-known/jwks.json")
OIDC_CREATE_USER = True
OIDC_USE_PKCE = True
OIDC_VERIFY_SSL = env.get_bool("CONGSO_EID_VERIFY_TLS", True)
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?eid=failed"
CONGSO_EID_ENABLED = bool(OIDC_RP_CLIENT_ID)
if CONGSO_EID_ENABLED:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "congso.accounts.eid.EidBackend"]
# --- Public portal, registration, e-ID login (congso.portal) -----------------------------------------------------
# After login: staff to the workspace, applicants to "my dossiers" (congso.portal.views.account.after_login).
LOGIN_REDIRECT_URL = "portal:after-login"
# Per-IP limits of the public forms: (attempts, window in seconds).
CONGSO_PORTAL_RATE_LIMITS = {
    "lookup": (env.get_int("CONGSO_PORTAL_LOOKUP_LIMIT", 20), 600),
    "register": (env.get_int("CONGSO_PORTAL_REGISTER_LIMIT", 5), 3600),
    "resend": (5, 3600),
}
CONGSO_PORTAL_VERIFY_DAYS = env.get_int("CONGSO_PORTAL_VERIFY_DAYS", 3)
# --- Feedback, PAKN (congso.feedback) ----------------------------------------------------------------------------

