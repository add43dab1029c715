"""Batch review: many drafts, one report each, ranked in a summary.

``items_of`` reads the input (a folder or a CSV/JSONL manifest), ``run_batch`` reviews every item not yet done
with a local process pool or a Ray cluster and writes the results as they arrive (``output.py``).
"""

from tensora.batch.manifest import Item, items_of
from tensora.batch.runner import run_batch

__all__ = ["Item", "items_of", "run_batch"]
