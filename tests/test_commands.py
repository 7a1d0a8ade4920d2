"""Running command-line programs in parallel: every strategy returns what serial returns, bounded and timed out."""

import sys
import time

import pytest

from parallel_patterns import commands
from parallel_patterns.commands import CommandsFailed, check_results

STRATEGIES = list(commands.IMPLEMENTATIONS)


def py(code):
    return [sys.executable, "-c", code]


CASES = [
    py("print('hello')"),
    py("import sys; sys.exit(3)"),
    py("import sys; print('bad input', file=sys.stderr); sys.exit(1)"),
    py("print('x' * 200_000)"),  # more than a pipe holds
    ["no-such-program-anywhere"],
]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_returns_what_serial_returns(strategy):
    expected = commands.run_serial(CASES, timeout=30)
    assert [r.returncode for r in expected] == [0, 3, 1, 0, 127]
    assert expected[0].stdout == "hello\n" and len(expected[3].stdout) == 200_001
    assert commands.IMPLEMENTATIONS[strategy](CASES, max_running=2, timeout=30) == expected


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_command_that_runs_too_long_is_killed(strategy):
    started = time.perf_counter()
    [result] = commands.IMPLEMENTATIONS[strategy]([py("import time; time.sleep(30)")], timeout=0.5)
    assert result.returncode is None and "timed out" in result.describe()
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("strategy", ["popen", "threads"])
def test_at_most_max_running_at_once(strategy, tmp_path):
    # each command appends its start and end time; at most 2 intervals may overlap
    log = tmp_path / "log"
    code = (
        "import time; t0 = time.time(); time.sleep(0.3); "
        f"open({str(log)!r}, 'a').write(f'{{t0}} {{time.time()}}\\n')"
    )
    started = time.perf_counter()
    results = commands.IMPLEMENTATIONS[strategy]([py(code)] * 6, max_running=2, timeout=30)
    assert all(r.ok for r in results)
    intervals = [tuple(map(float, line.split())) for line in log.read_text().splitlines()]
    for start, _ in intervals:
        assert sum(a <= start < b for a, b in intervals) <= 2
    assert time.perf_counter() - started >= 3 * 0.3


def test_failures_are_reported_together():
    results = commands.run_popen(CASES, timeout=30)
    with pytest.raises(CommandsFailed, match=r"3 of 5 commands failed") as caught:
        check_results(results)
    assert "exit code 1: bad input" in str(caught.value) and "exit code 3" in str(caught.value)
    assert check_results(results[:1]) == results[:1]


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize(
    "args, kwargs, error",
    [(("echo hi",), {}, TypeError), (([""],), {}, TypeError), (([["echo"]],), {"timeout": 0}, ValueError),
     (([["echo"]],), {"max_running": 0}, ValueError)],
)
def test_bad_arguments(strategy, args, kwargs, error):
    with pytest.raises(error):
        commands.IMPLEMENTATIONS[strategy](*args, **kwargs)
