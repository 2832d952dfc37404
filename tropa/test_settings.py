"""Settings for the test suite: fixed test-only secrets and fast key wrapping."""

import os
import tempfile

os.environ.setdefault("TROPA_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("TROPA_PEPPER", "test-only-pepper-" + "y" * 40)
os.environ.setdefault("TROPA_DATA_DIR", tempfile.mkdtemp(prefix="tropa-test-"))

from tropa.settings import *  # noqa: E402,F403
from tropa.vault import KDF_FAST_FOR_TESTS  # noqa: E402

# A file, not memory, so tests see the same WAL files and pragmas as production.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405

# The libsodium minimum keeps the suite fast; production uses MODERATE.
TROPA_KDF_LIMITS = KDF_FAST_FOR_TESTS
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# django-otp's own back-off would make a right code right after a wrong one
# fail for a second; Tropa's per-account lockout is tested on its own.
OTP_TOTP_THROTTLE_FACTOR = 0
TROPA_GROUP_COMMIT = False
OTP_STATIC_THROTTLE_FACTOR = 0

# Every test reads surge mode afresh (a rolled-back switch must not linger).
TROPA_SURGE_CACHE_SECONDS = 0
# Every request writes its session, so that a page's query count does not
# depend on whether a minute ended between two requests (the skip has its
# own tests: tropa/core/tests/test_sessions.py).
TROPA_SESSION_SKIP_SAME_WRITE = False
