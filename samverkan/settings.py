"""Django settings, read from the environment (see docs/ARCHITECTURE.md, "Configuration").

Nothing needs configuring to run: the database defaults to an SQLite file under ./var/ and the
secret key is generated once into ./var/secret_key.
"""

import datetime
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from samverkan.core.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("SAMVERKAN_VAR_DIR", str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    configured = env_str("SECRET_KEY", "")
    if configured:
        return configured
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])


def _serving_or_checking() -> bool:
    """Whether this process serves pages (or checks the configuration that serves them).

    The command line's other commands (`samverkan report`, `stats`, `import`, ...) skip what only
    serving needs: daphne's app (its `runserver` with WebSockets; daphne and twisted cost a third
    of a second to import) and the admin's discovery of every app's admin module (its models'
    pages). Any process other than the command line (the tests, the servers) loads both."""
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    if not (program.name == "samverkan" or program.parts[-2:] == ("samverkan", "__main__.py")):
        return True
    return len(sys.argv) < 2 or sys.argv[1] in {
        "runserver",
        "demo",
        "check",
        "help",
        "-h",
        "--help",
    }


_SERVING = _serving_or_checking()
INSTALLED_APPS = [
    # First, so `samverkan runserver` (and `make demo`) serves WebSockets through daphne.
    *(["daphne"] if _SERVING else []),
    "django.contrib.admin" if _SERVING else "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "samverkan.accounts",
    "samverkan.partnership",
    "samverkan.records",
    "samverkan.statistics",
    "samverkan.campaigns",
    "samverkan.activities",
    "samverkan.referrals",
    "samverkan.dashboard",
    "samverkan.reports",
    "samverkan.operations",
    "samverkan.demo",
    "samverkan.chat",
    "samverkan.governance",
    "samverkan.api",
    "samverkan.retention",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Redoc served from here: no CDN
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content Security Policy (below) on every response.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "samverkan.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's, reading the user's unit with the device (accounts.middleware).
    "samverkan.accounts.middleware.OTPMiddleware",
    "samverkan.accounts.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database gone away mid-request: a clear "nothing was saved" page (503), not a crash.
    "samverkan.production.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "samverkan.urls"
WSGI_APPLICATION = "samverkan.wsgi.application"
# HTTP and the chat's WebSockets (samverkan/asgi.py).
ASGI_APPLICATION = "samverkan.asgi.application"

# The live chat passes messages between a young person and a volunteer through the channel layer.
# One process needs nothing more than memory; several processes share Redis. The chat's state
# (queue, resume tokens, rate limits) is chosen in samverkan.chat.store.
SAMVERKAN_REDIS_URL = env_str("SAMVERKAN_REDIS_URL", "")
if SAMVERKAN_REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "samverkan.chat.layers.RedisChannelLayer",
            # The read timeout must outlast the layer's blocking wait for a worker's next
            # message (`brpop_timeout`, 5 s, chat/layers.py), or an idle wait ends in a
            # TimeoutError. The pool gets room beyond redis-py's 100 for the chat store's
            # commands at peaks (docs/deploy.md sizes Redis's connections).
            "CONFIG": {
                "hosts": [
                    {
                        "address": SAMVERKAN_REDIS_URL,
                        "socket_timeout": 90,
                        "max_connections": env_int(
                            "SAMVERKAN_REDIS_CONNECTIONS", 10000, minimum=100
                        ),
                    }
                ],
                # Messages waiting for one worker's consumers share one key, which holds at
                # most `capacity` before sends are dropped (channels-redis's default, 100, is
                # soon reached by a busy worker with thousands of sockets).
                "capacity": env_int("SAMVERKAN_CHANNEL_CAPACITY", 5000, minimum=100),
            },
        }
    }
    # The chat's state shared by every worker (samverkan/chat/redis_store.py), and one cache
    # for all workers (the API's rate limits, drawn charts). Redis runs without persistence:
    # none of this may reach a disk (docs/deploy.md).
    SAMVERKAN_CHAT_STORE = "samverkan.chat.redis_store.RedisChatStore"
    CACHES = {
        "default": {
            # Django's Redis cache answering from the worker's memory while Redis is gone.
            "BACKEND": "samverkan.production.cache.ResilientRedisCache",
            "LOCATION": SAMVERKAN_REDIS_URL,
            "KEY_PREFIX": "cache",
        }
    }
else:
    # Channels' in-memory layer, cleaning expired entries once a second rather than per message.
    CHANNEL_LAYERS = {"default": {"BACKEND": "samverkan.chat.layers.MemoryChannelLayer"}}
# New chats a client may start within the window (seconds), counted from a salted hash of the
# address kept in memory only; the salt changes every day.
SAMVERKAN_CHAT_RATE_LIMIT = env_int("SAMVERKAN_CHAT_RATE_LIMIT", 5, minimum=1)
SAMVERKAN_CHAT_RATE_WINDOW = env_int("SAMVERKAN_CHAT_RATE_WINDOW", 600, minimum=1)
# The unit whose volunteers answer the public chat (its key); by default the first chat unit.
SAMVERKAN_CHAT_UNIT = env_str("SAMVERKAN_CHAT_UNIT", "")
# Where the chat's quick exit leads: a neutral site that replaces the chat in the history.
SAMVERKAN_CHAT_EXIT_URL = env_str("SAMVERKAN_CHAT_EXIT_URL", "https://www.google.com/")

# Every form field through one template that marks what is wrong (core/forms.py).
FORM_RENDERER = "samverkan.core.forms.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "samverkan.navigation.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'samverkan.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db))}
# A connection per request, as Django's default: production serves ASGI, where persistent
# connections are not reused (docs/ARCHITECTURE.md, "What every signed-in page pays"). SQLite's
# are kept per process instead, whatever thread a request runs in (samverkan.core.sqlite).
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if env_bool("SAMVERKAN_SQLITE_KEEP_CONNECTIONS", True):
        DATABASES["default"]["ENGINE"] = "samverkan.core.sqlite"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the statistics read while an import writes; a generous timeout rides out the lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            # A transaction takes the write lock when it begins: one that read first and then
            # wrote would otherwise fail at once ("database is locked") when another writer
            # committed in between, instead of waiting (concurrent API clients, benchmarks/api.py).
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
            ),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in through the city's identity providers (OpenID Connect, authorisation code with PKCE),
# beside local accounts: docs/sign-in.md. SAMVERKAN_OIDC_PROVIDERS names them (e.g. "entra");
# each NAME has SAMVERKAN_OIDC_<NAME>_ISSUER, _CLIENT_ID and _CLIENT_SECRET, and may have _LABEL
# (the button), _SCOPES, _GROUPS_CLAIM and _MFA_AMR / _MFA_ACR (the amr or acr values that mean
# the provider checked a second factor; otherwise our own code is asked). Roles and units come
# from the group rules an administrator edits (accounts.GroupRule). A provider's session here
# lasts at most SAMVERKAN_OIDC_SESSION_MINUTES: then it is checked at the provider again, so a
# person removed there loses access.
SAMVERKAN_OIDC_PROVIDERS = {}
for _name in env_list("SAMVERKAN_OIDC_PROVIDERS", []):
    _prefix = f"SAMVERKAN_OIDC_{_name.upper().replace('-', '_')}_"
    SAMVERKAN_OIDC_PROVIDERS[_name] = {
        "issuer": env_str(f"{_prefix}ISSUER", "").rstrip("/"),
        "client_id": env_str(f"{_prefix}CLIENT_ID", ""),
        "client_secret": env_str(f"{_prefix}CLIENT_SECRET", ""),
        "label": env_str(f"{_prefix}LABEL", _name),
        "scopes": env_str(f"{_prefix}SCOPES", "openid profile email"),
        "groups_claim": env_str(f"{_prefix}GROUPS_CLAIM", "groups"),
        "mfa_amr": env_list(f"{_prefix}MFA_AMR", ["mfa", "otp", "hwk", "swk", "sc", "fpt"]),
        "mfa_acr": env_list(f"{_prefix}MFA_ACR", []),
    }
    if not (
        SAMVERKAN_OIDC_PROVIDERS[_name]["issuer"] and SAMVERKAN_OIDC_PROVIDERS[_name]["client_id"]
    ):
        raise ImproperlyConfigured(f"{_prefix}ISSUER and {_prefix}CLIENT_ID must be set.")
SAMVERKAN_OIDC_SESSION_MINUTES = env_int("SAMVERKAN_OIDC_SESSION_MINUTES", 15, minimum=1)

# Lock an account for an hour after five failed sign-ins in a row. By account, not by address:
# a whole office may share one address, and no IP address is kept (see accounts.security).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "samverkan.accounts.security.no_ip_address"
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# axes warns that locking by account alone lets an attacker try other accounts freely; we accept
# that (every account is locked after five failures) rather than keep addresses of staff.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# The second factor: time-based one-time codes (TOTP) from an authenticator app.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Samverkan")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Swedish first: everything a user reads is Swedish unless they choose English.
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "sv", [code for code, _name in LANGUAGES])
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static"))).resolve()
# Production runs `samverkan collectstatic` and sets SAMVERKAN_STATIC_MANIFEST=1: pages then name
# each file by its content's hash, and WhiteNoise serves them compressed (gzip, Brotli) with a
# year's cache lifetime. Without it (the demo, the tests) files keep their plain names.
SAMVERKAN_STATIC_MANIFEST = env_bool("SAMVERKAN_STATIC_MANIFEST", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if SAMVERKAN_STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

if SAMVERKAN_STATIC_MANIFEST:
    # The collected files straight from the worker, before sessions or anything else is touched.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

# Behind nginx, which ends TLS and says so in X-Forwarded-Proto (docs/deploy.md). Only set this
# when such a proxy is the sole way in: otherwise a client could claim HTTPS itself.
if env_bool("SAMVERKAN_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Pages served over HTTPS under a name of ALLOWED_HOSTS post their forms to themselves.
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS",
    [
        f"https://*{host}" if host.startswith(".") else f"https://{host}"
        for host in ALLOWED_HOSTS
        if host not in {"*", "[::1]"}
    ],
)

# Hardening (docs/privacy.md, "Configuration"). Everything is served from this origin: scripts
# only from static files (no inline script, no eval), so injected markup cannot run. Styles allow
# inline: the charts are matplotlib SVGs with style attributes, and a committee document's page
# layout is a <style> of its own; CSS cannot run code. No page may be framed (clickjacking).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],  # the chat's WebSocket: same host
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
# A signed-in session ends after this many minutes without a request (a request renews it, to the
# minute) and when the browser closes.
SESSION_COOKIE_AGE = env_int("SAMVERKAN_SESSION_MINUTES", 30, minimum=1) * 60
# The idle timeout is kept by saving a session again once its end would move by a minute
# (samverkan/accounts/sessions.py), not by a write transaction on every page view.
SESSION_ENGINE = "samverkan.accounts.sessions"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# No page's script reads the CSRF token from the cookie: forms carry it.
CSRF_COOKIE_HTTPONLY = True
# A form sent from a page too old for its session: the application's own page, in Swedish.
CSRF_FAILURE_VIEW = "samverkan.core.error_pages.csrf_failure"
# Served over HTTPS (production): cookies only over TLS, plain HTTP redirected, and browsers told
# to use HTTPS only for a year (HSTS). Off for the demo and the tests on plain http://localhost.
SAMVERKAN_HTTPS = env_bool("SAMVERKAN_HTTPS", False)
if SAMVERKAN_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    # Subdomains of the application's own name (e.g. *.samverkan.stad.se), not of the city's.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits a whole registrable domain (the municipality's) to HTTPS in every
        # browser: a decision for its owner, not this application's default.
        SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]

# The public level (statistics/release.py): no count from 1 to threshold-1 is ever published.
# At 2, a hidden count labelled primary could only be 1: nothing would protect it.
SAMVERKAN_DISCLOSURE_THRESHOLD = env_int("SAMVERKAN_DISCLOSURE_THRESHOLD", 5, minimum=3)
# The secret of the public level's perturbation (statistics/perturbation.py). Empty: a key made
# on first use and kept in the database, so that a restored backup publishes the same figures.
SAMVERKAN_DISCLOSURE_KEY = env_str("SAMVERKAN_DISCLOSURE_KEY", "")
# Days after a month's end before its figures are published, and then kept as released: time for
# late registrations and monthly imports to arrive (statistics/release.py).
SAMVERKAN_PUBLIC_AFTER_DAYS = env_int("SAMVERKAN_PUBLIC_AFTER_DAYS", 14, minimum=0)

# Days a referral code from the chat can be used at its destination.
SAMVERKAN_REFERRAL_DAYS = env_int("SAMVERKAN_REFERRAL_DAYS", 90, minimum=1)
# Failed arrivals (unknown, mistyped or foreign codes) one user, token or unit may have within
# the window (seconds) before arrivals are refused: guessing codes stays hopeless.
SAMVERKAN_ARRIVAL_ATTEMPTS = env_int("SAMVERKAN_ARRIVAL_ATTEMPTS", 20, minimum=1)
SAMVERKAN_ARRIVAL_WINDOW = env_int("SAMVERKAN_ARRIVAL_WINDOW", 600, minimum=1)

# E-mail: reminders of reports due and of the agreement's notice deadlines (`samverkan run-due`).
# The default prints messages to the console (the demo); production sets an SMTP server.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A hung mail server must not hold a reminder's transaction (and SQLite's write lock) for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "samverkan@localhost")
# Days before a report's due date, and before a notice deadline, that reminders go out.
SAMVERKAN_REMINDER_DAYS = [int(d) for d in env_list("SAMVERKAN_REMINDER_DAYS", ["14", "3"])]
SAMVERKAN_NOTICE_REMINDER_DAYS = [
    int(d) for d in env_list("SAMVERKAN_NOTICE_REMINDER_DAYS", ["60", "14"])
]

# The REST API (samverkan/api): tokens only, JSON only, errors as RFC 9457 problems.
SAMVERKAN_API_RATE = env_str("SAMVERKAN_API_RATE", "1200/min")
# Refused tokens one client address may present within the window (seconds) before it is
# answered 429 until the window ends (samverkan.api.authentication).
SAMVERKAN_API_REFUSALS = env_int("SAMVERKAN_API_REFUSALS", 10, minimum=1)
SAMVERKAN_API_REFUSAL_WINDOW = env_int("SAMVERKAN_API_REFUSAL_WINDOW", 600, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["samverkan.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["samverkan.api.authentication.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["samverkan.api.authentication.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "samverkan.api.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "samverkan.api.problems.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Samverkan API",
    "DESCRIPTION": "The partnership's anonymous records and figures for the partners' own "
    "systems. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The chat keeps no address and no trace of its traffic: the servers' access lines for the
    # chat's paths are dropped and every other line's client address is blanked.
    "filters": {"chat_traffic": {"()": "samverkan.chat.logging.ChatTrafficFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["chat_traffic"]},
    },
    "loggers": {
        # daphne's debug lines name the client's address; they never reach a handler.
        "daphne": {"level": "INFO"},
        # Filtered where the lines are made, so Django's own handlers (DEBUG) see them filtered.
        "django.channels.server": {"filters": ["chat_traffic"]},
        "django.server": {"filters": ["chat_traffic"]},
        "django.request": {"filters": ["chat_traffic"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
