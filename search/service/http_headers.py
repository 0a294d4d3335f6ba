"""The HTTP security headers every server of the site sends: the preview server, the search
service and the documented nginx configuration (docs/search.md, checked by a test).

The policy is one the pages really satisfy: templates carry no inline script, no `<style>`,
no `style="…"` and no event handler (`tests/test_served_security.py` checks the generated
pages, and Chromium reports no violation on any page type). JSON-LD blocks
(`<script type="application/ld+json">`) are data, never executed, so CSP allows them.
`frame-ancestors` only works as a header (a `<meta>` CSP ignores it), hence headers, not meta.
"""

from __future__ import annotations

from collections.abc import Mapping

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}


def nginx_lines() -> list[str]:
    """Return the `add_header … always;` lines of the documented nginx configuration."""
    return [f'add_header {name} "{value}" always;' for name, value in SECURITY_HEADERS.items()]
