"""WSGI entry point for gunicorn.

Once the application is loaded (settings, every app's models, the URL conf), its objects
live as long as the worker: `gc.freeze()` moves them out of the garbage collector's way, so
the collections a request's allocations trigger walk that request's objects, not all of
Django. A SCIM create spent 0.12 ms of its 1.7 ms of CPU in those collections
(docs/PERFORMANCE.md, issue 21).
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "querypie_admin.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 (the URL conf and every view, loaded before the freeze)
gc.freeze()
