/**
 * Checkpoints are checked byte for byte (format version 3): any damage is reported, never
 * loaded; version-1 files are refused with the way to convert them; the shipped files (format 2)
 * load with their parameter names mapped, and convert to format 3.
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  CharTokenizer,
  checkCheckpointConfig,
  type Checkpoint,
  CHECKPOINT_VERSION,
  EncoderDecoder,
  type EncoderDecoderConfig,
  EncoderOnly,
  type EncoderOnlyConfig,
  fnv1a,
  GPT,
  type GPTConfig,
  initCourse,
  type Module,
  readCheckpoint,
  restoreWeights,
  saveCheckpoint,
  setSeed,
  tokenizerFromJSON,
} from "../../src/mod.ts";
import { TINY } from "../fixtures.ts";

await initCourse();

const DATA = new URL("../../data/", import.meta.url).pathname;
const SHIPPED = ["moby_gpt.ckpt", "g2p.ckpt", "moby_mlm.ckpt", "sum_chat.ckpt"];

Deno.test("checkpoint: save → load gives identical logits; tokenizer travels with it", async () => {
  setSeed(9);
  const tokenizer = CharTokenizer.train("abcdefghijk ");
  const model = new GPT(TINY);
  const path = await Deno.makeTempFile({ suffix: ".ckpt" });
  try {
    await saveCheckpoint(path, model, {
      kind: "gpt",
      config: model.config,
      tokenizer: tokenizer.toJSON(),
      metadata: { step: 3 },
    });
    const checkpoint = await readCheckpoint(path);
    checkCheckpointConfig(checkpoint, "gpt", model.config);
    setSeed(10);
    const copy = new GPT(TINY);
    restoreWeights(copy, checkpoint);
    const ids = tf.tensor2d([[1, 2, 3, 4, 5]], undefined, "int32");
    const [a, b] = [model.forward(ids), copy.forward(ids)];
    assertEquals(Array.from(a.dataSync()), Array.from(b.dataSync()));
    tf.dispose([ids, a, b]);
    assertEquals(
      tokenizerFromJSON(checkpoint.header.tokenizer).encode("hi"),
      tokenizer.encode("hi"),
    );
    assertEquals(checkpoint.header.metadata.step, 3);
    copy.dispose();
  } finally {
    await Deno.remove(path);
    model.dispose();
  }
});

Deno.test("checkpoint: mismatched config, truncated and corrupted files are reported", async () => {
  setSeed(11);
  const model = new GPT(TINY);
  const path = await Deno.makeTempFile({ suffix: ".ckpt" });
  try {
    await saveCheckpoint(path, model, { kind: "gpt", config: model.config });
    const checkpoint = await readCheckpoint(path);
    assertThrows(
      () => checkCheckpointConfig(checkpoint, "gpt", { ...model.config, dModel: 64 }),
      /config mismatch: checkpoint has dModel = 32, the model has 64/,
    );
    // dropout acts only in training: a model trained with it loads into one without
    checkCheckpointConfig(checkpoint, "gpt", { ...model.config, dropout: 0.2 });
    const bigger = new GPT({ ...TINY, dModel: 64 });
    assertThrows(
      () => restoreWeights(bigger, checkpoint),
      /checkpoint shape \[12,32\] does not match the model's \[12,64\]/,
    );
    bigger.dispose();
    const deeper = new GPT({ ...TINY, numLayers: 3 });
    assertThrows(() => restoreWeights(deeper, checkpoint), /no weights for parameter blocks\.2\./);
    deeper.dispose();
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 100));
    let message = "";
    await readCheckpoint(path).catch((e) => (message = e.message));
    assert(/truncated: expected \d+ bytes, found \d+/.test(message), message);
    const flipped = bytes.slice();
    flipped[bytes.length - 7] ^= 0xff;
    await Deno.writeFile(path, flipped);
    await readCheckpoint(path).catch((e) => (message = e.message));
    assert(/corrupted: checksum [0-9a-f]{8} does not match/.test(message), message);
  } finally {
    await Deno.remove(path);
    model.dispose();
  }
});

/** The error `readCheckpoint` gives for `bytes` (written to a file in `dir`), or "" if it loads. */
async function readError(dir: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, "damaged.ckpt");
  await Deno.writeFile(path, bytes);
  try {
    await readCheckpoint(path);
    return "";
  } catch (error) {
    return (error as Error).message;
  }
}

/** `bytes` with bit `bit` of byte `at` flipped. */
function flipped(bytes: Uint8Array, at: number, bit = 0): Uint8Array {
  const copy = bytes.slice();
  copy[at] ^= 1 << bit;
  return copy;
}

Deno.test("checkpoint: a flipped bit anywhere in the file, header included, is reported", async () => {
  setSeed(1);
  const model = new GPT({ vocabSize: 3, contextLength: 2, dModel: 2, numHeads: 1, numLayers: 1 });
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "tiny.ckpt");
    await saveCheckpoint(path, model, {
      kind: "gpt",
      config: model.config,
      tokenizer: {
        format: "course-tokenizer",
        version: 1,
        type: "char",
        tokens: ["a", "b", "c"],
        special: {},
      },
      metadata: { steps: 1 },
    });
    const bytes = await Deno.readFile(path);
    const loaded: number[] = [];
    for (let at = 0; at < bytes.length; at++) {
      if ((await readError(dir, flipped(bytes, at, at % 8))) === "") loaded.push(at);
    }
    assertEquals(loaded, [], `bytes whose damage loaded silently: ${loaded.slice(0, 10)}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
    model.dispose();
  }
});

/** Where the ASCII text `needle` first occurs in `bytes` (a byte index), or −1. */
function indexOfText(bytes: Uint8Array, needle: string): number {
  const pattern = new TextEncoder().encode(needle);
  for (let at = 0; at + pattern.length <= bytes.length; at++) {
    if (pattern.every((b, i) => bytes[at + i] === b)) return at;
  }
  return -1;
}

Deno.test("checkpoint: the shipped GPT with a tensor offset or a tokenizer character changed", async () => {
  const bytes = await Deno.readFile(join(DATA, "moby_gpt.ckpt"));
  const dir = await Deno.makeTempDir();
  try {
    const offset = indexOfText(bytes, '"offset":0') + '"offset":'.length;
    assert(offset > 20, "the first tensor's offset is in the header");
    const shifted = await readError(dir, flipped(bytes, offset)); // "offset":0 → "offset":1
    assert(/corrupted: checksum/.test(shifted), `offset 0 → 1: ${shifted || "loaded"}`);
    const letter = indexOfText(bytes, '"a","b"') + 1; // the tokenizer's "a"
    const renamed = await readError(dir, flipped(bytes, letter, 1)); // "a" → "c"
    assert(/corrupted: checksum/.test(renamed), `a tokenizer character: ${renamed || "loaded"}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A model of the kind and config a shipped checkpoint holds. */
function modelFor(checkpoint: Checkpoint): Module {
  const { kind, config } = checkpoint.header;
  if (kind === "gpt") return new GPT(config as unknown as GPTConfig);
  if (kind === "encoder-decoder") {
    return new EncoderDecoder(config as unknown as EncoderDecoderConfig);
  }
  if (kind === "encoder-only") return new EncoderOnly(config as unknown as EncoderOnlyConfig);
  throw new Error(`unknown kind ${kind}`);
}

Deno.test("checkpoint: every shipped file (format 2 or 3) loads into its model, names mapped, tokenizer included", async () => {
  for (const file of SHIPPED) {
    const bytes = await Deno.readFile(join(DATA, file));
    assert(
      [2, CHECKPOINT_VERSION].includes(bytes[7]),
      `${file} is stored in format version ${bytes[7]}`,
    );
    const checkpoint = await readCheckpoint(join(DATA, file));
    assertEquals(checkpoint.header.version, CHECKPOINT_VERSION, file);
    const names = [...checkpoint.values.keys()].join(" ");
    assert(!/norm[123]|selfAttention/.test(names), `${file}: old names left: ${names}`);
    const before = tf.memory().numTensors;
    const model = modelFor(checkpoint);
    restoreWeights(model, checkpoint);
    model.dispose();
    assertEquals(tf.memory().numTensors, before);
    if (checkpoint.header.tokenizer !== null) tokenizerFromJSON(checkpoint.header.tokenizer);
  }
});

/** The bytes of a version-1 checkpoint (checksum of the data section only, in the header). */
function version1(checkpoint: Checkpoint): Uint8Array {
  const floats = [...checkpoint.values.values()].reduce((n, v) => n + v.data.length, 0);
  const data = new Float32Array(floats);
  let at = 0;
  for (const { data: values } of checkpoint.values.values()) {
    (data.set(values, at), at += values.length);
  }
  const dataBytes = new Uint8Array(data.buffer);
  const { version: _, ...rest } = checkpoint.header;
  const header = {
    ...rest,
    version: 1,
    dataBytes: dataBytes.length,
    checksum: fnv1a(dataBytes).toString(16).padStart(8, "0"),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const file = new Uint8Array(12 + json.length + dataBytes.length);
  file.set([0x43, 0x4b, 0x50, 0x54, 0, 0, 0, 1]);
  new DataView(file.buffer).setUint32(8, json.length, true);
  file.set(json, 12);
  file.set(dataBytes, 12 + json.length);
  return file;
}

Deno.test("checkpoint: a version-1 file is refused with the way to convert it, which works", async () => {
  const shipped = await readCheckpoint(join(DATA, "sum_chat.ckpt"));
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "old.ckpt");
    await Deno.writeFile(path, version1(shipped));
    const message = await readCheckpoint(path).then(() => "", (e: Error) => e.message);
    assert(/format version 1.*tools\/upgrade_checkpoint\.ts/.test(message), message);
    const tool = new URL("../../tools/upgrade_checkpoint.ts", import.meta.url).pathname;
    const run = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", tool, path] })
      .output();
    assert(run.success, new TextDecoder().decode(run.stderr));
    const converted = await readCheckpoint(path);
    const { header: a } = converted;
    const { header: b } = shipped;
    assertEquals([a.kind, a.config, a.tokenizer, a.metadata], [
      b.kind,
      b.config,
      b.tokenizer,
      b.metadata,
    ]);
    assertEquals([...converted.values.keys()], [...shipped.values.keys()]);
    for (const [name, { data }] of shipped.values) {
      assertEquals(converted.values.get(name)!.data, data, name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkpoint: the tool converts a format-2 file to format 3, today's names, same weights", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "g2p.ckpt");
    await Deno.copyFile(join(DATA, "g2p.ckpt"), path);
    const tool = new URL("../../tools/upgrade_checkpoint.ts", import.meta.url).pathname;
    const run = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", tool, path] })
      .output();
    assert(run.success, new TextDecoder().decode(run.stderr));
    assertEquals((await Deno.readFile(path))[7], CHECKPOINT_VERSION);
    const [converted, shipped] = [
      await readCheckpoint(path),
      await readCheckpoint(join(DATA, "g2p.ckpt")),
    ];
    assertEquals(converted.header.config, shipped.header.config);
    assertEquals(converted.header.config.normPlacement, "post");
    assertEquals([...converted.values.keys()], [...shipped.values.keys()]);
    for (const [name, { data }] of shipped.values) {
      assertEquals(converted.values.get(name)!.data, data, name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
