"""The search service's WSGI entry point for gunicorn (docs/search.md, 生产部署):

    SEARCH_SITE=/var/www/site gunicorn -c python:search.service.gunicorn_conf search.service.wsgi:app

`SEARCH_SITE` is the published site folder (or its `.search` folder); the limits come
from the SEARCH_* variables that `search/service/gunicorn_conf.py` sets (`search.service.limits.Limits`).
"""

from __future__ import annotations

import os

from search.service.app import create_search_app

app = create_search_app(os.environ.get("SEARCH_SITE", "site"))
