"""From a ``Document`` to ``Claims``."""
