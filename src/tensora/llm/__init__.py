"""Optional LLM backends: the persona's voice on OpenAI-compatible servers and Anthropic, grounded in
tensora's own numbers.

Nothing here runs unless the user asks with ``--llm PROVIDER:MODEL`` (or passes ``llm=`` to
``tensora.pipeline.run``): a review without it imports no SDK and opens no socket. The pieces:

- ``base``: the ``Backend`` interface (one method, ``complete``) and its message types;
- ``openai_compat``, ``anthropic``: the built-in backends, registered as plugins (``tensora.plugins``);
- ``settings``: ``--llm`` and its options, the config file, the API key;
- ``evidence``, ``prompts``: what the model is told, documents fenced off as untrusted data;
- ``tools``: ``tensora.models`` functions the model may call;
- ``answer``, ``validate``, ``numbers``: parsing and checking what it says;
- ``review``: the pass over a review (``enhance``); ``chat``: the whiteboard's speaker;
- ``retry``, ``pricing``, ``live``: backoff, cost accounting, streaming to a terminal.
"""

from tensora.llm.base import Backend, BackendSettings, Completion, Message, Tool, ToolCall, Usage
from tensora.llm.errors import BackendCallError, BackendConfigError, LLMError, MissingKeyError
from tensora.llm.settings import LLMSettings, resolve

__all__ = [
    "Backend",
    "BackendCallError",
    "BackendConfigError",
    "BackendSettings",
    "Completion",
    "LLMError",
    "LLMSettings",
    "Message",
    "MissingKeyError",
    "Tool",
    "ToolCall",
    "Usage",
    "resolve",
]
