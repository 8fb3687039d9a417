"""Chinese keyword search over service items (DESIGN §10).

Index: every item stores ``search_text`` (name, description and institution name, one per
line) and ``search_vector``, a tsvector whose lexemes are all character unigrams and
bigrams of the lower-cased text (never spanning whitespace), GIN-indexed. Latin letters
and digits are treated like Chinese characters, so latin terms match case-insensitively
and anywhere inside a word, exactly like a substring match.

Query: each whitespace-separated term becomes a tsquery on the index — a one- or
two-character term is a single lexeme, a longer term the AND of its overlapping bigrams —
the candidates of a longer term are checked with ``icontains`` on ``search_text``, so the
result is exactly the substring match over the searched fields (a one- or two-character
term needs no check: its lexeme is in the vector exactly when the text contains it). Counts stop at ``CAP`` ("1000+")
and ranking looks only at a bounded candidate set.
"""

import re

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Lookup, Q, Value

from config.pagination import CappedPaginator as BaseCappedPaginator

CAP = 1000
MAX_TERMS = 8
MAX_TERM_CHARS = 50
SEP = "\x1f"  # joins lexemes for string_to_array (never part of a lexeme)
_SPLIT = re.compile(r"[\s\x00-\x1f\x7f]+")


@SearchVectorField.register_lookup
class NgramMatch(Lookup):
    """``search_vector__ngram_match=<tsquery text>``: ``vector @@ '<text>'::tsquery``, the
    query given as tsquery syntax (never through a text-search parser)."""

    lookup_name = "ngram_match"

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [value])

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ ({rhs})::tsquery", [*lhs_params, *rhs_params]


def segments(text: str) -> list[str]:
    return [s for s in _SPLIT.split((text or "").lower()) if s]


def ngrams(text: str) -> list[str]:
    """The lexemes of ``text``: distinct character unigrams and bigrams of each segment."""
    seen: dict[str, None] = {}
    for seg in segments(text):
        for i, ch in enumerate(seg):
            seen[ch] = None
            if i + 1 < len(seg):
                seen[seg[i : i + 2]] = None
    return list(seen)


def search_text_for(name: str, description: str, institution_name: str) -> str:
    return "\n".join([name or "", description or "", institution_name or ""])


def vector_expression(text: str):
    """A database expression building the tsvector of ``text``."""
    return models.Func(
        models.Func(
            Value(SEP.join(ngrams(text))),
            Value(SEP),
            function="string_to_array",
            output_field=ArrayField(models.TextField()),
        ),
        function="array_to_tsvector",
        output_field=SearchVectorField(),
    )


def parse_terms(q: str | None) -> list[str]:
    """The search terms of a query string: at most MAX_TERMS distinct terms, each cut to
    MAX_TERM_CHARS characters; garbage yields no terms (never an error)."""
    terms: list[str] = []
    for seg in segments((q or "")[:500]):
        term = seg[:MAX_TERM_CHARS]
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def term_lexemes(term: str) -> list[str]:
    if len(term) <= 2:
        return [term]
    grams = []
    for i in range(len(term) - 1):
        gram = term[i : i + 2]
        if gram not in grams:
            grams.append(gram)
    return grams


def tsquery_for(terms: list[str]) -> str:
    lexemes: list[str] = []
    for term in terms:
        for lexeme in term_lexemes(term):
            if lexeme not in lexemes:
                lexemes.append(lexeme)
    return " & ".join(_quote(lexeme) for lexeme in lexemes)


def match_terms(queryset, terms: list[str]):
    """Items whose searched fields contain every term (index prefilter + exact check)."""
    if not terms:
        return queryset
    queryset = queryset.filter(search_vector__ngram_match=tsquery_for(terms))
    for term in terms:
        # A one- or two-character term is a lexeme itself: the index answer is exact.
        # Longer terms are the AND of their bigrams, which only narrows: check the text.
        if len(term) > 2:
            queryset = queryset.filter(search_text__icontains=term)
    return queryset


def substring_match(queryset, terms: list[str]):
    """The plain substring search the index must agree with (tests, benchmark)."""
    for term in terms:
        queryset = queryset.filter(
            Q(name__icontains=term) | Q(description__icontains=term) | Q(institution__name__icontains=term)
        )
    return queryset


class RankedResults:
    """The bounded candidate set of a search (at most CAP+1 matches, newest first),
    ranked in Python; slicing fetches only the shown rows through ``display``."""

    def __init__(self, candidates, rows, display):
        self.candidates = candidates  # the candidate queryset (for EXPLAIN in tests)
        self.ids = [row[0] for row in rows]
        self.display = display

    def __len__(self) -> int:
        return len(self.ids)

    def count(self) -> int:
        return len(self.ids)

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        ids = self.ids[key]
        objects = self.display.in_bulk(ids) if ids else {}
        return [objects[pk] for pk in ids if pk in objects]


class CappedPaginator(BaseCappedPaginator):
    """The search results' paginator: counts stop at CAP ("1000+"); ranked results
    (a list of ids already capped) are counted by length."""

    cap = CAP


SORTS = {
    "relevance": "综合排序",
    "newest": "最新发布",
    "price_asc": "价格从低到高",
    "price_desc": "价格从高到低",
}


def ordered_results(queryset, terms: list[str], sort: str, display=None):
    """The search results of ``queryset`` (already filtered) in the requested order.

    Relevance and newest look only at the CAP+1 newest matches (newest by id, which
    follows creation): one query reads their ids and names, the ranking happens in
    Python, and only the shown rows are fetched through ``display``
    (the page's select/prefetch). Price orders sort every match in the database."""
    matches = match_terms(queryset, terms)
    display = display if display is not None else queryset.model.objects.all()
    if sort in ("price_asc", "price_desc"):
        # 面议 items (no price) come last either way.
        price = F("price").asc(nulls_last=True) if sort == "price_asc" else F("price").desc(nulls_last=True)
        return matches.order_by(price, "-id")
    candidates = matches.order_by("-id").values_list("id", "name", "institution__name")[: CAP + 1]

    def score(row) -> int:  # terms are lower-cased by parse_terms
        name, org = row[1].lower(), row[2].lower()
        return 4 * any(t in name for t in terms) + 2 * any(t in org for t in terms)

    rows = list(candidates)  # newest first (ids follow creation)
    if sort != "newest" and terms:
        rows.sort(key=score, reverse=True)  # stable: newest first within a score
    return RankedResults(candidates, rows, display)
