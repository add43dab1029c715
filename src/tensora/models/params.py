"""Parameter count of a decoder-only transformer from its shape.

Counts every weight matrix, bias and norm of the common layouts: GPT-2/3 (LayerNorm with bias, biased
linears, learned positions, tied embeddings; Narayanan et al.'s 12*l*h^2*(1 + 13/(12h) + ...)), Llama
(RMSNorm, no biases, SwiGLU MLP with three matrices, grouped-query attention, untied output) and Mixtral
(top-k routed MLP experts with a linear router). The MoE count gives both the total and the parameters
active per token.

Left out: rotary embeddings (no parameters), QK-norm, shared experts, vision towers and adapters.
"""

from __future__ import annotations

from tensora.errors import ModelInputError
from tensora.models._validate import non_negative, positive, positive_int
from tensora.models.result import Computed

__all__ = ["transformer_params"]


def transformer_params(
    layers: int,
    hidden: int,
    vocab: int,
    heads: int | None = None,
    kv_heads: int | None = None,
    ffn_hidden: int | None = None,
    ffn_ratio: float = 4.0,
    gated: bool = False,
    biases: bool = False,
    tied: bool = True,
    positions: int = 0,
    experts: int = 1,
    top_k: int = 1,
) -> Computed:
    """Parameters of a decoder-only transformer, with and without embeddings, total and active.

    Per layer: attention 2*h^2 + 2*h*(g*h/a) (Q and O full, K and V for g = kv_heads groups of head size
    h/a); MLP m*h*f (m = 3 gated, 2 otherwise; f = ffn_hidden or ffn_ratio*h) per expert, times E
    experts, plus an h*E router when E > 1; norms 2*h (RMSNorm) or 4*h (LayerNorm with bias); biases
    h + 2*g*h/a + h + f + h when ``biases``. Embeddings V*h, twice when untied, plus positions*h; a final
    norm. Active per token: the same with top_k experts instead of E.
    Source: the layer layouts of GPT-3 (Brown et al., 2020) as Narayanan et al. count them (SC'21, eq. 2),
    Llama 2 (Touvron et al., 2023) and Mixtral (Jiang et al., 2024).
    Assumes every layer has the same shape and one MLP (dense or MoE) per layer.

    Example: layers=32, hidden=4096, vocab=32000, heads=32, ffn_hidden=11008, gated=True, tied=False
    -> 6.7384e9 (Llama 2 7B: 6,738,415,616)
    """
    n_layers = positive_int("layers", layers)
    h = positive_int("hidden", hidden)
    v = positive_int("vocab", vocab)
    a = positive_int("heads", heads) if heads is not None else 1
    g = positive_int("kv_heads", kv_heads) if kv_heads is not None else a
    if h % a:
        raise ModelInputError(f"heads ({a}) does not divide hidden ({h})")
    if a % g:
        raise ModelInputError(f"kv_heads ({g}) does not divide heads ({a}); GQA groups share whole heads")
    f = positive_int("ffn_hidden", ffn_hidden) if ffn_hidden is not None else int(positive("ffn_ratio", ffn_ratio) * h)
    e = positive_int("experts", experts)
    k = positive_int("top_k", top_k)
    if k > e:
        raise ModelInputError(f"top_k ({k}) exceeds experts ({e})")
    pos = int(non_negative("positions", positions))
    kv_dim = g * h // a
    attn = 2 * h * h + 2 * h * kv_dim
    expert = (3 if gated else 2) * h * f
    router = h * e if e > 1 else 0
    norm_per = 2 if biases else 1
    norms = 2 * norm_per * h
    bias = (h + 2 * kv_dim + h + f + h) if biases else 0  # qkv, out, fc1, fc2; one bias set per expert
    per_layer = attn + e * expert + router + norms + bias + (e - 1) * (f + h if biases else 0)
    per_layer_active = attn + k * expert + router + norms + bias + (k - 1) * (f + h if biases else 0)
    embed = v * h * (1 if tied else 2) + pos * h
    final_norm = norm_per * h
    total = n_layers * per_layer + embed + final_norm
    active = n_layers * per_layer_active + embed + final_norm
    largest = max(v * h, h * f, h * h)
    return Computed(
        float(total),
        name="params",
        unit="parameters",
        formula="L * (attn + E*mlp + router + norms + biases) + V*h*(1 or 2) + positions*h + final norm",
        inputs={
            "L": n_layers,
            "h": h,
            "V": v,
            "heads": a,
            "kv_heads": g,
            "ffn_hidden": f,
            "gated": gated,
            "biases": biases,
            "tied": tied,
            "positions": pos,
            "experts": e,
            "top_k": k,
        },
        source="GPT-3 / Narayanan et al. SC'21 eq. (2); Llama 2 (2023); Mixtral (2024) layer layouts",
        details={
            "total": float(total),
            "non_embedding": float(total - embed),
            "embedding": float(embed),
            "active_per_token": float(active),
            "active_non_embedding": float(active - embed),
            "per_layer": float(per_layer),
            "largest_layer": float(largest),
        },
        notes=(
            "largest_layer: the biggest single weight matrix (embedding, an MLP projection or h x h), "
            "what DeepSpeed's ZeRO-3 estimator gathers at once",
        ),
    )
