/**
 * `deno run -A tools/upgrade_checkpoint.ts FILE…`: convert checkpoints of format version 1
 * (whose checksum covered the data section only) or 2 (the blocks' parts under their first
 * names) to version 3, in place: checksummed byte for byte, header included, with today's
 * parameter names (`fromVersion2` in `src/training/checkpoint.ts`). The weights, tokenizer and
 * metadata are kept as they are; each file is read back and compared before it replaces the
 * old one. Files already in version 3 are left alone.
 *
 * Version 1, little-endian: the magic "CKPT" 0 0 0 1, the header length H (uint32), H bytes of
 * JSON `{ format, version: 1, kind, config, tokenizer, metadata, tensors, dataBytes, checksum }`
 * (`checksum`: FNV-1a of the data section, 8 hex digits), then the data section.
 *
 * @module
 */
import {
  type Checkpoint,
  CHECKPOINT_VERSION,
  type CheckpointHeader,
  type CheckpointValues,
  decodeCheckpoint,
  encodeCheckpoint,
  fnv1a,
  fromVersion2,
  type TokenizerJSON,
} from "../src/mod.ts";

/** The header of a version-1 checkpoint. */
interface HeaderV1 {
  format: string;
  version: number;
  kind: string;
  config: Record<string, unknown>;
  tokenizer: TokenizerJSON | null;
  metadata: Record<string, unknown>;
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
  dataBytes: number;
  checksum: string;
}

/** Read a version-1 checkpoint by its own rule, checking what that rule checked. */
function readVersion1(
  file: Uint8Array,
  path: string,
): { header: HeaderV1; values: CheckpointValues } {
  const fail = (problem: string): never => {
    throw new Error(`${path}: ${problem}`);
  };
  const magic = [0x43, 0x4b, 0x50, 0x54, 0, 0, 0, 1];
  if (file.length < 12 || !magic.every((b, i) => file[i] === b)) {
    fail("not a version-1 course checkpoint (its first 8 bytes are not CKPT 0 0 0 1)");
  }
  const headerLength = new DataView(file.buffer, file.byteOffset).getUint32(8, true);
  const header: HeaderV1 = JSON.parse(
    new TextDecoder("utf-8", { fatal: true }).decode(file.subarray(12, 12 + headerLength)),
  );
  const end = 12 + headerLength + header.dataBytes;
  if (header.version !== 1 || file.length !== end) {
    fail(`expected version 1 and ${end} bytes, found version ${header.version}, ${file.length}`);
  }
  const data = file.slice(12 + headerLength, end);
  const checksum = fnv1a(data).toString(16).padStart(8, "0");
  if (checksum !== header.checksum) fail(`data checksum ${checksum} is not ${header.checksum}`);
  const all = new Float32Array(data.buffer);
  const values: CheckpointValues = new Map();
  for (const t of header.tensors) {
    values.set(t.name, { shape: t.shape, data: all.subarray(t.offset, t.offset + t.length) });
  }
  return { header, values };
}

for (const path of Deno.args) {
  const file = await Deno.readFile(path);
  if (file[7] === CHECKPOINT_VERSION) {
    decodeCheckpoint(file, path); // it must also read as one
    console.log(`${path}: already version ${CHECKPOINT_VERSION}, left as it is`);
    continue;
  }
  const from = file[7];
  let old: Checkpoint;
  if (from === 2) {
    old = decodeCheckpoint(file, path); // read with today's names
  } else {
    const v1 = readVersion1(file, path);
    const { kind, config, tokenizer, metadata, tensors } = v1.header;
    const header: CheckpointHeader = {
      format: "course-checkpoint",
      version: CHECKPOINT_VERSION,
      kind,
      config,
      tokenizer,
      metadata,
      tensors,
    };
    old = fromVersion2({ header, values: v1.values });
  }
  const { kind, config, tokenizer, metadata } = old.header;
  const bytes = encodeCheckpoint({ kind, config, tokenizer, metadata }, old.values);
  const back = decodeCheckpoint(bytes, path);
  const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
  const same = JSON.stringify([kind, config, tokenizer, metadata]) ===
      JSON.stringify([
        back.header.kind,
        back.header.config,
        back.header.tokenizer,
        back.header.metadata,
      ]) &&
    back.values.size === old.values.size &&
    [...old.values].every(([name, { shape, data }]) => {
      const copy = back.values.get(name);
      return copy !== undefined && copy.shape.join() === shape.join() &&
        bits(data).every((x, i) => x === bits(copy.data)[i]);
    });
  if (!same) throw new Error(`${path}: the converted checkpoint does not read back the same`);
  await Deno.writeFile(path, bytes);
  console.log(
    `${path}: version ${from} → ${CHECKPOINT_VERSION}, ${old.values.size} tensors, ` +
      `${bytes.length} bytes`,
  );
}
