"""The setup check learners run, and the machine stamp pages show."""

import subprocess
import sys

from parallel_patterns.tools import check
from parallel_patterns.tools.stamp import machine_stamp, usable_cores


def test_check_passes_here_and_exits_zero():
    done = subprocess.run([sys.executable, "-m", "parallel_patterns.tools.check"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Ready for the lesson" in done.stdout
    for name in ("numpy", "numba", "dask", "jupyterlab", "jupytext", "JupyterLab command", "Graphviz dot", "usable cores"):
        assert name in done.stdout


def test_check_reports_a_missing_package_with_a_fix(monkeypatch, capsys):
    monkeypatch.setattr(check, "PACKAGES", check.PACKAGES + [("no_such_module_xyz", "no-such-package", True)])
    assert check.main() == 1
    out = capsys.readouterr().out
    assert "MISSING  no-such-package" in out
    assert "pip install -r requirements-learner.txt" in out
    assert "Not ready: fix no-such-package" in out


def test_check_reports_missing_graphviz_with_a_fix(monkeypatch, capsys):
    monkeypatch.setattr(check.shutil, "which", lambda program: None)
    results = {r.name: r for r in check.run_checks()}
    assert not results["Graphviz dot"].ok and results["Graphviz dot"].required
    assert "apt-get install graphviz" in results["Graphviz dot"].detail
    assert not results["C compiler"].required  # only one extension episode needs it
    assert check.main() == 1


def test_missing_jupyterlab_is_reported(monkeypatch, tmp_path):
    monkeypatch.setattr(check.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setattr(check.shutil, "which", lambda program: None)
    result = check.check_jupyter_lab()
    assert not result.ok and result.required
    assert "requirements-learner.txt" in result.detail


def test_fixes_are_given_per_platform():
    assert "apt-get install graphviz" in check.system_fix("graphviz", "linux")
    assert "brew install graphviz" in check.system_fix("graphviz", "darwin")
    assert "winget install graphviz" in check.system_fix("graphviz", "win32")
    assert "xcode-select" in check.system_fix("c", "darwin")
    assert "Visual Studio Build Tools" in check.system_fix("c++", "win32")


def test_old_python_is_reported(monkeypatch):
    monkeypatch.setattr(check.sys, "version_info", (3, 9, 1))
    result = check.check_python()
    assert not result.ok and "3.11 or newer" in result.detail


def test_machine_stamp():
    stamp = machine_stamp()
    assert stamp.usable_cores == usable_cores() >= 1
    assert stamp.logical_cores >= stamp.usable_cores
    text = str(stamp)
    assert text.startswith("Measured on:") and "Python" in text and "numpy" in text
    assert 'class="machine-stamp"' in stamp._repr_html_()


def test_lesson_scale(monkeypatch):
    import pytest

    from parallel_patterns.tools.scale import lesson_scale, scaled

    monkeypatch.delenv("LESSON_SCALE", raising=False)
    assert lesson_scale() == 1 and scaled(1000) == 1000
    monkeypatch.setenv("LESSON_SCALE", "2.5")
    assert scaled(1000) == 2500
    monkeypatch.setenv("LESSON_SCALE", "0.0001")
    assert scaled(10) == 1
    for bad in ("fast", "0", "-2"):
        monkeypatch.setenv("LESSON_SCALE", bad)
        with pytest.raises(ValueError, match="LESSON_SCALE"):
            lesson_scale()
    with pytest.raises(ValueError, match="size"):
        scaled(0)
