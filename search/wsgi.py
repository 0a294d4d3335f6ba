"""The search service's WSGI entry point for gunicorn (docs/search.md, 生产部署):

    SEARCH_SITE=/var/www/site gunicorn -c python:search.gunicorn_conf search.wsgi:app

`SEARCH_SITE` is the published site folder (or its `.search` folder); the limits come
from the SEARCH_* variables that `search/gunicorn_conf.py` sets (`search.limits.Limits`).
"""

from __future__ import annotations

import os

from search.service import create_search_app

app = create_search_app(os.environ.get("SEARCH_SITE", "site"))
