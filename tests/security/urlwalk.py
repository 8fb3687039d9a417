"""Every URL pattern of the portal, flattened (for the header check and the access walker)."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Not the portal's own pages: the Django admin (scoped by RegionScopedAdmin and tested in
# tests/admin, tests/*/test_admin.py) and allauth's internals (login/logout/social flows).
SKIP_PREFIXES = ("admin/", "accounts/")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    route: str  # e.g. "orders/<int:pk>/files/<str:which>/"
    params: tuple[str, ...]


def portal_routes() -> list[Route]:
    out: list[Route] = []

    def walk(patterns, prefix: str, namespace: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith(SKIP_PREFIXES) or not p.name:
                    continue
                params = tuple(p.pattern.converters) if hasattr(p.pattern, "converters") else ()
                out.append(Route(namespace + p.name, route, params))

    walk(get_resolver().url_patterns, "", "")
    return out
