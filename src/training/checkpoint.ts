/**
 * Checkpoints: a model's weights with its config and tokenizer, in one file.
 *
 * Format (version 3), all numbers little-endian:
 *
 *     bytes 0–7     the magic "CKPT" + "\0\0\0\x03" (format version 3)
 *     bytes 8–11    header length H (uint32)
 *     bytes 12–19   data length D (uint64)
 *     H bytes       header: UTF-8 JSON {
 *                     format: "course-checkpoint", version: 3,
 *                     kind: "gpt" (which model), config: {...}, tokenizer: {...} | null,
 *                     metadata: {...} (step, losses, how it was made),
 *                     tensors: [{ name, shape, offset, length }] (offset/length in floats) }
 *     D bytes       the tensors' float32 values, one after another
 *     last 4 bytes  checksum: FNV-1a (32-bit) of every byte before it
 *
 * The checksum covers the whole file, header included: a flipped bit anywhere — in a weight,
 * in a tensor's offset, in the stored tokenizer — is reported, never loaded. (Version 1 hashed
 * the data section only; {@link readCheckpoint} refuses such files and names the script that
 * converts them, `tools/upgrade_checkpoint.ts`.) Version 2 is laid out as version 3 but names a
 * block's parts as the course's first blocks did (`norm1`, `norm2`, a decoder block's
 * `selfAttention`, an encoder-decoder's `norm` for the norms' placement): it is read with those
 * names mapped to today's ({@link fromVersion2}).
 *
 * Reading checks the magic, the length (a truncated file is reported as such), the checksum (a
 * corrupted file is reported as such) and that the tensors tile the data section; restoring
 * checks every name and shape against the model and names the first mismatch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Module } from "../nn/module.ts";
import type { TokenizerJSON } from "../tokenizers/tokenizer.ts";
import { MODEL_KINDS, type ModelKind } from "../models/registry.ts";

/** The checkpoint format version this module writes and reads. */
export const CHECKPOINT_VERSION = 3;

const MAGIC = [0x43, 0x4b, 0x50, 0x54, 0, 0, 0]; // "CKPT" 0 0 0, then the version byte
const PREFIX = 20; // magic, header length, data length
const CHECKSUM = 4;

/** The header of a checkpoint. */
export interface CheckpointHeader {
  /** Always "course-checkpoint". */
  format: "course-checkpoint";
  /** Format version (3). */
  version: 3;
  /** Which model the weights belong to, e.g. "gpt". */
  kind: string;
  /** The model's config. */
  config: Record<string, unknown>;
  /** The tokenizer the model was trained with, if any. */
  tokenizer: TokenizerJSON | null;
  /** Anything else worth keeping: steps, losses, how it was made. */
  metadata: Record<string, unknown>;
  /** Where each tensor's values are in the data section (in floats), in order. */
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
}

/** Each tensor's values, by name. */
export type CheckpointValues = Map<string, { shape: number[]; data: Float32Array }>;

/** A checkpoint read from disk. */
export interface Checkpoint {
  /** Its header. */
  header: CheckpointHeader;
  /** Each tensor's values, by name. */
  values: CheckpointValues;
}

/** What to store beside the weights. */
export interface CheckpointInfo {
  /** Which model, e.g. "gpt". */
  kind: string;
  /** The model's config. */
  config: object;
  /** The tokenizer's JSON form (`tokenizer.toJSON()`). */
  tokenizer?: TokenizerJSON | null;
  /** Extra facts: steps, losses, the command that remakes the file. */
  metadata?: Record<string, unknown>;
}

/** FNV-1a over `bytes` (32-bit): a small hash that changes whenever any one byte does. */
export function fnv1a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A 32-bit hash as 8 hex digits. */
function hex(hash: number): string {
  return hash.toString(16).padStart(8, "0");
}

/** The bytes of a checkpoint (format version 3) holding `values`, in their order, and `info`. */
export function encodeCheckpoint(info: CheckpointInfo, values: CheckpointValues): Uint8Array {
  const tensors: CheckpointHeader["tensors"] = [];
  let floats = 0;
  for (const [name, { shape, data }] of values) {
    if (tf.util.sizeFromShape(shape) !== data.length) {
      throw new RangeError(`tensor ${name} [${shape}] has ${data.length} numbers`);
    }
    tensors.push({ name, shape, offset: floats, length: data.length });
    floats += data.length;
  }
  const header: CheckpointHeader = {
    format: "course-checkpoint",
    version: CHECKPOINT_VERSION,
    kind: info.kind,
    config: { ...info.config } as Record<string, unknown>,
    tokenizer: info.tokenizer ?? null,
    metadata: info.metadata ?? {},
    tensors,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = PREFIX + headerBytes.length;
  const file = new Uint8Array(dataStart + 4 * floats + CHECKSUM);
  const view = new DataView(file.buffer);
  file.set(MAGIC, 0);
  file[7] = CHECKPOINT_VERSION;
  view.setUint32(8, headerBytes.length, true);
  view.setBigUint64(12, BigInt(4 * floats), true);
  file.set(headerBytes, PREFIX);
  let at = dataStart;
  for (const { data } of values.values()) {
    file.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  view.setUint32(at, fnv1a(file.subarray(0, at)), true);
  return file;
}

/** Write `module`'s parameters and `info` to `path`. */
export async function saveCheckpoint(
  path: string,
  module: Module,
  info: CheckpointInfo,
): Promise<void> {
  const values: CheckpointValues = new Map();
  for (const [name, variable] of module.parameters()) {
    values.set(name, { shape: variable.shape, data: (await variable.data()) as Float32Array });
  }
  await Deno.writeFile(path, encodeCheckpoint(info, values));
}

/**
 * Read and verify the bytes of a checkpoint (see the module doc for what is checked); errors
 * start with `source`, e.g. the file's path.
 */
export function decodeCheckpoint(file: Uint8Array, source = "checkpoint"): Checkpoint {
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  if (file.length < 8 || !MAGIC.every((b, i) => file[i] === b)) {
    fail("not a course checkpoint (the file does not start with the checkpoint magic)");
  }
  if (file[7] === 1) {
    fail(
      "checkpoint format version 1, whose checksum does not cover its header; convert it to " +
        `version ${CHECKPOINT_VERSION} with \`deno run -A tools/upgrade_checkpoint.ts <file>\``,
    );
  }
  const version = file[7];
  if (version !== CHECKPOINT_VERSION && version !== 2) {
    fail(`unsupported checkpoint format version ${version}, expected 2 or ${CHECKPOINT_VERSION}`);
  }
  if (file.length < PREFIX + CHECKSUM) {
    fail(`truncated: expected at least ${PREFIX + CHECKSUM} bytes, found ${file.length}`);
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const headerLength = view.getUint32(8, true);
  const dataLength = Number(view.getBigUint64(12, true));
  const expected = PREFIX + headerLength + dataLength + CHECKSUM;
  if (file.length < expected) fail(`truncated: expected ${expected} bytes, found ${file.length}`);
  if (file.length > expected) {
    fail(`corrupted: ${file.length - expected} unexpected bytes after the checksum`);
  }
  const stored = view.getUint32(expected - CHECKSUM, true);
  const checksum = fnv1a(file.subarray(0, expected - CHECKSUM));
  if (checksum !== stored) {
    fail(`corrupted: checksum ${hex(checksum)} does not match the stored ${hex(stored)}`);
  }
  // The checksum matched, so what follows finds only a writer's mistakes, not damage.
  let header: CheckpointHeader;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(
        file.subarray(PREFIX, PREFIX + headerLength),
      ),
    );
  } catch {
    return fail("corrupted: the header is not valid JSON");
  }
  if (header.format !== "course-checkpoint" || (header.version as number) !== version) {
    fail(
      `the header says format ${JSON.stringify(header.format)} version ${
        JSON.stringify(header.version)
      }, expected "course-checkpoint" version ${version}`,
    );
  }
  if (dataLength % 4 !== 0) fail(`corrupted: a data section of ${dataLength} bytes is not floats`);
  const dataStart = PREFIX + headerLength;
  const aligned = file.slice(dataStart, dataStart + dataLength); // a copy, aligned for floats
  const all = new Float32Array(aligned.buffer);
  const values: CheckpointValues = new Map();
  let offset = 0;
  for (const t of header.tensors) {
    if (t.offset !== offset || tf.util.sizeFromShape(t.shape) !== t.length) {
      fail(`corrupted: tensor ${t.name} [${t.shape}] does not follow the one before it`);
    }
    values.set(t.name, { shape: t.shape, data: all.subarray(t.offset, t.offset + t.length) });
    offset += t.length;
  }
  if (offset !== all.length) {
    fail(`corrupted: the tensors hold ${offset} numbers, the data section ${all.length}`);
  }
  return version === 2 ? fromVersion2({ header, values }) : { header, values };
}

/**
 * A version-2 (or version-1) checkpoint in today's names: in each block (`blocks.i.`,
 * `encoder.i.`, `decoder.i.`), `norm1` → `attentionNorm`; in a block with cross-attention
 * `selfAttention` → `attention`, `norm2` → `crossAttentionNorm`, `norm3` → `feedForwardNorm`;
 * in one without, `norm2` → `feedForwardNorm`. An encoder-decoder's config `norm` (the norms'
 * placement) becomes `normPlacement`. The weights are the same arrays.
 */
export function fromVersion2(checkpoint: Checkpoint): Checkpoint {
  const names = [...checkpoint.values.keys()];
  const block = /^((?:blocks|encoder|decoder)\.\d+\.)(.*)$/;
  const crossBlocks = new Set(
    names.flatMap((name) => {
      const m = block.exec(name);
      return m && m[2].startsWith("crossAttention.") ? [m[1]] : [];
    }),
  );
  const renamed = (name: string): string => {
    const m = block.exec(name);
    if (m === null) return name;
    const [, prefix, rest] = m;
    const parts: [string, string][] = crossBlocks.has(prefix)
      ? [["selfAttention.", "attention."], ["norm1.", "attentionNorm."], [
        "norm2.",
        "crossAttentionNorm.",
      ], ["norm3.", "feedForwardNorm."]]
      : [["norm1.", "attentionNorm."], ["norm2.", "feedForwardNorm."]];
    for (const [old, now] of parts) {
      if (rest.startsWith(old)) return prefix + now + rest.slice(old.length);
    }
    return name;
  };
  const values: CheckpointValues = new Map(
    [...checkpoint.values].map(([name, value]) => [renamed(name), value]),
  );
  const { header } = checkpoint;
  const config = { ...header.config };
  if (header.kind === "encoder-decoder" && "norm" in config) {
    config.normPlacement = config.norm;
    delete config.norm;
  }
  return {
    header: {
      ...header,
      version: CHECKPOINT_VERSION,
      config,
      tensors: header.tensors.map((t) => ({ ...t, name: renamed(t.name) })),
    },
    values,
  };
}

/** Read and verify a checkpoint file, by path or file URL (see the module doc for what is checked). */
export async function readCheckpoint(path: string | URL): Promise<Checkpoint> {
  return decodeCheckpoint(await Deno.readFile(path), String(path));
}

/**
 * Copy a checkpoint's weights into `module`. Every parameter of the module must be in the
 * checkpoint with the same shape, and the checkpoint must hold nothing else; the first
 * difference is named in the error. `parameters` restores only some of them (default: all; a
 * pretrained model's weights into a model that has LoRA adapters besides, say).
 */
export function restoreWeights(
  module: Module,
  checkpoint: Checkpoint,
  parameters: ReadonlyMap<string, tf.Variable> = module.parameters(),
): void {
  for (const [name, variable] of parameters) {
    const stored = checkpoint.values.get(name);
    if (stored === undefined) {
      throw new Error(`checkpoint has no weights for parameter ${name} [${variable.shape}]`);
    }
    if (stored.shape.join(",") !== variable.shape.join(",")) {
      throw new Error(
        `parameter ${name}: checkpoint shape [${stored.shape}] does not match the model's [${variable.shape}]`,
      );
    }
  }
  for (const name of checkpoint.values.keys()) {
    if (!parameters.has(name)) {
      throw new Error(`checkpoint has weights ${name} that the model does not have`);
    }
  }
  for (const [name, variable] of parameters) {
    const stored = checkpoint.values.get(name)!;
    tf.tidy(() => variable.assign(tf.tensor(stored.data, stored.shape)));
  }
}

/** Config keys that change how a model trains but not its weights' meaning. */
const TRAINING_ONLY: ReadonlySet<string> = new Set(["dropout"]);

/**
 * Check that a checkpoint was made for `kind` with `config`: every key of `config` must have
 * the same value in the checkpoint. For a kind of {@link MODEL_KINDS}, a setting the checkpoint
 * does not name (one added to the course after it was made) counts as its default. Settings that
 * act only in training (`dropout`) are not compared: the weights do not depend on them, and a
 * model trained with dropout is used without. Names the first difference.
 */
export function checkCheckpointConfig(checkpoint: Checkpoint, kind: string, config: object): void {
  const { header } = checkpoint;
  if (header.kind !== kind) {
    throw new Error(`checkpoint is for a ${header.kind} model, not a ${kind}`);
  }
  const stored: Record<string, unknown> = kind in MODEL_KINDS
    ? MODEL_KINDS[kind as ModelKind].resolve(header.config as never)
    : header.config;
  for (const [key, value] of Object.entries(config)) {
    if (TRAINING_ONLY.has(key)) continue;
    if (JSON.stringify(stored[key]) !== JSON.stringify(value)) {
      throw new Error(
        `config mismatch: checkpoint has ${key} = ${JSON.stringify(stored[key])}, the model has ${
          JSON.stringify(value)
        }`,
      );
    }
  }
}
