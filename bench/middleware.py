"""Counts the SQL queries of each request (every database alias) and returns the number
in the ``X-Bench-Queries`` header; the per-alias split in ``X-Bench-Aliases``."""

from contextlib import ExitStack

from django.db import connections


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counts: dict[str, int] = {}

        def counter(alias):
            def wrapper(execute, sql, params, many, context):
                counts[alias] = counts.get(alias, 0) + 1
                return execute(sql, params, many, context)

            return wrapper

        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter(alias)))
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(sum(counts.values()))
        response["X-Bench-Aliases"] = ",".join(f"{a}={n}" for a, n in sorted(counts.items()))
        return response
