"""Settings of the e-ID simulator: a small OpenID Connect provider (django-oauth-toolkit) in its own process.

It stands in for the national e-ID (VNeID-style) provider, which cannot be reached from here: the same protocol
(authorization-code flow, RS256-signed ID tokens, a userinfo endpoint, discovery at
/o/.well-known/openid-configuration), with a list of test identities instead of real people. Never used in
production: congso's relying-party side (congso/accounts/eid.py) talks to whatever provider the settings name.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = os.environ.get("EID_SIM_SECRET_KEY", "eid-simulator-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "congso.eid_simulator",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "congso.eid_simulator.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                       "django.contrib.auth.context_processors.auth"]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ.get("EID_SIM_DB", str(BASE_DIR / "eid-simulator.sqlite3"))}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/login/"
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
LANGUAGE_CODE = "vi"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": os.environ.get("EID_SIM_RSA_KEY", ""),
    "SCOPES": {"openid": "OpenID Connect", "profile": "Họ tên, ngày sinh", "email": "Thư điện tử",
               "phone": "Số điện thoại", "citizen": "Số định danh cá nhân"},
    "OAUTH2_VALIDATOR_CLASS": "congso.eid_simulator.validators.CitizenClaims",
    "PKCE_REQUIRED": False,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
}
# Cookies are shared by every port of a host: own names, so the simulator never overwrites congso's session.
SESSION_COOKIE_NAME = "eidsim_session"
CSRF_COOKIE_NAME = "eidsim_csrftoken"
