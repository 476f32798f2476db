"""Prepares the inputs of benchmarks/minilm_teacher_gpu.py: WordPiece ids and float16 MiniLM weights.

Tokenizes with keras_slm's own WordPieceTokenizer (so the GPU run sees exactly the ids our
Keras models see) and writes, into --out (default .gpu, git-ignored):
fit/val = runs/sst2rv train/val (teacher training, leak-free validation sentences),
train/heldout = runs/sst2r train/heldout (the rows the students train on; the test sentences),
plus config.json and the published weights in float16 (45 MB instead of 90).

Usage (a few seconds after the splits exist):
    python benchmarks/sst2_split.py --min-words 1 --out runs/sst2r
    python benchmarks/sst2_split.py --min-words 1 --val 300 --out runs/sst2rv   # same held-out set
    python benchmarks/minilm_teacher_prep.py
"""

import argparse
import os
import shutil

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=".gpu")
    parser.add_argument("--split", default="runs/sst2r")
    parser.add_argument("--fit-split", default="runs/sst2rv")
    args = parser.parse_args()
    from safetensors.numpy import load_file, save_file

    from keras_slm.data import read_classification
    from keras_slm.data.labels import LabelVocabulary
    from keras_slm.models import minilm_dir
    from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer

    directory = minilm_dir()
    tokenizer = WordPieceTokenizer.from_vocab_file(os.path.join(directory, "vocab.txt"), lowercase=True)
    labels = LabelVocabulary.fit(read_classification(os.path.join(args.split, "train.tsv")).labels)
    os.makedirs(args.out, exist_ok=True)
    for name, path, seq_len in [("fit", os.path.join(args.fit_split, "train.tsv"), 64),
                                ("val", os.path.join(args.fit_split, "val.tsv"), 128),
                                ("train", os.path.join(args.split, "train.tsv"), 64),
                                ("heldout", os.path.join(args.split, "heldout.tsv"), 128)]:
        data = read_classification(path)
        ids = tokenizer.encode(list(data.texts), seq_len)["input_word_ids"]
        np.save(os.path.join(args.out, f"{name}_ids.npy"), ids.astype(np.int16))
        np.save(os.path.join(args.out, f"{name}_y.npy"), np.asarray(labels.encode(data.labels, data), dtype=np.int8))
        print(name, ids.shape)
    tensors = load_file(os.path.join(directory, "model.safetensors"))
    save_file({k: v.astype(np.float16) for k, v in tensors.items()}, os.path.join(args.out, "minilm_fp16.safetensors"))
    shutil.copy(os.path.join(directory, "config.json"), os.path.join(args.out, "config.json"))


if __name__ == "__main__":
    main()
