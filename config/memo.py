"""Per-process memos of rendered HTML (issue 9): config/admin_sidebar.py,
config/partial_memo.py and config/admin_actions.py keep what a page renders the same way
every time, under a key of everything it depends on."""


class BoundedMemo:
    """A dict that forgets its oldest entry once it holds ``size`` entries."""

    def __init__(self, size: int):
        self.size = size
        self._entries: dict = {}

    def get(self, key):
        return self._entries.get(key)

    def put(self, key, value):
        if len(self._entries) >= self.size:
            self._entries.pop(next(iter(self._entries)))  # the oldest entry
        self._entries[key] = value
        return value

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def render_in_context(context, template_name: str) -> str:
    """What ``{% include template_name %}`` renders at this point of the page."""
    template = context.template.engine.get_template(template_name)
    with context.render_context.push_state(template, isolated_context=False):
        return template.render(context)
