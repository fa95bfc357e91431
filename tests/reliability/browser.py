"""A minimal HTTP "browser" for live-server tests: its own cookies, the CSRF token, real sockets.

urllib and http.cookiejar only, so the requests go through the same stack as a real browser's:
a TCP connection, the WSGI server, every middleware, the session and CSRF cookies.
"""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass
class Reply:
    status: int
    url: str
    text: str


class Browser:
    """One executive's browser: cookies kept between requests, redirects followed."""

    def __init__(self, base_url: str, *, timeout: float = 60) -> None:
        self.base_url = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.timeout = timeout

    def cookie(self, name: str) -> str:
        return next((cookie.value for cookie in self.jar if cookie.name == name), "")

    def request(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        body = None
        all_headers = dict(headers or {})
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            all_headers.setdefault("X-CSRFToken", self.cookie("csrftoken"))
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(
            self.base_url + path,
            data=body,
            headers=all_headers,
            method="POST" if data is not None else "GET",
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Reply(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.url, error.read().decode(errors="replace"))

    def get(self, path: str) -> Reply:
        return self.request(path)

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> Reply:
        return self.request(path, data, **kwargs)

    def open_link(self, link_path: str) -> Reply:
        """Open the personal link, then the first section (which sets the CSRF cookie)."""
        opened = self.get(link_path)
        assert opened.status == 200, f"opening {link_path}: {opened.status}"
        participant_pk = urllib.parse.urlparse(opened.url).path.strip("/").split("/")[1]
        section = self.get(f"/respond/{participant_pk}/section/1/")
        assert section.status == 200 and self.cookie("csrftoken"), "no CSRF cookie"
        return opened
