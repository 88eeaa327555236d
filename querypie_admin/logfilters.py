"""Logging filters: what the console's log keeps and what it leaves out."""

import logging


class NoTracebackFor403(logging.Filter):
    """A refused page is the rule working, not an error: Django logs each 403 with the
    PermissionDenied traceback, which filled the log with stacks. The one line stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
