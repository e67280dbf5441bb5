"""Test settings: the project's own, with tasks run in-process and fast password hashing."""

import os

os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
if not CACHE_URL.startswith("redis"):  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if not AWS_STORAGE_BUCKET_NAME:  # noqa: F405
    import tempfile

    MEDIA_ROOT = tempfile.mkdtemp(prefix="crossdock-media-")
WHITENOISE_USE_FINDERS = True  # serve static files from the source tree, no collectstatic
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
