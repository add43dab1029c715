"""The review pipeline's process handling: a forked baseline reader never outlives its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

_SCRIPT = """
import os, sys, time
from pathlib import Path
from tensora import pipeline

def slow_reader(path, limits):
    print("worker", os.getpid(), flush=True)
    time.sleep(120)

pipeline._parallel = lambda proposal, baseline: True
pipeline._baseline_claims = slow_reader
pipeline._proposal_claims = lambda path, limits, kb: time.sleep(120)
print("parent", os.getpid(), flush=True)
pipeline.read_both(Path("p.md"), Path("b.md"), None, None)
"""


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_the_worker_dies_with_its_parent(sig: signal.Signals) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    seen: dict[str, int] = {}
    deadline = time.monotonic() + 60
    while len(seen) < 2 and time.monotonic() < deadline:
        line = proc.stdout.readline().decode().split()
        if len(line) == 2:
            seen[line[0]] = int(line[1])
    assert set(seen) == {"parent", "worker"}, seen
    os.kill(seen["parent"], sig)
    # the caller reads to end-of-file: it returns only once every holder of the pipe (the worker too) is gone
    proc.communicate(timeout=15)
    assert not _alive(seen["worker"])


def _alive(pid: int) -> bool:
    """True while the process runs; a zombie (dead, not yet reaped by its new parent) counts as gone."""
    for _ in range(20):
        try:
            with open(f"/proc/{pid}/status") as f:
                state = next((line.split()[1] for line in f if line.startswith("State:")), "")
        except FileNotFoundError:
            return False
        except OSError:
            break
        if state in ("Z", "X"):
            return False
        time.sleep(0.1)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_same_document_twice_is_refused(tmp_path: Path) -> None:
    import shutil

    import tensora
    from tensora.errors import InputError

    example = Path(__file__).resolve().parents[1] / "examples" / "sp-chunking" / "proposal.md"
    copy = tmp_path / "copy.md"
    shutil.copy(example, copy)
    with pytest.raises(InputError, match="same document as the baseline"):
        tensora.review(example, copy)


_PREFETCH_SCRIPT = """
import sys, threading
from pathlib import Path
from tensora import pipeline

sys.path.insert(0, sys.argv[1])

def loader():  # stands in for the embedder's loader: it is inside an import for a while
    import slow_module

def reader(path, limits):  # the forked baseline reader needs the same module
    import slow_module
    return "baseline"

pipeline._parallel = lambda proposal, baseline: True
pipeline._baseline_claims = reader
pipeline._proposal_claims = lambda path, limits, kb: ("proposal", None)
pipeline.embed.prefetch = lambda: threading.Thread(target=loader).start()
print(pipeline.read_both(Path("p.md"), Path("b.md"), None, None))
"""


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_the_reader_is_forked_before_the_embedder_starts_loading(tmp_path: Path) -> None:
    # a fork while another thread is inside an import would leave the worker waiting on that module's lock forever
    (tmp_path / "slow_module.py").write_text("import time\ntime.sleep(1.5)\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _PREFETCH_SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "baseline" in done.stdout
