"""Settings for the benchmarks: the site's own, plus the baseline view of `bench/urls.py`.

DJANGO_SETTINGS_MODULE=bench.settings
"""

from townhall.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
