"""Settings of the ASGI server the browser tests start in a process of their own: the project's,
with the quick password hashing of the tests' own process (see conftest._quick_password_hashing),
so that a user made by a test signs in there too."""

from samverkan.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
