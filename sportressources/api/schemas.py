"""Shared marshmallow bases of the API's schemas."""

from __future__ import annotations

import marshmallow as ma

__all__ = ["Schema", "ma"]


class Schema(ma.Schema):
    """Base of every API schema (unknown fields refused, French messages: see ``errors``)."""

    class Meta:
        unknown = ma.RAISE
