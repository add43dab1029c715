"""Optional LLM backends: a model as the reviewer, on OpenAI-compatible servers, Anthropic or replayed
files, with tensora as its instruments, memory and guard.

Nothing here runs unless the user asks with ``--llm PROVIDER:MODEL`` (or passes ``llm=`` to
``tensora.pipeline.run``): a review without it imports no SDK and opens no socket. The pieces:

- ``base``: the ``Backend`` interface (one method, ``complete``) and its message types;
- ``openai_compat``, ``anthropic``: the built-in backends, registered as plugins (``tensora.plugins``);
- ``settings``: ``--llm`` and its options, the config file, the API key;
- ``documents``, ``hypotheses``, ``boilerplate``, ``prompts``: what the model is told: both documents' visible
  text (planned to fit its context), tensora's audit as hypotheses to check (never with page furniture as
  their evidence), the persona, its rules and its budget;
- ``tools``, ``toolbox``, ``formula``: the models, arithmetic, the sections and the knowledge base as tools;
- ``answer``, ``validate``, ``numbers``, ``guard``: parsing and checking what it says;
- ``review``: the pass over a review (``enhance``); ``chat``: the whiteboard's speaker;
- ``replay``: the model's replies from files (``--llm replay --llm-exchange DIR``), and recording;
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
