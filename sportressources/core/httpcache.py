"""HTTP caching of anonymous public pages (validators, 304, Cache-Control for proxies).

``public_page`` marks a view whose page is the same for every anonymous visitor in a language.
(Scaffold: the decorator does nothing yet.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


def public_page(view: F) -> F:
    """Mark ``view`` as a public page: see the module's docstring."""
    return view
