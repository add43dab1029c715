"""The small pieces: the tolerant parser, number tracing, quotes, tools, retry policy, prices, streaming prose."""

from __future__ import annotations

import json
import math

import pytest

from tensora.extract.quantities import Quote
from tensora.extract.sentences import Sentence
from tensora.llm import tools
from tensora.llm.answer import ParseError, parse, schema
from tensora.llm.base import Usage
from tensora.llm.errors import RateLimitedError, ServerError, UnauthorizedError
from tensora.llm.live import ProseStream, preview
from tensora.llm.numbers import KnownNumbers, numbers_in
from tensora.llm.pricing import cost_usd, price_of
from tensora.llm.retry import RetryPolicy
from tensora.llm.validate import QuoteIndex, normalise

from ._support import answer_json

# -- parser ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        answer_json(),
        "```json\n" + answer_json() + "\n```",
        "Sure. " + answer_json() + " {not this one}",
        answer_json().replace('"findings": []', '"findings": [1, 2,]'),
        answer_json()[:-1] + ",\n}",
    ],
)
def test_parse_tolerates(raw: str) -> None:
    assert parse(raw).parts["twist"].startswith("Here is a thought")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "empty"),
        ("no json here", "no JSON object"),
        ('{"mirror": "cut', "cut off"),
        ('{"mirror": x}', "malformed"),
        ('{"other": "x"}', "none of the fields"),
        ("[1, 2]", "no JSON object"),
    ],
)
def test_parse_refuses(raw: str, problem: str) -> None:
    with pytest.raises(ParseError, match=problem):
        parse(raw)


def test_parse_keeps_paragraphs_and_drops_bad_findings() -> None:
    answer = parse(json.dumps({"stress_test": "one\n\n  two   words", "findings": [1, {"code": "X"}]}))
    assert answer.parts["stress_test"] == "one\n\ntwo words" and answer.findings == [{"code": "X"}]
    assert parse(json.dumps({"mirror": "m", "findings": "none"})).findings == []


def test_schema_names_codes_and_sets_no_string_bounds() -> None:
    s = schema(["PIPE-BUBBLE"])
    assert s["properties"]["findings"]["items"]["properties"]["code"]["enum"] == ["PIPE-BUBBLE"]
    assert "maxLength" not in json.dumps(s)


# -- numbers --------------------------------------------------------------------------------------------------


def test_numbers_in_prose() -> None:
    found = [
        s.text for s in numbers_in("1F1B on 8 H100s with ZeRO-3: 63.6% bubble, 13B params, 3.9 ms, 1,024 GPUs, 2x")
    ]
    assert found == ["8", "63.6%", "13B", "3.9 ms", "1,024 GPUs", "2x"]


@pytest.mark.parametrize(
    ("stated", "known", "ok"),
    [
        ("64%", 0.6364, True),
        ("63.6%", 0.6364, True),
        ("63.6", 0.6364, True),
        ("60%", 0.6364, False),
        ("13B", 13e9, True),
        ("3.9 ms", 3.8889e-3, True),
        ("1.43x", 1.4286, True),
        ("1.5x", 1.4286, False),
        ("2019", 2021, False),
        ("2", 99, True),
    ],
)
def test_known_numbers(stated: str, known: float, ok: bool) -> None:
    flagged = [s.text for s in KnownNumbers([known]).unverified(f"it is {stated} here")]
    assert flagged == ([] if ok else [stated])


def test_quote_index() -> None:
    from tensora.extract.claims import Claims

    sentences = [
        Sentence("We run 1F1B with \u201csixteen\u201d stages.", 2, "Method", "proposal", 0),
        Sentence("The baseline uses GPipe\u2014with flushes.", 5, "Method", "proposal", 1),
    ]
    claims = Claims("proposal", "t", sentences, {}, [])
    index = QuoteIndex({"proposal": claims})
    assert index.find('we run 1F1B with "sixteen"   stages') == Quote(
        "proposal", 2, 'we run 1F1B with "sixteen" stages'
    )
    assert index.find("uses GPipe-with flushes.").page == 5  # type: ignore[union-attr]
    assert index.find("stages") is None  # too short to prove anything
    assert normalise("\ufb01ne\u00a0 Tune") == "fine tune"


# -- tools ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "value"),
    [
        ("pipeline_bubble_fraction", {"stages": 8, "microbatches": 4}, 7 / 11),
        ("amdahl_max_speedup", {"fraction_affected": 0.3}, 1 / 0.7),
        ("model_states_per_gpu_gib", {"params": 7.5e9, "dp": 64, "sharding": "zero1"}, 29.2493),
        ("all_gather_time_s", {"size_bytes": 1e9, "ranks": 8, "bandwidth": 450e9}, 1.9444e-3),
        ("ring_all_reduce_time_s", {"size_bytes": 1e9, "ranks": 8, "bandwidth": 450e9}, 3.8889e-3),
        ("gemm_intensity", {"m": 8192, "n": 8192, "k": 8192.0}, 2730.67),
        (
            "mfu",
            {"model_flops_per_token": 3.2777e12, "tokens_per_s": 238.3e3, "devices": 6144, "peak_flops": 275e12},
            0.4623,
        ),
    ],
)
def test_tools_run_the_models(name: str, args: dict[str, object], value: float) -> None:
    result = tools.run(name, json.dumps(args))
    assert result["value"] == pytest.approx(value, rel=1e-3) and result["formula"]


@pytest.mark.parametrize(
    ("name", "args", "error"),
    [
        ("nope", "{}", "unknown tool"),
        ("mfu", "{bad", "not valid JSON"),
        ("mfu", "[1]", "must be a JSON object"),
        ("pipeline_bubble_fraction", '{"stages": 8}', "missing argument"),
        ("pipeline_bubble_fraction", '{"stages": 8, "microbatches": 4, "x": 1}', "unknown argument"),
        ("pipeline_bubble_fraction", '{"stages": 8.5, "microbatches": 4}', "whole number"),
        ("pipeline_bubble_fraction", '{"stages": "8", "microbatches": 4}', "must be a number"),
        ("pipeline_bubble_fraction", '{"stages": 0, "microbatches": 4}', "stages"),
    ],
)
def test_tool_errors_are_returned(name: str, args: str, error: str) -> None:
    assert error in tools.run(name, args)["error"]


def test_tool_specs_are_json_schemas() -> None:
    specs = tools.tool_specs()
    assert len(specs) == 20
    for spec in specs:
        assert spec.parameters["type"] == "object" and spec.parameters["additionalProperties"] is False
        assert set(spec.parameters["required"]) <= set(spec.parameters["properties"])
    assert tools.run("amdahl_max_speedup", {"fraction_affected": 1.0})["value"] == "inf"


# -- retries, prices ------------------------------------------------------------------------------------------


def test_retry_policy() -> None:
    policy = RetryPolicy(retries=3, base_delay=1.0, max_delay=3.0, max_retry_after=10.0)
    server = ServerError("x", status=500)
    assert [policy.delay(i, server) for i in range(4)] == [1.0, 2.0, 3.0, None]
    assert policy.delay(0, RateLimitedError("x", retry_after=4.0)) == 4.0
    assert policy.delay(0, RateLimitedError("x", retry_after=11.0)) is None
    assert policy.delay(0, UnauthorizedError("x")) is None


def test_prices() -> None:
    assert price_of("gpt-4o") == (2.5, 10.0)
    assert price_of("claude-3-5-haiku-20241022") == price_of("claude-3-5-haiku-latest") == (0.8, 4.0)
    assert price_of("gpt-4o-mini") == (0.15, 0.6)
    assert price_of("smollm2") is None and price_of("smollm2", {"smollm2": (0.0, 0.0)}) == (0.0, 0.0)
    assert cost_usd("gpt-4o", Usage(1_000_000, 100_000, 1)) == pytest.approx(3.5)
    assert cost_usd("local-model", Usage(10, 10, 1)) is None
    assert not math.isnan(cost_usd("gpt-4.1", Usage(0, 0, 0)) or 0.0)


# -- streaming ------------------------------------------------------------------------------------------------


def test_prose_stream_decodes_the_parts_only() -> None:
    raw = json.dumps({"mirror": 'He said "hi"\nthen \u00e9', "findings": [{"message": "skip me"}], "twist": "T"})
    stream = ProseStream()
    out = "".join(stream.feed(raw[i : i + 3]) for i in range(0, len(raw), 3))
    assert out == '\n\nThe Mirror\n\nHe said "hi"\nthen \u00e9\n\nThe Twist\n\nT'


def test_preview_is_transient() -> None:
    import io

    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    with preview(console) as on_text:
        for piece in ('{"mirror": "Let me', " make sure", '"}'):
            on_text(piece)
    assert "make sure" in buffer.getvalue()
