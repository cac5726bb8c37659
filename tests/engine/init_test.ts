import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import { DEFAULT_SEED, initCourse } from "../../src/mod.ts";

// No `await initCourse()` here: the first test checks what the first call does.

Deno.test("initCourse selects wasm, and a second call is harmless", async () => {
  const first = await initCourse();
  assertEquals(first.backend, "wasm");
  assertEquals(first.seed, DEFAULT_SEED);
  const kernels = tf.getKernelsForBackend("wasm").length;
  const tensors = tf.memory().numTensors;
  const warnings: unknown[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args);
  try {
    const second = await initCourse();
    assertEquals(second, first);
  } finally {
    console.warn = warn;
  }
  assertEquals(warnings, [], "a second initCourse warned (duplicate kernel registration?)");
  assertEquals(tf.getKernelsForBackend("wasm").length, kernels);
  assertEquals(tf.memory().numTensors, tensors);
  assertEquals(tf.getBackend(), "wasm");
});

Deno.test("initCourse rejects an unknown backend with a clear message", async () => {
  let message = "";
  try {
    await initCourse({ backend: "webgpu" as "wasm" });
  } catch (error) {
    message = (error as Error).message;
  }
  assertEquals(message, 'backend must be "wasm" or "cpu", got "webgpu"');
});

Deno.test("the cpu backend prints no 'install tfjs-node' banner", async () => {
  const script = `
    import * as tf from "@tensorflow/tfjs";
    import { initCourse } from "./src/mod.ts";
    const runtime = await initCourse({ backend: "cpu" });
    tf.tensor([1, 2, 3]).square().dataSync();
    console.log("backend", runtime.backend);`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    cwd: new URL("../..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, text);
  assert(text.includes("backend cpu"), text);
  assert(!/tfjs-node|looks like you are running/i.test(text), `banner printed:\n${text}`);
});
