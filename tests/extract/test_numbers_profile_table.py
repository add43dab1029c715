"""A profile table's share column: each row's share of the step, with the row's label as its part."""

from tensora.extract.numbers import quantities_of
from tensora.extract.sentences import Sentence


def _rows(lines: list[str]) -> list[Sentence]:
    return [Sentence(t, 1, "Profile", "proposal", i, "table", 3) for i, t in enumerate(lines)]


def test_two_column_share_table() -> None:
    found = quantities_of(_rows(["phase | share of GPU time", "prefill (misses) | 30%", "decode | 65%"]))
    shares = [(q.text, q.value, q.qualifier) for q in found if q.role == "time_fraction"]
    assert shares == [("prefill", 0.30, "profile"), ("decode", 0.65, "profile")]


def test_share_beside_a_time_column() -> None:
    found = quantities_of(_rows(["component | time | share", "GEMMs | 1.2 s | 60%"]))
    assert [(q.text, q.value) for q in found if q.role == "time_fraction"] == [("GEMMs", 0.6)]


def test_other_share_columns_are_not_step_shares() -> None:
    found = quantities_of(_rows(["expert | share of tokens", "e0 | 30%"]))
    assert [q for q in found if q.role == "time_fraction"] == []


def test_times_with_a_total_row_give_each_part_its_share() -> None:
    found = quantities_of(
        _rows(
            [
                "| Component | Time per step (s) |",
                "|---|---|",
                "| Forward + backward | 10.2 |",
                "| Exposed communication | 0.5 |",
                "| Straggler wait | 2.4 |",
                "| **Total** | **13.1** |",
            ]
        )
    )
    shares = {q.text: round(q.value, 3) for q in found if q.role == "time_fraction"}
    assert shares == {"Forward + backward": 0.779, "Exposed communication": 0.038, "Straggler wait": 0.183}


def test_a_column_headed_by_its_unit_alone_is_a_time_column() -> None:
    for unit_header in ("ms", "time [ms]", "Time, ms"):
        found = quantities_of(
            _rows(
                [
                    f"| phase | {unit_header} |",
                    "|---|---|",
                    "| model compute (forward, backward, all-reduce) | 108.9 |",
                    "| input pipeline (waiting for the batch) | 23.5 |",
                    "| **total** | **132.4** |",
                ]
            )
        )
        shares = {q.text: round(q.value, 3) for q in found if q.role == "time_fraction"}
        assert shares == {"model compute": 0.823, "input pipeline": 0.177}, unit_header
    # a lone "s" heads a sequence length as often as seconds: not read as a time
    found = quantities_of(_rows(["| part | s |", "|---|---|", "| a | 1.0 |", "| b | 2.0 |", "| total | 3.0 |"]))
    assert [q for q in found if q.role == "time_fraction"] == []


def test_a_total_row_may_name_what_it_totals() -> None:
    found = quantities_of(
        _rows(
            [
                "| Component of one decode iteration | time (ms) | on critical path |",
                "|---|---|---|",
                "| GPU forward + sampling | 21.5 | yes |",
                "| Scheduling | 6.6 | yes |",
                "| **Iteration total** | **28.1** | |",
            ]
        )
    )
    shares = {q.text: round(q.value, 3) for q in found if q.role == "time_fraction"}
    assert shares == {"GPU forward + sampling": 0.765, "Scheduling": 0.235}


def test_times_without_a_total_give_no_shares() -> None:
    found = quantities_of(_rows(["| Kernel | Time (ms) |", "|---|---|", "| GEMM | 1.2 |", "| Softmax | 0.4 |"]))
    assert [q for q in found if q.role == "time_fraction"] == []


def test_a_speedup_followed_by_and_a_clause_is_read() -> None:
    text = "DeadlineSync raises training throughput by 1.38x and reaches the same validation loss."
    found = quantities_of([Sentence(text, 1, "Abstract", "proposal", 0)])
    assert [(q.role, q.value) for q in found if q.role == "speedup"] == [("speedup", 1.38)]
    pair = quantities_of([Sentence("We use 2x and 4x larger batches.", 1, "Setup", "proposal", 0)])
    assert [q for q in pair if q.role == "speedup"] == []


def test_a_capital_p_names_the_pipeline_degree() -> None:
    text = "We fix `P = 8` (6 layers per stage; the model states of a stage fit on one GPU)."
    found = quantities_of([Sentence(text, 1, "Design", "proposal", 0)])
    assert [(q.role, q.value) for q in found if q.role == "pp"] == [("pp", 8.0)]


def test_a_share_of_gpu_hours_is_a_share_of_time() -> None:
    text = "Summed over all jobs, lease changes consume 9.0% of allocated GPU-hours."
    found = quantities_of([Sentence(text, 1, "Motivation", "proposal", 0)])
    assert [(q.role, q.value) for q in found if q.role == "time_fraction"] == [("time_fraction", 0.09)]


def test_a_share_header_may_name_the_total_it_divides() -> None:
    found = quantities_of(_rows(["component | share of step (1.52 s)", "BF16 GEMMs (blocks 1, 25-28) | 15%"]))
    assert [(q.text, q.value) for q in found if q.role == "time_fraction"] == [("BF16 GEMMs", 0.15)]


def test_a_step_time_column_with_the_unit_in_each_cell() -> None:
    lines = ["data path | step time | waiting", "pre-tokenised | 3.20 s | 0.13 s", "ours | 410 ms | 2 ms"]
    found = quantities_of(_rows(lines))
    assert [round(q.value, 3) for q in found if q.role == "step_time"] == [3.2, 0.41]


def test_tokens_per_step_is_no_rate() -> None:
    found = quantities_of(_rows(["metric | GRPO | ours", "Rollout tokens per step | 6.06M | 4.18M"]))
    assert [q for q in found if q.role == "tokens_per_s"] == []
    rates = quantities_of(_rows(["metric | GRPO | ours", "Decode tokens/s | 6,060 | 7,180"]))
    assert [q.value for q in rates if q.role == "tokens_per_s"] == [6060.0, 7180.0]


def test_a_label_header_that_names_the_shares_over_an_empty_value_header() -> None:
    found = quantities_of(
        _rows(["Share of step time (baseline XLA) |", "Dot fusions (MXU) | 68%", "Other (host) | 1%"])
    )
    assert [(q.text, q.value) for q in found if q.role == "time_fraction"] == [("Dot fusions", 0.68), ("Other", 0.01)]
    plain = quantities_of(_rows(["Kernel |", "Dot fusions (MXU) | 68%"]))
    assert [q for q in plain if q.role == "time_fraction" and q.qualifier == "profile"] == []


def test_end_to_end_written_with_spaces_scopes_the_speedup() -> None:
    text = "It runs the linear layers 6.5x faster than the INT8 path and decodes 3.1x faster end to end."
    found = quantities_of([Sentence(text, 1, "Abstract", "proposal", 0, "text", 1)])
    assert [(q.value, q.qualifier) for q in found if q.role == "speedup"] == [(6.5, "local"), (3.1, "end-to-end")]
