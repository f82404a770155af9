"""`regkit diagnose` / `python -m regkit diagnose`, run as a real subprocess."""
import json
import os
import subprocess
import sys

import pytest

import regkit as rk
from regkit.__main__ import main
from regkit.course.data import sample_log

KERAS = str(sample_log("keras_log.csv"))          # the sample logs the course ships
LIGHTNING = str(sample_log("lightning_metrics.csv"))


def run(*args):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "regkit", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_diagnose_prints_the_report():
    proc = run("diagnose", KERAS)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Diagnosis: OVERFITTING")
    # a Keras CSVLogger file gets Keras code, strengths in Keras' convention
    assert "Try, in this order (written for Keras):" in proc.stdout and proc.stderr == ""
    assert "restore_best_weights=True" in proc.stdout and "rk." not in proc.stdout
    assert "keras.regularizers.L2(5e-4)" in proc.stdout      # regkit's λ = 1e-3, halved


def test_framework_and_format_options():
    proc = run("diagnose", KERAS, "--framework", "regkit")
    assert proc.returncode == 0 and "Try, in this order:" in proc.stdout
    assert "rk.L2(1e-3)" in proc.stdout
    proc = run("diagnose", KERAS, "--framework", "pytorch", "--json")
    result = json.loads(proc.stdout)
    assert result["framework"] == "pytorch"
    assert any("weight_decay=1e-3" in s for s in result["suggestions"])
    bad = run("diagnose", KERAS, "--framework", "jax")
    assert bad.returncode == 2 and "invalid choice: 'jax'" in bad.stderr
    # --format insists: a CSV read as a Trainer state is refused in one line
    wrong = run("diagnose", KERAS, "--format", "trainer_state")
    assert wrong.returncode == 2 and len(wrong.stderr.strip().splitlines()) == 1
    assert "not valid JSON" in wrong.stderr


def test_json_output_parses_and_plot_writes_a_png(tmp_path):
    out = tmp_path / "diag.png"
    proc = run("diagnose", LIGHTNING, "--json", "--plot", str(out))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["verdict"] == "good fit" and len(result["series"]["epoch"]) == 30
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # an existing file is not overwritten without --force
    again = run("diagnose", LIGHTNING, "--plot", str(out))
    assert again.returncode == 2 and "--force" in again.stderr and again.stdout == ""
    forced = run("diagnose", LIGHTNING, "--plot", str(out), "--force")
    assert forced.returncode == 0 and "figure saved" in forced.stdout


@pytest.mark.parametrize("content, message", [
    (b"\x00\x01\x02binary", "binary"),
    (b"epoch,loss\n0,1.0\n", "need train and validation"),
])
def test_unusable_input_exits_2_with_the_message_on_stderr(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    proc = run("diagnose", str(path))
    assert proc.returncode == 2
    assert message in proc.stderr and "bad.csv" in proc.stderr
    assert proc.stdout == ""


def test_missing_file_and_usage_errors_exit_2(tmp_path):
    proc = run("diagnose", str(tmp_path / "nope.csv"))
    assert proc.returncode == 2 and "nope.csv" in proc.stderr
    assert run().returncode == 2                     # no command: argparse usage error
    assert run("diagnose").returncode == 2


def test_main_returns_the_exit_code(capsys, tmp_path):
    assert main(["diagnose", KERAS]) == 0
    assert "OVERFITTING" in capsys.readouterr().out
    bad = tmp_path / "empty.csv"
    bad.write_text("")
    assert main(["diagnose", str(bad)]) == 2
    assert "empty" in capsys.readouterr().err


def test_plot_goes_to_exactly_the_path_and_a_failed_save_keeps_the_old_file(tmp_path):
    bare = tmp_path / "figure"                        # no extension: a PNG at that name
    assert main(["diagnose", LIGHTNING, "--json", "--plot", str(bare)]) == 0
    assert bare.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.listdir(tmp_path) == ["figure"]
    odd = tmp_path / "figure.xyz"                     # a format matplotlib does not know
    odd.write_text("old")
    assert main(["diagnose", LIGHTNING, "--json", "--plot", str(odd), "--force"]) == 2
    assert odd.read_text() == "old" and sorted(os.listdir(tmp_path)) == ["figure", "figure.xyz"]


def test_a_directory_as_plot_is_refused_before_any_work(tmp_path, capsys):
    assert main(["diagnose", KERAS, "--plot", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "--plot" in err and "is a directory" in err


def test_render_help_prints_usage_and_writes_nothing(tmp_path, monkeypatch, capsys):
    # it used to take "--help" for the output folder and write every figure into it
    from regkit.course.render.__main__ import main
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    assert "OUT_DIR" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_version_is_one_number_everywhere():
    # regkit/__init__.py is the one source: pyproject reads it (dynamic version),
    # the command prints it, and CITATION.cff and the CHANGELOG must agree
    from importlib import metadata
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"regkit {rk.__version__}"
    assert metadata.version("regkit-course") == rk.__version__   # the distribution's name
    assert f'version: "{rk.__version__}"' in (root / "CITATION.cff").read_text()
    assert f"## {rk.__version__}" in (root / "CHANGELOG.md").read_text()


def test_a_closed_pipe_is_not_a_traceback():
    # `regkit diagnose LOG --json | head -1`: head exits after one line
    proc = subprocess.run(f'"{sys.executable}" -m regkit diagnose "{KERAS}" --json | head -1',
                          shell=True, capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "{" and "Traceback" not in proc.stderr, proc.stderr


def test_an_empty_plot_name_is_refused_not_ignored(capsys):
    assert main(["diagnose", KERAS, "--plot", ""]) == 2
    assert "--plot needs a file name" in capsys.readouterr().err
