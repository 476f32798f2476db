"""Fine-tunes all-MiniLM-L6-v2 on SST-2 on a GPU with PyTorch: the teacher for distillation.

Our Keras fine-tuning (`keras-slm train --model minilm`) takes 40-60 minutes per epoch budget
on 2 CPU cores; this script runs the same recipe on a GPU in a few minutes: same architecture
(BERT encoder -> mean pooling over real tokens -> dropout 0.1 -> Dense softmax), same WordPiece
ids (tokenized beforehand by keras_slm's WordPieceTokenizer, so the ids are exactly ours), AdamW
with linear warm-up/decay. The weights it writes load into our Keras classifier with
`keras_slm.models.load_bert_weights` (see benchmarks/minilm_import_finetuned.py), where they
are evaluated and exported to TFLite on CPU.

Inputs (--data, written by benchmarks/minilm_teacher_prep.py): fit/val/train/heldout `*_ids.npy`
(int16 WordPiece ids) and `*_y.npy` (label ids), config.json and minilm_fp16.safetensors
(the published weights in float16, to travel light).

Outputs (--out): results.json (settings, per-epoch validation and held-out accuracy, wall
times), teacher_train_scores.npy / teacher_heldout_scores.npy (softmax scores of the selected
checkpoint) and finetuned_{0,1,2,3}.safetensors (float16 weights in four files, the word embeddings'
rows split across the first two).

The epoch and learning rate are chosen on leak-free validation sentences (--data's val), never
on the held-out sentences, whose accuracy is recorded for every epoch only for the report.
"""

import argparse
import json
import math
import os
import sys
import time

# benchmarks/transformers.py (ours) would shadow Hugging Face's package of that name.
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import BertConfig, BertModel  # noqa: E402


class Classifier(torch.nn.Module):
    def __init__(self, config, num_classes=2):
        super().__init__()
        self.bert = BertModel(config, add_pooling_layer=False)
        self.dropout = torch.nn.Dropout(0.1)
        self.head = torch.nn.Linear(config.hidden_size, num_classes)
        torch.nn.init.trunc_normal_(self.head.weight, std=0.02)
        torch.nn.init.zeros_(self.head.bias)

    def forward(self, ids):
        mask = (ids != 0).long()
        hidden = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state
        m = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
        return self.head(self.dropout(pooled))


def load(data, name, device):
    ids = torch.from_numpy(np.load(os.path.join(data, f"{name}_ids.npy")).astype(np.int64)).to(device)
    y = torch.from_numpy(np.load(os.path.join(data, f"{name}_y.npy")).astype(np.int64)).to(device)
    return ids, y


@torch.no_grad()
def scores(model, ids, batch=512):
    model.eval()
    out = []
    for i in range(0, len(ids), batch):
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = model(ids[i:i + batch])
        out.append(torch.softmax(logits.float(), -1))
    return torch.cat(out)


def accuracy(model, ids, y):
    return float((scores(model, ids).argmax(-1) == y).float().mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=".gpu")
    parser.add_argument("--out", default=os.environ.get("OUT", "runs/minilm_teacher"))
    parser.add_argument("--lrs", default="3e-5,5e-5,2e-5")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--budget-s", type=float, default=330, help="skip further learning rates past this")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    start = time.time()
    device = "cuda"
    config = BertConfig.from_json_file(os.path.join(args.data, "config.json"))
    published = {k: v.float() for k, v in load_file(os.path.join(args.data, "minilm_fp16.safetensors")).items()
                 if k != "embeddings.position_ids" and not k.startswith("pooler.")}  # mean pooling: no pooler
    fit, val, heldout = (load(args.data, n, device) for n in ("fit", "val", "heldout"))
    record = {"settings": vars(args), "device": torch.cuda.get_device_name(), "torch": torch.__version__,
              "fit_rows": len(fit[0]), "val_rows": len(val[0]), "heldout_rows": len(heldout[0]), "runs": []}
    best = (-1.0, None, None)
    for lr in [float(x) for x in args.lrs.split(",")]:
        if time.time() - start > args.budget_s:
            record["runs"].append({"lr": lr, "skipped": "time budget"})
            continue
        torch.manual_seed(args.seed)
        model = Classifier(config).to(device)
        missing, unexpected = model.bert.load_state_dict(published, strict=False)
        # Only buffers (position_ids, token_type_ids) may be absent from the published file.
        assert not unexpected and all(k.endswith("_ids") for k in missing), (missing, unexpected)
        steps_per_epoch = math.ceil(len(fit[0]) / args.batch_size)
        total = steps_per_epoch * args.epochs
        warmup = int(0.06 * total)
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda s: min((s + 1) / max(warmup, 1), max(0.0, (total - s) / max(total - warmup, 1))))
        run = {"lr": lr, "epochs": []}
        generator = torch.Generator(device=device).manual_seed(args.seed)
        for epoch in range(args.epochs):
            t0 = time.time()
            model.train()
            order = torch.randperm(len(fit[0]), device=device, generator=generator)
            loss_sum = 0.0
            for i in range(steps_per_epoch):
                idx = order[i * args.batch_size:(i + 1) * args.batch_size]
                with torch.autocast("cuda", dtype=torch.bfloat16):
                    logits = model(fit[0][idx])
                loss = torch.nn.functional.cross_entropy(logits.float(), fit[1][idx])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                schedule.step()
                loss_sum += float(loss.detach()) if i % 50 == 0 else 0.0
            v, h = accuracy(model, *val), accuracy(model, *heldout)
            run["epochs"].append({"epoch": epoch + 1, "val_accuracy": round(v, 4), "heldout_accuracy": round(h, 4),
                                  "wall_s": round(time.time() - t0, 1)})
            print(json.dumps({"lr": lr, **run["epochs"][-1]}), flush=True)
            if v > best[0]:
                best = (v, {k: t.detach().cpu().clone() for k, t in model.state_dict().items()}, (lr, epoch + 1))
        record["runs"].append(run)
    model = Classifier(config).to(device)
    model.load_state_dict(best[1])
    record["selected"] = {"lr": best[2][0], "epoch": best[2][1], "val_accuracy": round(best[0], 4),
                          "heldout_accuracy": round(accuracy(model, *heldout), 4)}
    train_ids, _ = load(args.data, "train", device)
    np.save(os.path.join(args.out, "teacher_train_scores.npy"), scores(model, train_ids).cpu().numpy())
    np.save(os.path.join(args.out, "teacher_heldout_scores.npy"), scores(model, heldout[0]).cpu().numpy())
    # Four files under 16 MB each (the device's transfer limit): the word embeddings alone are
    # 23 MB in float16, so their rows go in two halves; the rest is balanced by size.
    tensors = {k: v.to(torch.float16).contiguous() for k, v in best[1].items()}
    words = tensors.pop("bert.embeddings.word_embeddings.weight")
    half = len(words) // 2
    parts = [{"bert.embeddings.word_embeddings.weight:0": words[:half].contiguous()},
             {"bert.embeddings.word_embeddings.weight:1": words[half:].contiguous()}, {}, {}]
    for name in sorted(tensors, key=lambda k: -tensors[k].numel()):
        smaller = min((2, 3), key=lambda p: sum(t.numel() for t in parts[p].values()))
        parts[smaller][name] = tensors[name]
    for part, content in enumerate(parts):
        save_file(content, os.path.join(args.out, f"finetuned_{part}.safetensors"))
    record["wall_s"] = round(time.time() - start, 1)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(record, f, indent=1)
    print(json.dumps(record["selected"]), record["wall_s"])


if __name__ == "__main__":
    main()
