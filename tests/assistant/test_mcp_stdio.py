"""``tensora mcp`` as an MCP client sees it: a subprocess on stdio, driven by the SDK's own client."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

pytest.importorskip("mcp.server.mcpserver")

from mcp import Client  # noqa: E402
from mcp.client.stdio import StdioServerParameters  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sp-chunking"
SRC = Path(__file__).resolve().parents[2] / "src"


def _payload(result: Any) -> Any:
    if result.structured_content is not None:
        content = result.structured_content
        return content.get("result", content) if set(content) == {"result"} else content
    return json.loads(result.content[0].text)


def _text(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


async def _session(home: Path) -> None:
    env = {"TENSORA_HOME": str(home), "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    params = StdioServerParameters(command=sys.executable, args=["-m", "tensora.cli", "mcp"], env=env)
    async with Client(params, read_timeout_seconds=120) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        expected = {"review", "whiteboard_start", "whiteboard_answer", "list_rules", "explain_rule", "calc_bubble"}
        assert expected <= set(tools)
        assert {"calc_memory", "calc_mfu", "calc_roofline", "calc_collective", "calc_amdahl"} <= set(tools)
        schema = tools["whiteboard_answer"].input_schema
        assert schema["required"] == ["session_id", "answer"] and schema["properties"]["answer"]["description"]
        assert tools["calc_bubble"].input_schema["properties"]["stages"]["description"]

        review = _payload(
            await client.call_tool(
                "review", {"proposal": str(EXAMPLE / "proposal.pdf"), "baseline": str(EXAMPLE / "baseline.pdf")}
            )
        )
        codes = [f["code"] for f in review["findings"]]
        assert "FAULT-TOLERANCE" in codes and review["markdown"].count("##") >= 4

        start = _payload(
            await client.call_tool(
                "whiteboard_start", {"proposal": str(EXAMPLE / "proposal.md"), "baseline": str(EXAMPLE / "baseline.md")}
            )
        )
        assert {f["status"] for f in start["findings"]} == {"open"}
        answer = _payload(
            await client.call_tool(
                "whiteboard_answer",
                {
                    "session_id": start["session_id"],
                    "answer": "We checkpoint every 100 steps and restart failed ranks from the last checkpoint.",
                },
            )
        )
        assert answer["resolved"] == ["FAULT-TOLERANCE"]
        assert "Resolved: **FAULT-TOLERANCE**" in answer["skeptic"]
        listed = _payload(await client.call_tool("whiteboard_sessions", {}))
        assert listed[0]["session_id"] == start["session_id"] and listed[0]["turns"] == 3

        bubble = _payload(await client.call_tool("calc_bubble", {"stages": 8, "microbatches": 4}))
        assert bubble["quantities"]["pipeline_bubble_fraction"] == pytest.approx(7 / 11)
        memory = _payload(await client.call_tool("calc_memory", {"params": "7.5B", "dp": 64, "sharding": "zero1"}))
        assert memory["quantities"]["model_states_per_gpu_gib"] == pytest.approx(29.249, rel=1e-3)

        rules = _payload(await client.call_tool("list_rules", {}))
        assert any(r["code"] == "PIPE-BUBBLE" for r in rules)
        explained = _payload(await client.call_tool("explain_rule", {"code": "pipe-bubble"}))
        assert explained["code"] == "PIPE-BUBBLE" and explained["docs"]
        resources = (await client.list_resources()).resources
        assert any(str(r.uri) == "tensora://rules/PIPE-BUBBLE" for r in resources)
        doc = await client.read_resource("tensora://rules/PIPE-BUBBLE")
        assert doc.contents[0].text.startswith("# PIPE-BUBBLE")  # type: ignore[union-attr]

        # mistakes come back as tool errors, and the server keeps serving
        bad = await client.call_tool("calc_bubble", {"stages": 0, "microbatches": 4})
        assert bad.is_error and "stages" in _text(bad)
        missing = await client.call_tool(
            "review", {"proposal": "/nonexistent.pdf", "baseline": str(EXAMPLE / "baseline.md")}
        )
        assert missing.is_error and "/nonexistent.pdf: no such file" in _text(missing)
        wrong = await client.call_tool("whiteboard_answer", {"session_id": "nope", "answer": "x"})
        assert wrong.is_error and "no session 'nope'" in _text(wrong)
        invalid = await client.call_tool("calc_amdahl", {"speedup": 2})
        assert invalid.is_error
        unknown = await client.call_tool("explain_rule", {"code": "NOT-A-RULE"})
        assert unknown.is_error and "No rule with code" in _text(unknown)
        again = _payload(await client.call_tool("calc_amdahl", {"fraction": 0.5, "speedup": 2}))
        assert again["quantities"]["amdahl_max_speedup"] == pytest.approx(4 / 3)


def test_mcp_server_over_stdio(tmp_path: Path) -> None:
    anyio.run(_session, tmp_path)
