/**
 * Knowing that displays have left the kernel. The Deno kernel (2.9) queues each display and
 * sends the queue from a separate loop, and it reports a cell finished (`status: idle`) without
 * waiting for that loop; JupyterLab and nbclient stop collecting a cell's outputs at its idle,
 * so a display still queued then is lost (or shown under the next cell). Nothing in
 * `Deno.jupyter` says when a message has been sent.
 *
 * {@link confirmDelivered} finds out: it subscribes to the kernel's own output channel (IOPub,
 * a ZeroMQ PUB socket, spoken to in ZMTP 3 with the NULL mechanism), sends a marker through the
 * same queue — an update of a display id nobody has, which every front end ignores — and waits
 * until the marker comes back. The queue is sent in order, so by then every display made
 * before it is on its way to every front end, ahead of the idle that ends the cell.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The part of a Jupyter connection file used here. */
export interface ConnectionInfo {
  ip: string;
  iopub_port: number;
}

/**
 * The kernel's connection file, from its command line (`deno jupyter --kernel --conn FILE`), or
 * undefined where the command line cannot be read (no `/proc`, as on macOS and Windows). Read
 * once.
 */
export function connectionInfo(): ConnectionInfo | undefined {
  if (!looked) [info, looked] = [readConnectionInfo(), true];
  return info;
}

let info: ConnectionInfo | undefined;
let looked = false;

function readConnectionInfo(): ConnectionInfo | undefined {
  try {
    const argv = Deno.readTextFileSync("/proc/self/cmdline").split("\0");
    const at = argv.indexOf("--conn");
    if (at < 0) return undefined;
    const file = JSON.parse(Deno.readTextFileSync(argv[at + 1]));
    const tcp = (file.transport ?? "tcp") === "tcp";
    return tcp && typeof file.ip === "string" && Number.isInteger(file.iopub_port)
      ? { ip: file.ip, iopub_port: file.iopub_port }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Read exactly `n` bytes. */
async function readExact(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(n);
  for (let at = 0; at < n;) {
    const got = await conn.read(bytes.subarray(at));
    if (got === null) throw new Error("the kernel closed its output channel");
    at += got;
  }
  return bytes;
}

/** Read one ZMTP frame: its bytes and whether more frames of the same message follow. */
async function readFrame(conn: Deno.Conn): Promise<{ data: Uint8Array; more: boolean }> {
  const [flags] = await readExact(conn, 1);
  const size = flags & 0x02
    ? Number(new DataView((await readExact(conn, 8)).buffer).getBigUint64(0))
    : (await readExact(conn, 1))[0];
  return { data: await readExact(conn, size), more: (flags & 0x01) !== 0 };
}

/** Read one message: its frames. */
async function readMessage(conn: Deno.Conn): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for (;;) {
    const frame = await readFrame(conn);
    frames.push(frame.data);
    if (!frame.more) return frames;
  }
}

/** Write all of `bytes`. */
async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

/** Subscribe to everything on a PUB socket: greeting, READY as a SUB socket, subscription. */
async function subscribe(conn: Deno.Conn): Promise<void> {
  const greeting = new Uint8Array(64);
  greeting[0] = 0xff; // signature
  greeting[9] = 0x7f;
  greeting[10] = 3; // ZMTP 3.0
  greeting.set(encoder.encode("NULL"), 12); // no security mechanism
  await writeAll(conn, greeting);
  await readExact(conn, 64);
  const ready = [5, ...encoder.encode("READY"), 11, ...encoder.encode("Socket-Type")];
  const body = [...ready, 0, 0, 0, 3, ...encoder.encode("SUB")];
  // The READY command, then a one-byte message 0x01: subscribe to every topic.
  await writeAll(conn, new Uint8Array([0x04, body.length, ...body, 0x00, 1, 0x01]));
  await readFrame(conn); // the kernel's READY
}

/** The frame that separates a message's routing frames from its parts. */
const DELIMITER = "<IDS|MSG>";

/**
 * Whether `frames` (routing frames, `<IDS|MSG>`, signature, header, parent header, metadata,
 * content, …) is the marker.
 */
function isMarker(frames: Uint8Array[], token: string): boolean {
  const at = frames.findIndex((f) => decoder.decode(f) === DELIMITER);
  if (at < 0 || frames.length < at + 6) return false;
  try {
    const header = JSON.parse(decoder.decode(frames[at + 2]));
    if (header.msg_type !== "update_display_data") return false;
    return JSON.parse(decoder.decode(frames[at + 5])).transient?.display_id === token;
  } catch {
    return false; // not a message of the Jupyter protocol: not the marker
  }
}

/** What {@link confirmDelivered} needs of the kernel: its `broadcast`. */
export interface KernelBroadcast {
  /** Queue a message on the output channel. */
  broadcast(type: string, content: Record<string, unknown>): unknown;
}

/** The kernel did not confirm in time (it may be busy: worth asking again next time). */
export class DeliveryTimeout extends Error {}

/**
 * Resolve once every message `kernel` queued before the call has been sent (see the module
 * doc); reject with {@link DeliveryTimeout} if that takes more than `timeoutMs`, with another
 * error if the kernel cannot be asked. `info` is the kernel's connection file.
 */
export async function confirmDelivered(
  kernel: KernelBroadcast,
  info: ConnectionInfo,
  timeoutMs = 3000,
): Promise<void> {
  const started = Date.now();
  const connecting = Deno.connect({ hostname: info.ip, port: info.iopub_port });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const connected = await Promise.race([connecting, late]);
  clearTimeout(timer);
  if (connected === undefined) {
    connecting.then((c) => c.close(), () => {});
    throw new DeliveryTimeout(`the kernel's output channel did not answer in ${timeoutMs} ms`);
  }
  const conn = connected;
  conn.setNoDelay(true);
  let closed = false;
  const close = () => {
    if (!closed) conn.close();
    closed = true;
  };
  const left = Math.max(0, timeoutMs - (Date.now() - started));
  const timeout = setTimeout(close, left); // a pending read then fails
  let seen = false;
  try {
    await subscribe(conn);
    const token = `course-delivered-${crypto.randomUUID()}`;
    const reader = (async () => {
      while (!seen) if (isMarker(await readMessage(conn), token)) seen = true;
    })();
    reader.catch(() => {}); // its failure is met in the race below
    // A marker sent before the kernel has registered this subscriber never reaches it: send
    // again, waiting a little longer each time (1, 2, 4 … 20 ms).
    for (let attempt = 0; !seen; attempt++) {
      kernel.broadcast("update_display_data", {
        data: {},
        metadata: {},
        transient: { display_id: token },
      });
      let pause: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        reader,
        new Promise((resolve) => (pause = setTimeout(resolve, Math.min(2 ** attempt, 20)))),
      ]);
      clearTimeout(pause);
    }
  } catch (error) {
    throw closed
      ? new DeliveryTimeout(`the kernel did not confirm its displays in ${timeoutMs} ms`)
      : error;
  } finally {
    clearTimeout(timeout);
    close();
  }
}
