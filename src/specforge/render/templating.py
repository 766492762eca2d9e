"""The one Jinja2 environment for HTML renderers: templates are package data under
``specforge/render/templates/``, autoescaping is always on (vendor text, URLs and response bodies
end up in these pages), and undefined names are errors rather than empty strings."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("specforge.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
