"""The one Jinja2 environment every HTML renderer uses: templates shipped in
``render/templates/``, autoescaping on for every template (vendor text is hostile until proven
otherwise), undefined names an error rather than an empty string."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("specforge.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)
