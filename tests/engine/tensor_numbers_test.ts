import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { readNumbers, writeNumbers } from "../../src/engine/tensor_numbers.ts";
import { initCourse } from "../../src/mod.ts";

await initCourse();

Deno.test("readNumbers and writeNumbers: in place on wasm for an unshared variable, a copy otherwise", async () => {
  for (const backend of ["wasm", "cpu"] as const) {
    await initCourse({ backend });
    const before = tf.memory().numTensors;
    const initial = tf.tensor2d([[1, 2], [3, 4]]);
    const v = tf.variable(initial);
    initial.dispose();
    const values = new Float32Array([5, 6, 7, 8]);
    const memory = v.dataId;
    writeNumbers(v, values);
    assertEquals(v.dataId === memory, backend === "wasm", `${backend}: written in place or not`);
    values.fill(0); // the variable does not follow the array it was given
    assertEquals(Array.from(readNumbers(v)), [5, 6, 7, 8], backend);
    // A clone shares the variable's memory on wasm: writing must leave the clone as it was.
    const snapshot = tf.clone(v);
    writeNumbers(v, new Float32Array([9, 9, 9, 9]));
    assert(v.dataId !== snapshot.dataId, `${backend}: a shared variable gets new memory`);
    assertEquals(Array.from(snapshot.dataSync()), [5, 6, 7, 8], `${backend}: the clone is kept`);
    assertEquals(Array.from(v.dataSync()), [9, 9, 9, 9], backend);
    assertThrows(() => writeNumbers(v, new Float32Array(3)), /has 4 numbers, got 3/);
    tf.tidy(() => void assertThrows(() => readNumbers(tf.tensor1d([1], "int32")), /float32/));
    tf.dispose([v, snapshot]);
    assertEquals(tf.memory().numTensors, before, `${backend}: no tensors left behind`);
  }
  await initCourse();
});
