"""The machine stamp's tools: CPU quotas, measuring a claim again, gain or no second core."""

import re
import time

import pytest

from parallel_patterns.tools import stamp


@pytest.mark.parametrize(
    ("line", "cores"),
    [("150000 100000\n", 1.5), ("200000 100000", 2.0), ("max 100000\n", None), ("50000 100000", 0.5)],
)
def test_parse_cpu_max(line, cores):
    assert stamp.parse_cpu_max(line) == cores


@pytest.mark.parametrize("line", ["", "max", "150000", "abc 100000", "1 0", "1 2 3", "-5 100000"])
def test_parse_cpu_max_rejects_what_is_not_a_cpu_max_line(line):
    with pytest.raises(ValueError, match="cpu.max"):
        stamp.parse_cpu_max(line)


def test_parse_cpu_max_wants_text():
    with pytest.raises(TypeError, match="str"):
        stamp.parse_cpu_max(b"max 100000")


def test_cpu_quota_reads_cgroup_v2_at_the_root(tmp_path):
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert stamp.cpu_quota(tmp_path) == 1.5
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert stamp.cpu_quota(tmp_path) is None


def test_cpu_quota_reads_cgroup_v1(tmp_path):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("250000\n")
    assert stamp.cpu_quota(tmp_path) == 2.5
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")  # no limit
    assert stamp.cpu_quota(tmp_path) is None


def test_no_cgroups_means_no_quota(tmp_path):
    assert stamp.cpu_quota(tmp_path / "missing") is None


def test_the_stamp_names_a_quota_only_when_there_is_one():
    fields = dict(cpu="x", usable_cores=16, logical_cores=16, system="Linux", python="3.11", libraries={})
    assert "quota" not in stamp.MachineStamp(**fields).summary()
    assert "CPU quota 1.5 cores" in stamp.MachineStamp(**fields, cpu_quota=1.5).summary()
    assert stamp.machine_stamp().cpu_quota == stamp.cpu_quota()


def test_process_speedup_is_a_ratio_and_checks_its_arguments():
    ratio = stamp.process_speedup(2, steps=200_000)
    assert 0.3 < ratio < 2.5
    assert stamp.burn(10) == sum(i % 7 for i in range(10))
    with pytest.raises(ValueError, match="workers"):
        stamp.process_speedup(0)


def test_wait_for_free_cores_waits_until_the_probe_shows_them():
    readings, naps = iter([1.0, 1.1, 1.8, 1.9]), []
    speedup, waited = stamp.wait_for_free_cores(probe=lambda: next(readings), sleep=naps.append, pause=5)
    assert (speedup, waited, naps) == (1.8, 10, [5, 5])


def test_wait_for_free_cores_gives_up_after_its_patience():
    naps = []
    speedup, waited = stamp.wait_for_free_cores(probe=lambda: 1.0, sleep=naps.append, pause=5, patience=12)
    assert (speedup, waited) == (1.0, 15) and len(naps) == 3


def test_wait_for_free_cores_checks_its_arguments():
    with pytest.raises(ValueError, match="needed"):
        stamp.wait_for_free_cores(needed=0, probe=lambda: 2.0)
    with pytest.raises(ValueError, match="patience"):
        stamp.wait_for_free_cores(patience=-1, probe=lambda: 2.0)



def test_measure_until_keeps_a_first_result_that_holds():
    calls = []
    assert stamp.measure_until(lambda: calls.append(1), lambda r: r > 1, first=2, wait=calls.append) == 2
    assert calls == []


def test_measure_until_waits_and_measures_again_until_the_claim_holds():
    readings, waits = iter([1.0, 1.6]), []
    result = stamp.measure_until(lambda: next(readings), lambda r: r > 1.5, first=0.9, wait=lambda: waits.append(1))
    assert result == 1.6 and len(waits) == 2


def test_measure_until_says_in_the_log_which_claim_failed_on_what(capfd):
    def fast_enough(seconds):
        return seconds < 1.0

    stamp.measure_until(lambda: 0.5, fast_enough, first=1.25, wait=lambda: None)
    assert "measure_until: fast_enough failed on measurement 1; measuring again: 1.25" in capfd.readouterr().err


def test_measure_until_says_in_the_log_what_measuring_again_cost(capfd):
    def slow_measurement():
        time.sleep(0.2)
        return 0.5

    stamp.measure_until(slow_measurement, lambda s: s < 1.0, first=1.25, wait=lambda: (1.62, 0.0))
    log = capfd.readouterr().err
    found = re.search(r"waited ([\d.]+) s \(two processes then 1.62 times one\), measured again in ([\d.]+) s", log)
    assert found, log
    waited, measured = (float(number) for number in found.groups())
    assert waited < 0.1 and measured >= 0.2, log


def test_measure_until_logs_benchmark_rows_in_a_few_words(capfd):
    rows = [
        {"strategy": "serial", "workers": 1, "size": 6, "best_s": 0.62, "speedup": 1.0, "times_s": [0.62] * 50},
        {"strategy": "processes", "workers": 2, "size": 6, "best_s": 0.6, "speedup": 1.0333, "times_s": [0.6] * 50},
    ]
    stamp.measure_until(lambda: rows, lambda r: r is rows, first=list(rows), wait=lambda: None)
    assert "serial x1 size 6: 0.620 s, speedup 1.00; processes x2 size 6: 0.600 s, speedup 1.03" in capfd.readouterr().err


def test_measure_until_fails_with_every_measurement_when_the_claim_never_holds():
    with pytest.raises(AssertionError, match=r"all 3 measurements: \[0.9, 1.0, 1.1\]"):
        stamp.measure_until(iter([1.0, 1.1, 5.0]).__next__, lambda r: r > 1.5, first=0.9, wait=lambda: None)


def test_measure_until_with_combine_checks_the_claim_on_every_round_so_far():
    seen = []

    def holds(times):
        seen.append(times)
        return times["loop"] > 1.5 * times["pool"]

    more_rounds = iter([{"loop": 1.0, "pool": 0.9}, {"loop": 1.2, "pool": 0.6}]).__next__
    result = stamp.measure_until(more_rounds, holds, first={"loop": 1.1, "pool": 1.0},
                                 wait=lambda: None, combine=stamp.keep_best)
    assert seen == [{"loop": 1.1, "pool": 1.0}, {"loop": 1.0, "pool": 0.9}, {"loop": 1.0, "pool": 0.6}]
    assert result == {"loop": 1.0, "pool": 0.6}


def test_keep_best_wants_two_timings_of_the_same_names():
    assert stamp.keep_best({"a": 2.0, "b": 1.0}, {"a": 1.5, "b": 3.0}) == {"a": 1.5, "b": 1.0}
    with pytest.raises(ValueError, match="different things"):
        stamp.keep_best({"a": 1.0}, {"b": 1.0})
    with pytest.raises(TypeError):
        stamp.keep_best({"a": 1.0}, [1.0])


def test_measure_until_checks_its_arguments():
    with pytest.raises(TypeError):
        stamp.measure_until(None, lambda r: True, first=1)
    with pytest.raises(ValueError):
        stamp.measure_until(lambda: 1, lambda r: True, first=1, attempts=0)
    with pytest.raises(TypeError, match="combine"):
        stamp.measure_until(lambda: 1, lambda r: True, first=1, combine="best")


def test_gain_or_no_second_core_holds_on_a_gain_without_probing():
    probes = []
    claim = stamp.GainOrNoSecondCore(measure_machine=lambda: probes.append(1) or 1.9)
    assert claim(1.5) is True and claim.probe is None and probes == []


def test_gain_or_no_second_core_blames_the_machine_only_when_the_probe_shows_no_second_core():
    busy = stamp.GainOrNoSecondCore(measure_machine=lambda: 1.05)
    assert busy(1.02) is True and busy.probe == 1.05
    free = stamp.GainOrNoSecondCore(measure_machine=lambda: 1.9)
    assert free(1.02) is False and free.probe == 1.9
    # each call forgets the last probe: a later gain leaves none behind
    assert free(1.6) is True and free.probe is None


@pytest.mark.parametrize("arguments, error", [
    ({"gain": 0}, ValueError), ({"no_core": "1.4"}, ValueError), ({"gain": True}, ValueError),
    ({"measure_machine": 1.2}, TypeError),
])
def test_gain_or_no_second_core_checks_its_arguments(arguments, error):
    with pytest.raises(error):
        stamp.GainOrNoSecondCore(**arguments)


@pytest.mark.parametrize("speedup", [-1.0, 0, "1.2", None])
def test_gain_or_no_second_core_wants_a_positive_speedup(speedup):
    with pytest.raises(ValueError, match="speedup"):
        stamp.GainOrNoSecondCore(measure_machine=lambda: 1.0)(speedup)


def test_measure_until_with_combine_logs_the_new_round_alone(capfd):
    rounds = iter([{"serial": 0.9, "pool": 0.95}, {"serial": 0.85, "pool": 0.5}])

    def pool_gained(best):
        return best["serial"] / best["pool"] > 1.15

    best = stamp.measure_until(lambda: next(rounds), pool_gained, first={"serial": 0.8, "pool": 0.9},
                               combine=stamp.keep_best, wait=lambda: None)
    assert best == {"serial": 0.8, "pool": 0.5}
    log = capfd.readouterr().err
    # Merged, the slow second round leaves no trace ({'serial': 0.8, 'pool': 0.9} again); the cost line shows it.
    assert "measured again in 0.0 s: {'serial': 0.9, 'pool': 0.95}" in log, log
    assert "measured again in 0.0 s: {'serial': 0.85, 'pool': 0.5}" in log, log
