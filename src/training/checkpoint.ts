/**
 * Checkpoints: a model's weights with its config and tokenizer, in one file.
 *
 * Format (version 1), all numbers little-endian:
 *
 *     bytes 0–7     the magic "CKPT" + "\0\0\0\x01" (format version 1)
 *     bytes 8–11    header length H (uint32)
 *     H bytes       header: UTF-8 JSON {
 *                     format: "course-checkpoint", version: 1,
 *                     kind: "gpt" (which model), config: {...}, tokenizer: {...} | null,
 *                     metadata: {...} (step, losses, how it was made),
 *                     tensors: [{ name, shape, offset, length }] (offset/length in floats),
 *                     dataBytes, checksum (FNV-1a, 32-bit, of the data bytes, hex) }
 *     dataBytes     the tensors' float32 values, one after another
 *
 * Reading checks the magic, the length (a truncated file is reported as such) and the checksum
 * (a corrupted file is reported as such); restoring checks every name and shape against the
 * model and names the first mismatch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Module } from "../nn/module.ts";
import type { TokenizerJSON } from "../tokenizers/tokenizer.ts";

const MAGIC = new Uint8Array([0x43, 0x4b, 0x50, 0x54, 0, 0, 0, 1]); // "CKPT" 0 0 0 1

/** The header of a checkpoint. */
export interface CheckpointHeader {
  /** Always "course-checkpoint". */
  format: "course-checkpoint";
  /** Format version (1). */
  version: 1;
  /** Which model the weights belong to, e.g. "gpt". */
  kind: string;
  /** The model's config. */
  config: Record<string, unknown>;
  /** The tokenizer the model was trained with, if any. */
  tokenizer: TokenizerJSON | null;
  /** Anything else worth keeping: steps, losses, the command that made it. */
  metadata: Record<string, unknown>;
  /** Where each tensor's values are in the data section (in floats). */
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
  /** Size of the data section in bytes. */
  dataBytes: number;
  /** FNV-1a 32-bit hash of the data section, 8 hex digits. */
  checksum: string;
}

/** A checkpoint read from disk. */
export interface Checkpoint {
  /** Its header. */
  header: CheckpointHeader;
  /** Each tensor's values, by name. */
  values: Map<string, { shape: number[]; data: Float32Array }>;
}

/** What to store beside the weights. */
export interface CheckpointInfo {
  /** Which model, e.g. "gpt". */
  kind: string;
  /** The model's config. */
  config: object;
  /** The tokenizer's JSON form (`tokenizer.toJSON()`). */
  tokenizer?: TokenizerJSON;
  /** Extra facts: steps, losses, the command that remakes the file. */
  metadata?: Record<string, unknown>;
}

/** FNV-1a over bytes, as 8 hex digits. */
function fnv1a(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** Write `module`'s parameters and `info` to `path`. */
export async function saveCheckpoint(
  path: string,
  module: Module,
  info: CheckpointInfo,
): Promise<void> {
  const tensors: CheckpointHeader["tensors"] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [name, variable] of module.parameters()) {
    const data = (await variable.data()) as Float32Array;
    tensors.push({ name, shape: variable.shape, offset, length: data.length });
    chunks.push(data);
    offset += data.length;
  }
  const data = new Float32Array(offset);
  let at = 0;
  for (const chunk of chunks) (data.set(chunk, at), at += chunk.length);
  const dataBytes = new Uint8Array(data.buffer);
  const header: CheckpointHeader = {
    format: "course-checkpoint",
    version: 1,
    kind: info.kind,
    config: { ...info.config } as Record<string, unknown>,
    tokenizer: info.tokenizer ?? null,
    metadata: info.metadata ?? {},
    tensors,
    dataBytes: dataBytes.length,
    checksum: fnv1a(dataBytes),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const file = new Uint8Array(12 + headerBytes.length + dataBytes.length);
  file.set(MAGIC, 0);
  new DataView(file.buffer).setUint32(8, headerBytes.length, true);
  file.set(headerBytes, 12);
  file.set(dataBytes, 12 + headerBytes.length);
  await Deno.writeFile(path, file);
}

/** Read and verify a checkpoint file (see the module doc for what is checked). */
export async function readCheckpoint(path: string): Promise<Checkpoint> {
  const file = await Deno.readFile(path);
  const fail = (problem: string): never => {
    throw new Error(`${path}: ${problem}`);
  };
  if (file.length < 12 || !MAGIC.every((b, i) => file[i] === b)) {
    fail("not a course checkpoint (the file does not start with the checkpoint magic)");
  }
  const headerLength = new DataView(file.buffer, file.byteOffset).getUint32(8, true);
  if (12 + headerLength > file.length) {
    fail(
      `truncated: the header needs ${headerLength} bytes but the file has ${
        file.length - 12
      } after the prefix`,
    );
  }
  let header: CheckpointHeader;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(file.subarray(12, 12 + headerLength)),
    );
  } catch {
    return fail("corrupted: the header is not valid JSON");
  }
  if (header.format !== "course-checkpoint" || header.version !== 1) {
    fail(
      `unsupported checkpoint format ${JSON.stringify(header.format)} version ${
        JSON.stringify(header.version)
      }`,
    );
  }
  const expected = 12 + headerLength + header.dataBytes;
  if (file.length < expected) fail(`truncated: expected ${expected} bytes, found ${file.length}`);
  if (file.length > expected) {
    fail(`corrupted: ${file.length - expected} unexpected bytes after the data`);
  }
  const dataBytes = file.slice(12 + headerLength, expected); // a copy, aligned for Float32Array
  const checksum = fnv1a(dataBytes);
  if (checksum !== header.checksum) {
    fail(`corrupted: checksum ${checksum} does not match ${header.checksum}`);
  }
  const all = new Float32Array(dataBytes.buffer);
  const values = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of header.tensors) {
    if (t.offset + t.length > all.length || tf.util.sizeFromShape(t.shape) !== t.length) {
      fail(`corrupted: tensor ${t.name} [${t.shape}] does not fit the data section`);
    }
    values.set(t.name, { shape: t.shape, data: all.subarray(t.offset, t.offset + t.length) });
  }
  return { header, values };
}

/**
 * Copy a checkpoint's weights into `module`. Every parameter of the module must be in the
 * checkpoint with the same shape, and the checkpoint must hold nothing else; the first
 * difference is named in the error.
 */
export function restoreWeights(module: Module, checkpoint: Checkpoint): void {
  const parameters = module.parameters();
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

/**
 * Check that a checkpoint was made for `kind` with `config`: every key of `config` must have
 * the same value in the checkpoint. Names the first difference.
 */
export function checkCheckpointConfig(checkpoint: Checkpoint, kind: string, config: object): void {
  const { header } = checkpoint;
  if (header.kind !== kind) {
    throw new Error(`checkpoint is for a ${header.kind} model, not a ${kind}`);
  }
  for (const [key, value] of Object.entries(config)) {
    if (JSON.stringify(header.config[key]) !== JSON.stringify(value)) {
      throw new Error(
        `config mismatch: checkpoint has ${key} = ${
          JSON.stringify(header.config[key])
        }, the model has ${JSON.stringify(value)}`,
      );
    }
  }
}
