"""Finding listings, split by role.

- ``params``: a query string read into ``SearchParams`` (every value checked, errors in French);
- ``text``: the words of a query, stemmed like the index;
- ``keyset``: the cursors of result pages (never OFFSET);
- ``plan``: one search compiled to SQL on the ``listing_search`` projection;
- ``place``: « nearest first » read in growing rings around a place;
- ``query``: the pages of results and the suggestions to widen a search;
- ``index``: the projection table and its upkeep; ``form``: the search form's option lists.

Pages, alerts and (later) the API use the names below.
"""

from sportressources.listings.search.params import SearchParams, parse_search_args
from sportressources.listings.search.query import SearchPage, search_listings, widen_suggestions

__all__ = [
    "SearchPage",
    "SearchParams",
    "parse_search_args",
    "search_listings",
    "widen_suggestions",
]
