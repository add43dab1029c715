"""`tensora calc`: every published number the models reproduce, as a command, plus the error contract."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tensora.calc import calc_app

runner = CliRunner()


def run(*args: str) -> Any:
    result = runner.invoke(calc_app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def fails(*args: str) -> str:
    result = runner.invoke(calc_app, list(args))
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    err = result.stderr.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in result.output
    return err


def test_zero_paper_figure1() -> None:
    # Rajbhandari et al., ZeRO (SC'20), Figure 1: 7.5B params, N_d = 64, K = 12 -> 120 / 31.4 / 16.6 / 1.9 GB
    out = run("memory", "--params", "7.5B", "--dp", "64", "--sharding", "zero1", "--all-stages")
    stages = out["model_states_gb_by_stage"]
    assert [round(stages[k], 1) for k in ("none", "zero1", "zero2", "zero3")] == [120.0, 31.4, 16.6, 1.9]
    assert out["quantities"]["model_states_per_gpu_gib"] == pytest.approx(31.40625e9 / 2**30)


def test_korthikanti_table2() -> None:
    # Korthikanti et al. (arXiv 2205.05198) Table 2 for s=2048, b=1, h=12288, a=96, t=8
    out = run("activations", "--seq", "2048", "--hidden", "12288", "--heads", "96", "--tp", "8", "--table")
    rows = out["table2_bytes_per_layer"]
    sbh, t, a, s, h = 2048 * 12288, 8, 96, 2048, 12288
    assert rows["no parallelism"] == pytest.approx(sbh * (34 + 5 * a * s / h))
    assert rows["tensor parallel"] == pytest.approx(sbh * (10 + 24 / t + 5 * a * s / (h * t)))
    assert rows["tensor + sequence parallel"] == pytest.approx(sbh / t * (34 + 5 * a * s / h))
    assert rows["TP + selective recomputation"] == pytest.approx(sbh * (10 + 24 / t))
    assert rows["TP + SP + selective recomputation"] == pytest.approx(34 * sbh / t)
    assert rows["full recomputation"] == pytest.approx(2 * sbh)


def test_narayanan_1t_model() -> None:
    # Narayanan et al. (SC'21) Table 1: 1008.0B params, 128 layers, h=25600, 3072 GPUs, batch 3072,
    # 163 TFLOP/s per GPU = 52% of the A100's peak; Sec. 5.1: 84 days for 450B tokens
    out = run(
        "flops",
        "--batch",
        "3072",
        "--seq",
        "2048",
        "--layers",
        "128",
        "--hidden",
        "25600",
        "--vocab",
        "51200",
        "--gpus",
        "3072",
        "--tflops-per-gpu",
        "163",
        "--gpu",
        "a100",
        "--tokens",
        "450e9",
    )
    q = out["quantities"]
    assert q["flops_per_iteration"] == pytest.approx(5.1390e19, rel=1e-4)
    assert round(q["params"] / 1e9, 1) == 1008.0
    assert round(out["fraction_of_peak"] * 100) == 52
    assert out["implied_iteration_time_s"] == pytest.approx(102.6, abs=0.1)
    assert round(q["time_to_train_s"] / 86400) == 84


def test_palm_mfu() -> None:
    # PaLM (Chowdhery et al. 2022) Table 3 / Appendix B: 46.2% MFU for 540B at 238.3K tokens/s on 6144 TPU v4
    out = run(
        "mfu",
        "--params",
        "540.35B",
        "--layers",
        "118",
        "--heads",
        "48",
        "--head-dim",
        "256",
        "--seq",
        "2048",
        "--tokens-per-s",
        "238.3e3",
        "--devices",
        "6144",
        "--gpu",
        "tpu-v4",
    )
    assert round(out["quantities"]["mfu"] * 100, 1) == 46.2


def test_mfu_and_hfu() -> None:
    out = run(
        "mfu",
        "--params",
        "7B",
        "--tokens-per-s",
        "3000",
        "--devices",
        "8",
        "--peak-tflops",
        "989.5",
        "--recompute",
        "full",
        "--tokens",
        "1T",
    )
    q = out["quantities"]
    assert q["hfu"] == pytest.approx(q["mfu"] * 4 / 3)
    assert q["time_to_train_s"] > 0


def test_ring_all_reduce() -> None:
    # nccl-tests PERFORMANCE.md: t = 2(n-1)/n * S/B; S = 1 GB, n = 8, B = 450 GB/s one-way (H100 NVLink)
    out = run("collective", "--op", "all-reduce", "--size", "1GB", "--ranks", "8", "--bandwidth-gbs", "450")
    assert out["quantities"]["comm_time_s"] == pytest.approx(2 * 7 / 8 * 1e9 / 450e9)
    by_gpu = run("collective", "--size", "1GB", "--ranks", "8", "--gpu", "h100")
    assert by_gpu["quantities"]["comm_time_s"] == pytest.approx(out["quantities"]["comm_time_s"])


def test_collective_variants() -> None:
    h = run(
        "collective",
        "--size",
        "1GiB",
        "--algo",
        "hierarchical",
        "--nodes",
        "4",
        "--gpus-per-node",
        "8",
        "--gpu",
        "h100",
        "--nic",
        "ndr",
    )
    assert h["quantities"]["comm_time_s"] == pytest.approx(2 * 7 / 8 * 2**30 / 450e9 + 2 * 3 / 4 * 2**27 / 50e9)
    z3 = run("collective", "--params", "7.5B", "--ranks", "8", "--bandwidth-gbs", "450", "--zero3")
    dp = run("collective", "--params", "7.5B", "--ranks", "8", "--bandwidth-gbs", "450")
    assert z3["quantities"]["comm_time_s"] / dp["quantities"]["comm_time_s"] == pytest.approx(1.5)
    bus = run("collective", "--size", "1GB", "--ranks", "8", "--bandwidth-gbs", "450", "--time-ms", "5")
    assert bus["quantities"]["busbw_bytes_per_s"] == pytest.approx(1e9 / 5e-3 * 2 * 7 / 8)


def test_bubble_relative_to_ideal() -> None:
    # Narayanan et al. Sec. 2.2.1: bubble = (p - 1)/m relative to ideal; (p-1)/(m+p-1) of the step
    out = run("bubble", "--stages", "8", "--microbatches", "32")
    assert out["quantities"]["pipeline_bubble_relative_to_ideal"] == pytest.approx(7 / 32)
    assert out["quantities"]["pipeline_bubble_fraction"] == pytest.approx(7 / 39)
    inter = run("bubble", "--stages", "8", "--microbatches", "32", "--virtual", "4")
    assert inter["quantities"]["pipeline_bubble_relative_to_ideal"] == pytest.approx(7 / 128)


def test_bubble_from_global_batch() -> None:
    out = run(
        "bubble",
        "--stages",
        "4",
        "--global-batch",
        "512",
        "--micro-batch-size",
        "2",
        "--dp",
        "8",
        "--layers",
        "32",
        "--tp",
        "8",
        "--heads",
        "32",
        "--gpus",
        "256",
    )
    assert out["quantities"]["pipeline_bubble_fraction"] == pytest.approx(3 / 35)


def test_amdahl() -> None:
    assert run("amdahl", "--fraction", "0.3")["quantities"]["amdahl_max_speedup"] == pytest.approx(1 / 0.7)
    assert run("amdahl", "--fraction", "0.3", "--speedup", "4")["quantities"]["amdahl_max_speedup"] == pytest.approx(
        1 / 0.775
    )
    assert run("amdahl", "--fraction", "1")["quantities"]["amdahl_max_speedup"] == "inf"


def test_roofline() -> None:
    out = run(
        "roofline",
        "--gpu",
        "h100",
        "--op",
        "layernorm",
        "--elements",
        "67108864",
        "--time-us",
        "120",
        "--claimed-speedup",
        "2",
    )
    q = out["quantities"]
    assert q["arithmetic_intensity"] == pytest.approx(2.0)
    assert q["ridge_point"] == pytest.approx(989.5e12 / 3.35e12)
    assert q["roofline_max_speedup"] == pytest.approx(120e-6 / (2 * 67108864 * 2 / 3.35e12))
    gemm = run("roofline", "--gpu", "h100", "--gemm", "8192,8192,8192")
    assert gemm["quantities"]["arithmetic_intensity"] == pytest.approx(8192 / 3)
    att = run("roofline", "--gpu", "a100", "--attention", "4096,128", "--io-aware")
    assert att["quantities"]["arithmetic_intensity"] == pytest.approx(2048)
    custom = run("roofline", "--peak-tflops", "100", "--bandwidth-gbs", "1000", "--flops", "1e12", "--bytes", "1GB")
    assert custom["quantities"]["roofline_time_s"] == pytest.approx(0.01)


def test_memory_fit_and_activations() -> None:
    out = run(
        "memory",
        "--params",
        "7B",
        "--dp",
        "8",
        "--sharding",
        "zero3",
        "--gpu",
        "h100",
        "--layers",
        "32",
        "--hidden",
        "4096",
        "--heads",
        "32",
        "--seq",
        "4096",
        "--recompute",
        "selective",
    )
    q = out["quantities"]
    assert q["memory_per_gpu_gib"] == pytest.approx(q["model_states_per_gpu_gib"] + q["activation_memory_per_gpu_gib"])
    total = next(r for r in out["results"] if r["name"] == "memory_per_gpu_gib")
    assert total["details"]["fits"] == 1.0


def test_kvcache() -> None:
    out = run("kvcache", "--layers", "80", "--kv-heads", "8", "--head-dim", "128", "--seq", "4096", "--gpu", "h100")
    assert out["quantities"]["kv_cache_gib"] == pytest.approx(1.25)


def test_text_output_names_formula_inputs_and_conventions() -> None:
    result = runner.invoke(
        calc_app,
        [
            "mfu",
            "--params",
            "540.35B",
            "--layers",
            "118",
            "--heads",
            "48",
            "--head-dim",
            "256",
            "--seq",
            "2048",
            "--tokens-per-s",
            "238.3e3",
            "--devices",
            "6144",
            "--gpu",
            "tpu-v4",
        ],
    )
    assert result.exit_code == 0
    out = result.stdout
    assert "46.2%" in out
    assert "6*N + 12*L*H*Q*T" in out
    assert "inputs:" in out and "dense" in out and "HFU" in out
    coll = runner.invoke(calc_app, ["collective", "--size", "1GB", "--ranks", "8", "--gpu", "h100"]).stdout
    assert "bidirectional" in coll and "one-way" in coll
    mem = runner.invoke(calc_app, ["memory", "--params", "7.5B", "--dp", "64", "--sharding", "zero1"]).stdout
    assert "GiB" in mem and "GB" in mem and "16 bytes/param" in mem


def test_hardware_listing() -> None:
    text = runner.invoke(calc_app, ["hardware"]).stdout
    assert "h100-sxm5-80gb" in text and "tpu-v4" in text and "a100 -> a100-sxm4-80gb" in text
    one = run("hardware", "H100")
    assert one["peak_tflops_dense"]["bf16"] == 989.5 and one["peak_tflops_sparse"]["bf16"] == 1979
    assert one["link"]["one_way_GBps"] == 450
    nics = run("hardware", "--nics")
    assert any(n["id"] == "ib-ndr-400" and n["one_way_GBps"] == 50 for n in nics)
    assert run("hardware", "ndr")["line_rate_gbps"] == 400
    assert "datasheet" in runner.invoke(calc_app, ["hardware", "a100"]).stdout


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plots(tmp_path: Path, suffix: str) -> None:
    roof = tmp_path / f"roof{suffix}"
    out = run("roofline", "--gpu", "h100", "--attention", "4096,128", "--time-us", "20000", "--plot", str(roof))
    assert out["plot"] == str(roof)
    mem = tmp_path / f"mem{suffix}"
    run("memory", "--params", "7B", "--dp", "8", "--sharding", "zero2", "--gpu", "h100", "--plot", str(mem))
    for path in (roof, mem):
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["memory", "--params", "0"], "positive"),
        (["memory", "--params", "seven"], "cannot read"),
        (
            ["memory", "--params", "7B", "--dp", "64", "--sharding", "fsdp-hybrid", "--shard-group", "6"],
            "does not divide",
        ),
        (
            ["memory", "--params", "1T", "--dp", "8", "--sharding", "zero3", "--gpu", "h100"],
            "even fully sharded",
        ),
        (["memory", "--params", "7B", "--layers", "32"], "need all of"),
        (["memory", "--params", "7B", "--plot", "out.pdf"], ".png or .svg"),
        (["activations", "--seq", "2048", "--hidden", "4096", "--heads", "32", "--sp"], "tensor parallelism"),
        (
            [
                "bubble",
                "--stages",
                "8",
                "--global-batch",
                "512",
                "--micro-batch-size",
                "2",
                "--dp",
                "8",
                "--layers",
                "30",
            ],
            "layers (30) do not divide",
        ),
        (
            ["bubble", "--stages", "8", "--global-batch", "500", "--micro-batch-size", "3"],
            "global batch (500)",
        ),
        (["bubble", "--stages", "4", "--microbatches", "6", "--virtual", "2"], "multiple of stages"),
        (["bubble", "--stages", "0", "--microbatches", "4"], "at least 1"),
        (["amdahl", "--fraction", "1.5"], "between 0 and 1"),
        (
            ["mfu", "--params", "7B", "--tokens-per-s", "1e4", "--devices", "8", "--gpu", "h1000"],
            "Unknown device",
        ),
        (
            [
                "mfu",
                "--params",
                "7B",
                "--tokens-per-s",
                "1e4",
                "--devices",
                "8",
                "--gpu",
                "a100",
                "--dtype",
                "fp8",
            ],
            "no fp8 peak",
        ),
        (["roofline", "--gpu", "h100", "--gemm", "0,8,8"], "at least 1"),
        (["roofline", "--gpu", "h100", "--gemm", "8,8"], "M,N,K"),
        (["roofline", "--gpu", "h100", "--gemm", "8192,8192,8192", "--time-us", "1"], "below the roofline"),
        (["collective", "--size", "1GB", "--ranks", "8"], "--bandwidth-gbs"),
        (["collective", "--size", "-1GB", "--ranks", "8", "--bandwidth-gbs", "10"], "positive"),
        (["collective", "--size", "1GB", "--ranks", "8", "--gpu", "tpu-v4"], "no intra-node link"),
        (["hardware", "quantum-9000"], "Unknown device"),
    ],
)
def test_impossible_inputs_exit_2_with_one_line(args: list[str], message: str) -> None:
    assert message in fails(*args)


def test_usage_errors_also_exit_2() -> None:
    assert runner.invoke(calc_app, ["memory"]).exit_code == 2  # missing --params


def test_cli_starts_without_matplotlib() -> None:
    code = "import sys, tensora.calc; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# ------------------------------------------------------------------ accounting presets, offload, shapes


def test_deepspeed_zero3_table_t5_3b() -> None:
    # DeepSpeed docs/code-docs/source/memory.rst: estimate_zero3_model_states_mem_needs_all_cold(2851e6, 32e6,
    # num_gpus_per_node=8) prints 71.69/0.12, 127.45/0.12, 63.72/0.78, 127.45/0.78, 1.43/6.09, 127.45/6.09
    out = run(
        "memory",
        "--params",
        "2851e6",
        "--dp",
        "8",
        "--sharding",
        "zero3",
        "--largest-layer",
        "32e6",
        "--accounting",
        "deepspeed",
        "--offload-optimizer",
        "cpu",
        "--offload-params",
        "cpu",
        "--all-stages",
    )
    assert out["accounting"] == "deepspeed"
    table = [(round(r["host_gib_per_node"], 2), round(r["gpu_gib"], 2)) for r in out["deepspeed_table"]]
    assert table == [(71.69, 0.12), (127.45, 0.12), (63.72, 0.78), (127.45, 0.78), (1.43, 6.09), (127.45, 6.09)]
    assert round(out["quantities"]["model_states_per_gpu_gib"], 2) == 0.12


def test_deepspeed_zero2_t5_3b() -> None:
    out = run(
        "memory",
        "--params",
        "2851e6",
        "--dp",
        "8",
        "--sharding",
        "zero2",
        "--accounting",
        "deepspeed",
        "--offload-optimizer",
        "cpu",
    )
    assert round(out["quantities"]["model_states_per_gpu_gib"], 2) == 5.31
    assert "deepspeed" in " ".join(out["conventions"])


def test_deepspeed_zero3_takes_the_largest_layer_from_the_shape() -> None:
    shape = "layers=32,hidden=4096,vocab=32000,heads=32,ffn=11008,gated,untied"
    out = run("memory", "--shape", shape, "--dp", "8", "--sharding", "zero3", "--accounting", "deepspeed")
    n, big = 6_738_415_616, 32000 * 4096
    assert out["quantities"]["params"] == n
    assert out["results"][1]["details"]["gpu_bytes"] == int(4 * big + int(18 * n / 8))


def test_deepspeed_accounting_refuses_what_it_cannot_express() -> None:
    assert "zero2 and zero3" in fails("memory", "--params", "7B", "--sharding", "zero1", "--accounting", "deepspeed")
    err = fails("memory", "--params", "7B", "--dp", "8", "--sharding", "zero3", "--accounting", "deepspeed")
    assert "largest-layer" in err


def test_zero_offload_13b_fits_a_v100() -> None:
    # Ren et al., ZeRO-Offload (ATC'21): a 13B model trains on one 32 GB V100
    out = run("memory", "--params", "13B", "--sharding", "zero2", "--offload-optimizer", "cpu")
    assert out["quantities"]["model_states_per_gpu_gib"] * 2**30 == pytest.approx(26e9)  # < a V100's 32 GB
    assert out["results"][0]["details"]["host_gb_per_gpu"] == pytest.approx(182)
    assert "zero-paper" in " ".join(out["conventions"])


def test_params_from_shape_llama2_70b() -> None:
    out = run("params", "--shape", "layers=80,hidden=8192,vocab=32000,heads=64,kv-heads=8,ffn=28672,gated,untied")
    assert out["quantities"]["params"] == 68_976_648_192


def test_shape_feeds_the_gradient_all_reduce() -> None:
    shape = "layers=32,hidden=4096,vocab=32000,heads=32,ffn=11008,gated,untied"
    by_shape = run("collective", "--shape", shape, "--ranks", "8", "--bandwidth-gbs", "100")
    by_count = run("collective", "--params", "6738415616", "--ranks", "8", "--bandwidth-gbs", "100")
    assert by_shape["quantities"]["comm_time_s"] == pytest.approx(by_count["quantities"]["comm_time_s"])


def test_zero_paper_activation_rule_gpt2() -> None:
    # ZeRO Sec. 3.2: GPT-2 1.5B, sequence 1K, batch 32 -> about 60 GB of activations
    out = run(
        "activations",
        "--seq",
        "1024",
        "--hidden",
        "1600",
        "--heads",
        "25",
        "--micro-batch",
        "32",
        "--layers",
        "48",
        "--accounting",
        "zero-paper",
    )
    assert round(out["quantities"]["activation_bytes"] / 1e9) == 60
    assert out["accounting"] == "zero-paper"


@pytest.mark.parametrize(
    ("batch", "layers", "hidden", "gpus", "seconds", "mfu", "hfu"),
    # Korthikanti et al. (arXiv 2205.05198), MFU/HFU table with their selective-recomputation iteration
    # times: 175B 51.4/52.8, 530B 56.0/57.0, 1T 56.3/57.0
    [
        ("64", "96", "12288", "64", "13.75", 51.4, 52.8),
        ("280", "105", "20480", "280", "37.83", 56.0, 57.0),
        ("512", "128", "25600", "512", "71.49", 56.3, 57.0),
    ],
)
def test_korthikanti_mfu_and_hfu(
    batch: str, layers: str, hidden: str, gpus: str, seconds: str, mfu: float, hfu: float
) -> None:
    out = run(
        "flops",
        "--batch",
        batch,
        "--seq",
        "2048",
        "--layers",
        layers,
        "--hidden",
        hidden,
        "--vocab",
        "51200",
        "--gpus",
        gpus,
        "--iteration-time",
        seconds,
        "--gpu",
        "a100",
        "--recompute",
        "selective",
    )
    assert round(out["quantities"]["mfu"] * 100, 1) == mfu
    assert round(out["quantities"]["hfu"] * 100, 1) == hfu
    ratio = out["step_time_ratio_vs_none"]
    assert 1 < ratio["selective"] < ratio["full"]


def test_mfu_from_stated_tflops() -> None:
    out = run("mfu", "--achieved-tflops-per-gpu", "163", "--gpu", "a100", "--counts", "hardware")
    assert round(out["quantities"]["hfu"] * 100) == 52
    out = run("mfu", "--achieved-tflops-per-gpu", "150", "--peak-tflops", "312")
    assert out["quantities"]["mfu"] == pytest.approx(150 / 312)


def test_ridge_only() -> None:
    out = run("roofline", "--gpu", "h100", "--ridge-only")
    assert list(out["quantities"]) == ["ridge_point"]
    assert out["quantities"]["ridge_point"] == pytest.approx(989.5 / 3.35, rel=1e-3)


def test_scaling_fit_and_megatron_efficiency() -> None:
    out = run(
        "scaling",
        "--point",
        "8:10",
        "--point",
        "16:5.5",
        "--point",
        "32:3.25",
        "--at",
        "64",
        "--throughput",
        "1:39e12",
        "--throughput",
        "512:15.1e15",
    )
    assert out["quantities"]["t_serial_s"] == pytest.approx(1.0)
    assert out["extrapolated"]["64"]["step_time_s"] == pytest.approx(2.125)
    assert round(out["efficiency"]["512"] * 100) == 76


def test_new_options_are_in_help() -> None:
    for command, options in (
        ("memory", ("--accounting", "--offload-optimizer", "--offload-params", "--largest-layer", "--shape")),
        ("activations", ("--accounting",)),
        ("mfu", ("--achieved-tflops-per-gpu", "--counts", "--shape")),
        ("flops", ("--recompute", "--shape")),
        ("roofline", ("--ridge-only",)),
        ("scaling", ("--point", "--throughput", "--at")),
        ("collective", ("--shape",)),
    ):
        result = runner.invoke(calc_app, [command, "--help"], terminal_width=200)
        assert result.exit_code == 0
        for option in options:
            assert option in result.output, (command, option)


def _doc_commands() -> list[list[str]]:
    import shlex

    text = (Path(__file__).parents[1] / "docs" / "calc.md").read_text().replace("\\\n", " ")
    prefix = "$ tensora calc "
    return [shlex.split(line[len(prefix) :]) for line in text.splitlines() if line.startswith(prefix)]


@pytest.mark.parametrize("args", _doc_commands(), ids=lambda a: " ".join(a)[:60])
def test_every_documented_command_runs(args: list[str]) -> None:
    run(*args)


def test_a_plot_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        calc_app,
        ["roofline", "--gpu", "H100", "--flops", "1e12", "--bytes", "1e9", "--plot", str(tmp_path / "no" / "x.png")],
    )
    assert result.exit_code == 2
    assert "does not exist" in result.output and "Traceback" not in result.output
