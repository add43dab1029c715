"""Training FLOPs of dense decoder-only transformers.

Three published counts, each with its own convention:
- 6N per token (Kaplan et al., 2020): forward 2N + backward 4N, attention scores ignored.
- PaLM's 6N + 12*L*H*Q*T per token (Chowdhery et al., 2022, Appendix B): adds attention's two
  sequence-length matmuls; this is the "model FLOPs" of MFU.
- Narayanan et al. (SC'21, arXiv 2104.04473, eq. 3 and Appendix): per-iteration GEMM FLOPs of a GPT
  model, 72*B*s*l*h^2*(1 + s/(6h) + V/(12*l*h)) without recomputation and
  96*B*s*l*h^2*(1 + s/(6h) + V/(16*l*h)) with full activation recomputation (their Table 1 figures count
  the recomputed forward, so they are hardware FLOPs, not model FLOPs).
A FLOP is a multiply or an add, regardless of precision. Softmax, norms, activations and the optimizer
step are left out; MoE and grouped-query attention are not modelled.
"""

from __future__ import annotations

from tensora.models._validate import choice, positive, positive_int
from tensora.models.result import Computed

__all__ = [
    "megatron_flops_per_iteration",
    "megatron_params",
    "palm_flops_per_token",
    "training_flops_per_token",
]

_KAPLAN = "Kaplan et al., 'Scaling Laws for Neural Language Models', 2020 (C = 6N per token)"
_PALM = "Chowdhery et al., 'PaLM', 2022, Appendix B"
_NARAYANAN = "Narayanan et al., SC'21 (arXiv 2104.04473), eq. (3) and Appendix"


def training_flops_per_token(params: float) -> Computed:
    """Training FLOPs per token of a dense transformer, by the 6N rule.

    6 * N: 2N for the forward pass, 4N for the backward pass, N = parameters.
    Source: Kaplan et al. (2020), Sec. 2.1; also PaLM Appendix B's first term.
    Ignores attention-score FLOPs (12*L*H*Q*T per token), recomputation and the optimizer.

    Example: params=175e9 -> 1.05e12 FLOPs per token
    """
    n = positive("params", params)
    return Computed(
        6 * n,
        name="training_flops_per_token",
        unit="FLOP/token",
        formula="6 * N",
        inputs={"N": n},
        source=_KAPLAN,
        details={"forward": 2 * n, "backward": 4 * n},
    )


def palm_flops_per_token(params: float, layers: int, heads: int, head_dim: int, seq_len: int) -> Computed:
    """Model FLOPs per token as PaLM counts them for MFU.

    6N + 12 * L * H * Q * T, N = parameters (non-embedding in PaLM's text; PaLM used N = 540.35e9 for
    540B), L = layers, H = heads, Q = head dimension, T = sequence length.
    Source: Chowdhery et al. (2022), Appendix B.
    Ignores recomputation (model FLOPs, not hardware FLOPs); causal masking is not halved.

    Example: params=540.35e9, layers=118, heads=48, head_dim=256, seq_len=2048 -> 3.2777e12
    """
    n = positive("params", params)
    n_layers = positive_int("layers", layers)
    h = positive_int("heads", heads)
    q = positive_int("head_dim", head_dim)
    t = positive_int("seq_len", seq_len)
    attention = 12.0 * n_layers * h * q * t
    return Computed(
        6 * n + attention,
        name="model_flops_per_token",
        unit="FLOP/token",
        formula="6*N + 12*L*H*Q*T",
        inputs={"N": n, "L": n_layers, "H": h, "Q": q, "T": t},
        source=_PALM,
        details={"dense_6N": 6 * n, "attention_12LHQT": attention},
    )


def megatron_flops_per_iteration(
    batch: int, seq_len: int, layers: int, hidden: int, vocab: int, recompute: bool | str = True
) -> Computed:
    """GEMM FLOPs of one training iteration of a GPT model, as Narayanan et al. count them.

    Without recomputation: 72*B*s*l*h^2 * (1 + s/(6h) + V/(12*l*h)) (forward x1, backward x2).
    With full activation recomputation: 96*B*s*l*h^2 * (1 + s/(6h) + V/(16*l*h)) (one more forward of
    the transformer layers, not of the logit layer). With selective recomputation (Korthikanti et al.,
    arXiv 2205.05198, the count behind their MFU/HFU table): 72*B*s*l*h^2 * (1 + s/(3h) + V/(12*l*h)), the s/(6h) term
    doubled. ``recompute`` is 'none', 'selective' or 'full' (True = 'full', False = 'none').
    B = global batch (sequences), s = sequence length,
    l = layers, h = hidden size, V = vocabulary.
    Source: Narayanan et al., SC'21 (arXiv 2104.04473), eq. (3) and Appendix.
    Ignores non-GEMM FLOPs (softmax, norms, GeLU), which the paper also calls a lower bound.

    Example: batch=3072, seq_len=2048, layers=128, hidden=25600, vocab=51200, recompute=True
    -> 5.1390e19 FLOPs (the 1T-parameter row of their Table 1)
    """
    b = positive_int("batch", batch)
    s = positive_int("seq_len", seq_len)
    n_layers = positive_int("layers", layers)
    h = positive_int("hidden", hidden)
    v = positive_int("vocab", vocab)
    base = float(b) * s * n_layers * h * h
    mode = (
        ("full" if recompute else "none")
        if isinstance(recompute, bool)
        else choice("recompute", recompute, ("none", "selective", "full"))
    )
    attn_factor = 12
    if mode == "full":
        value = 96 * base * (1 + s / (6 * h) + v / (16 * n_layers * h))
        formula = "96*B*s*l*h^2 * (1 + s/(6h) + V/(16*l*h))"
        note = "counts the recomputed forward pass: hardware FLOPs (HFU convention)"
        attn_factor = 16
    elif mode == "selective":
        value = 72 * base * (1 + s / (3 * h) + v / (12 * n_layers * h))
        formula = "72*B*s*l*h^2 * (1 + s/(3h) + V/(12*l*h))"
        note = "counts the recomputed attention scores (s/(3h), Korthikanti et al.): hardware FLOPs"
        attn_factor = 24
    else:
        value = 72 * base * (1 + s / (6 * h) + v / (12 * n_layers * h))
        formula = "72*B*s*l*h^2 * (1 + s/(6h) + V/(12*l*h))"
        note = "no recomputation: model FLOPs (MFU convention)"
    return Computed(
        value,
        name="flops_per_iteration",
        unit="FLOP",
        formula=formula,
        inputs={"B": b, "s": s, "l": n_layers, "h": h, "V": v, "recompute": mode},
        source=_NARAYANAN + ("; Korthikanti et al., arXiv 2205.05198 (HFU)" if mode == "selective" else ""),
        details={
            "transformer_gemms": (96 if mode == "full" else 72) * base,
            "attention_scores": attn_factor * float(b) * s * s * n_layers * h,
            "logits": 6.0 * b * s * h * v,
        },
        notes=(note,),
    )


def megatron_params(layers: int, hidden: int, vocab: int, seq_len: int) -> Computed:
    """Parameter count of a GPT model as Narayanan et al. give it.

    P = 12*l*h^2 * (1 + 13/(12h) + (V + s)/(12*l*h)), l = layers, h = hidden, V = vocabulary,
    s = sequence length (learned position embeddings).
    Source: Narayanan et al., SC'21 (arXiv 2104.04473), eq. (2).
    Assumes a 4h MLP, biases and two layer norms per layer, tied input/output embeddings.

    Example: layers=128, hidden=25600, vocab=51200, seq_len=2048 -> 1.0080e12 (their "1008.0" B)
    """
    n_layers = positive_int("layers", layers)
    h = positive_int("hidden", hidden)
    v = positive_int("vocab", vocab)
    s = positive_int("seq_len", seq_len)
    value = 12.0 * n_layers * h * h * (1 + 13 / (12 * h) + (v + s) / (12 * n_layers * h))
    return Computed(
        value,
        name="params",
        unit="parameters",
        formula="12*l*h^2 * (1 + 13/(12h) + (V + s)/(12*l*h))",
        inputs={"l": n_layers, "h": h, "V": v, "s": s},
        source="Narayanan et al., SC'21 (arXiv 2104.04473), eq. (2)",
    )
