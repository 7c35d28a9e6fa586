"""Issue #10's fault table for `suite bench`: every bad input is one ``error:`` line on stderr and
exit 2 (argparse's own rejections exit 2 as well), never a traceback, and nothing is written.

Each row runs the real command line (``suite.cli.main``) on a tiny output size; a row's
``setup`` places the files it needs (a damaged checkpoint, an altered dataset) and returns the
extra flags that point at them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from PIL import Image
from support.tiny import make_env

from suite.bench import benchmark as benchmark_module
from suite.cli import main
from suite.models.archs import build_arch
from suite.models.zoo import get_spec

FAST = ["--size", "16x16", "--repeats", "1", "--warmup", "0", "--threads", "1", "--no-memory"]
FAST += ["--counters", "ntire"]

Setup = Callable[[Path, pytest.MonkeyPatch], list[str]]


def _checkpoint_file(model_id: str, tmp_path: Path, data: bytes) -> list[str]:
    """Put ``data`` where the zoo expects ``model_id``'s checkpoint in ``tmp_path/ck``."""
    ckpt = get_spec(model_id).checkpoint
    path = tmp_path / "ck" / ckpt.subdir / ckpt.filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return []


def garbage_verified(tmp_path: Path, _mp: pytest.MonkeyPatch) -> list[str]:
    """EIMN_A_x4 has a zoo sha256: any other bytes are refused before loading."""
    return _checkpoint_file("EIMN_A_x4", tmp_path, b"<html>not weights</html>")


def garbage_unverified(tmp_path: Path, _mp: pytest.MonkeyPatch) -> list[str]:
    """EDSR_baseline_x2 has none: the first copy is recorded, then torch cannot read it."""
    return _checkpoint_file("EDSR_baseline_x2", tmp_path, b"<html>not weights</html>")


def nan_weights(tmp_path: Path, _mp: pytest.MonkeyPatch) -> list[str]:
    spec = get_spec("EDSR_baseline_x2")
    state = build_arch(spec.arch, **spec.arch_kwargs).state_dict()
    next(iter(state.values())).view(-1)[0] = float("nan")
    path = tmp_path / "nan.pth"
    torch.save(state, path)
    return _checkpoint_file("EDSR_baseline_x2", tmp_path, path.read_bytes())


def out_of_memory(_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    def measure(job: object) -> None:
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(benchmark_module, "_measure", measure)
    return []


def _tiny_set5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake Set5 with its manifest (see support.tiny); returns the image folder."""
    return make_env(tmp_path, monkeypatch)[2]


def altered_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    folder = _tiny_set5(tmp_path, monkeypatch)
    Image.new("RGB", (40, 40), "white").save(folder / "im0.png")
    return ["--data-root", str(folder.parent)]


def missing_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return ["--data-root", str(_tiny_set5(tmp_path, monkeypatch).parent)]


def _failing_backend(gm: object, example_inputs: object) -> object:
    """A torch.compile backend that fails as inductor does on a machine without a compiler."""
    raise RuntimeError("InvalidCxxCompiler: No working C++ compiler found in cpp.cxx: ('g++',)")


def no_compiler(_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    def compile_network(net: torch.nn.Module, dynamic: bool | None = None) -> torch.nn.Module:
        net.compile(backend=_failing_backend, dynamic=dynamic)
        return net

    monkeypatch.setattr("suite.bench.latency.compile_network", compile_network)
    return []


def ray_installed(_tmp: Path, _mp: pytest.MonkeyPatch) -> list[str]:
    """Skip where Ray (an optional extra) is absent: the flag check comes after its import."""
    pytest.importorskip("ray")
    return []


def case(name: str, argv: list[str], fragment: str, setup: Setup | None = None, **kw: object):
    """One row: ``suite bench ARGV`` fails with ``fragment`` in its error line."""
    return pytest.param(argv, fragment, setup, id=name, **kw)


no_gpu = pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
M = "EIMN_A_x4"

CASES = [
    case("no-model", [], "give either a MODEL id or --all"),
    case("model-and-all", [M, "--all"], "give either a MODEL id or --all"),
    case("unknown-model", ["NOPE_x4"], "unknown model 'NOPE_x4'"),
    case("size-below-one-pixel", [M, "--size", "3x3"], "output 3×3 is smaller than one ×4 pixel"),
    case("size-zero", [M, "--size", "0x10"], "--size must be WIDTHxHEIGHT with both >= 1"),
    case("size-negative", [M, "--size=-4x8"], "--size must be WIDTHxHEIGHT with both >= 1"),
    case("size-malformed", [M, "--size", "big"], "size must be WIDTHxHEIGHT, e.g. 1280x720"),
    case("threads-negative", [M, "--threads", "-2"], "--threads must be >= 1 (got -2"),
    case("threads-zero", [M, "--threads", "0"], "--threads must be >= 1 (got 0"),
    case("threads-not-int", [M, "--threads", "two"], "argument --threads: invalid int value"),
    case("repeats-zero", [M, "--repeats", "0"], "--repeats must be >= 1 (got 0)"),
    case("warmup-negative", [M, "--warmup", "-1"], "--warmup must be >= 0 (got -1)"),
    case("precision-unknown", [M, "--precision", "fp8"], "argument --precision: invalid choice"),
    case("counters-unknown", [M, "--counters", "nope"], "counters are a comma list of"),
    case("dataset-path", [M, "--dataset", "../../x"], "unknown dataset '../../x'"),
    case("dataset-absolute", [M, "--dataset", "/etc/passwd"], "unknown dataset '/etc/passwd'"),
    case("dataset-unknown", [M, "--dataset", "Set6"], "unknown dataset 'Set6'"),
    case("dataset-no-latency", [M, "--dataset", "Set5", "--no-latency"], "or --no-latency"),
    case("dataset-altered", [M, "--dataset", "Set5"], "does not match", altered_dataset),
    case("dataset-missing", [M, "--dataset", "Set14"], "Set14 not found", missing_dataset),
    case("device-tpu", [M, "--device", "tpu"], "unsupported device 'tpu'"),
    case("device-mps", [M, "--device", "mps"], "unsupported device 'mps'"),
    case("device-malformed", [M, "--device", "cuda:x"], "unsupported device 'cuda:x'"),
    case("device-no-gpu", [M, "--device", "cuda"], "no CUDA GPU", marks=no_gpu),
    case("checkpoint-corrupt", [M], "has the wrong sha256", garbage_verified),
    case(
        "checkpoint-unverified-corrupt",
        ["EDSR_baseline_x2"],
        "corrupt or not a PyTorch checkpoint",
        garbage_unverified,
    ),
    case("checkpoint-nan", ["EDSR_baseline_x2"], "NaN or infinite values", nan_weights),
    case("out-of-memory", [M], "EIMN_A_x4 ran out of memory on cpu", out_of_memory),
    case("autocast-and-cast", [M, "--autocast", "fp16", "--precision", "bf16"],
         "--autocast fp16 runs fp32 weights under autocast: drop --precision bf16"),
    case("autocast-unknown", [M, "--autocast", "fp8"], "argument --autocast: invalid choice"),
    case("modes-unknown", [M, "--modes", "fp32,fast"], "modes are a comma list of fp32, tf32"),
    case("modes-and-a-mode-flag", [M, "--modes", "all", "--compile", "--tf32"],
         "--modes sets the latency mode of each run: drop --tf32, --compile"),
    case("latency-profile-unknown", [M, "--latency-profile", "mlperf"],
         "argument --latency-profile: invalid choice"),
    case("latency-profile-and-its-settings", [M, "--latency-profile", "ntire_esr",
         "--warmup", "5", "--dataset", "Set5"],
         "--latency-profile ntire_esr fixes --warmup, --dataset (as the challenge ran it)"),
    case("latency-profile-without-its-set", [M, "--latency-profile", "ntire_esr"],
         "DIV2K_val not found", missing_dataset),
    case("address-without-ray", [M, "--address", "auto"],
         "--address names a Ray cluster: give --executor ray too"),
    case("accelerator-type-without-ray", [M, "--accelerator-type", "H100"],
         "--accelerator-type H100 applies to --executor ray"),
    case("accelerator-type-on-cpu", [M, "--executor", "ray", "--accelerator-type", "H100"],
         "--accelerator-type H100 picks a GPU kind, but the device is cpu", ray_installed),
    case("executor-unknown", [M, "--executor", "slurm"], "argument --executor: invalid choice"),
    case("compile-no-compiler", ["EDSR_baseline_x2", "--compile"],
         "EDSR_baseline_x2: torch.compile could not compile it on cpu (InvalidCxxCompiler",
         no_compiler, marks=[pytest.mark.slow,
                             pytest.mark.filterwarnings("ignore:Dynamo does not know")]),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "fragment", "setup"), CASES)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str],
    fragment: str,
    setup: Setup | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for var in ("SUITE_CHECKPOINT_DIR", "SUITE_CACHE_DIR", "SUITE_RESULTS_DIR", "SUITE_DATA_ROOT"):
        monkeypatch.delenv(var, raising=False)
    extra = setup(tmp_path, monkeypatch) if setup else []
    results = tmp_path / "results"
    where = ["--checkpoint-dir", str(tmp_path / "ck"), "--cache-dir", str(tmp_path / "cache")]
    try:
        code = main(["bench", *FAST, *argv, *where, "--results-dir", str(results), *extra])
    except SystemExit as exc:  # argparse rejects malformed flags itself, also with exit 2
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and fragment in errors[0], err
    assert not results.exists() or not any(results.rglob("*"))
