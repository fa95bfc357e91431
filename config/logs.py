"""No log holds a personal link in full.

A personal link (`/p/<token>/`) is the only key to an executive's answers, and request lines
reach several logs: runserver's (`django.server`), Django's warnings for 4xx answers ("Gone:
/p/…/"), gunicorn's access log. Each masks the token down to its last four characters, enough
to match a log line with a complaint, useless for opening the link.
"""

from __future__ import annotations

import logging
import re

# The token is the path segment after /p/ (see workshops/urls.py), wherever the path appears in
# the line: a request line, a Referer, behind a script prefix.
PERSONAL_LINK = re.compile(r"/p/([^/\s?#\"'\\]+)")
# A password-reset link opens a facilitator's account as surely: its user id and token (see
# config/urls.py, `password_reset_confirm`), except Django's own placeholder `set-password`.
PASSWORD_RESET_LINK = re.compile(
    r"(/accounts/password/reset/)(?!sent/|complete/)([^/\s?#\"'\\]+)/(?!set-password/)"
    r"([^/\s?#\"'\\]+)"
)


def mask_personal_links(text: str) -> str:
    """`/p/<token>/` becomes `/p/…abcd/`, keeping the token's last four characters; a
    password-reset link keeps only the last four characters of its token."""
    text = PERSONAL_LINK.sub(lambda match: f"/p/…{match[1][-4:]}", text)
    return PASSWORD_RESET_LINK.sub(lambda match: f"{match[1]}…/…{match[3][-4:]}", text)


class MaskPersonalLinks(logging.Filter):
    """A logging filter (for handlers and loggers) that masks personal links in the message.

    The message is formatted here, once, and stored already masked: the arguments may hold the
    token (runserver and gunicorn pass the request line as an argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: the handler reports it, as it would anyway
            return True
        masked = mask_personal_links(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
