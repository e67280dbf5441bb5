"""Test settings: the project's own, with tasks run in-process and fast password hashing."""

import os
import tempfile

os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
# One broker folder and one media folder per test run, shared with the worker processes that
# end-to-end tests start, and never with another run on the same machine.
os.environ.setdefault("CELERY_BROKER_DIR", tempfile.mkdtemp(prefix="crossdock-broker-"))
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="crossdock-media-"))

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
if not CACHE_URL.startswith("redis"):  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory, so worker processes started by end-to-end tests see the same data.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.setdefault(
            "CROSSDOCK_TEST_DB", f"{tempfile.gettempdir()}/crossdock-test-{os.getpid()}.sqlite3"
        )
    }
# The live server of browser tests is plain HTTP: Secure cookies would not come back.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
WHITENOISE_USE_FINDERS = True  # serve static files from the source tree, no collectstatic
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
