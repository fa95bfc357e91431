"""Settings for the app servers a test starts as processes of their own (see
test_two_app_servers.py): the test settings (plain-http cookies, fast password hashing), with
production's caches, the database cache that every app server shares."""

from config.settings import CACHES as PRODUCTION_CACHES
from tests.settings import *  # noqa: F403

CACHES = PRODUCTION_CACHES
