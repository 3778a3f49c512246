"""``{% memo "name" vary... %}...{% endmemo %}``: markup rendered once per process for each value of its
`vary` expressions (a language, a role), for the parts of the page frame that depend on nothing else.

It does what ``{% cache %}`` did for them without its cost: the locmem cache pickled every fragment,
hashed its key and took a lock, about 45 µs a fragment, nine of them on every page. The memo is a dict
of this process; it holds only what a deploy changes (so it needs no expiry), is bounded, is skipped
with DEBUG on (templates edited while the server runs) and is emptied when a test changes a setting.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

MAX_ENTRIES = 500  # names x languages x roles is a few dozen; a runaway `vary` must not grow the process
_memo: dict[tuple, SafeString] = {}


def clear() -> None:
    _memo.clear()


@receiver(setting_changed)
def _clear_on_setting_changed(**kwargs) -> None:
    clear()


class MemoNode(template.Node):
    def __init__(self, name: str, vary: list[template.base.FilterExpression], nodelist: template.NodeList):
        self.name = name
        self.vary = vary
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        if settings.DEBUG:
            return self.nodelist.render(context)
        key = (self.name, *(expression.resolve(context) for expression in self.vary))
        html = _memo.get(key)
        if html is None:
            html = mark_safe(self.nodelist.render(context))
            if len(_memo) >= MAX_ENTRIES:
                _memo.clear()
            _memo[key] = html
        return html


@register.tag
def memo(parser: template.base.Parser, token: template.base.Token) -> MemoNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'memo' needs a name: {% memo \"name\" vary... %}")
    name = bits[1].strip("\"'")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(name, [parser.compile_filter(bit) for bit in bits[2:]], nodelist)
