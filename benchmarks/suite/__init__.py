"""The benchmark suite behind `python benchmarks/run.py --suite quick|full`.

config.py        the `quick` and `full` suite definitions (datasets, models, sizes, epochs)
classification.py  classifier families, the tiny transformer and the baselines on one dataset
sequence.py      BiLSTM-CRF taggers (NER) and character LSTM language models
runner.py        runs a suite step by step, times it, writes the results JSON
report.py        the generated Markdown section of BENCHMARKS.md
plots.py         accuracy vs size, latency vs size, quantization drop, sparsity curve
"""
