"""What the pages a person opens share: the templates (Jinja2, in
``channels/templates/``, HTML-escaped) and pictures inlined as data: URIs,
so that each page is one file that needs no network.

Used by ``grade --html`` (:mod:`autograder.channels.html_page`) and the
class report (:mod:`autograder.channels.class_html`); both need the
``html`` extra.
"""

from __future__ import annotations

import base64
from functools import lru_cache


@lru_cache(maxsize=1)
def _environment():
    import jinja2
    return jinja2.Environment(
        loader=jinja2.PackageLoader("autograder.channels", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True)


def render(template: str, **context) -> str:
    """``templates/<template>`` filled with ``context`` (a name the template
    uses and ``context`` lacks is an error, not an empty string)."""
    return _environment().get_template(template).render(**context)


def png_uri(png: bytes) -> str:
    """A PNG's bytes as a data: URI for an ``<img src>``."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
