"""Render a ``Review`` as the JSON object of spec/review-json.md."""

from __future__ import annotations

import json as _json

from tensora.audit.findings import Review


def render(review: Review) -> str:
    return _json.dumps(review.to_dict(), indent=2, ensure_ascii=False)
