import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import { chatBatch, IGNORE_TARGET, initCourse } from "../../src/mod.ts";
import { conversation, template, tokenizer } from "../chat_fixtures.ts";

await initCourse();

Deno.test("chat batches: targets are the assistant's tokens only, rows padded", () => {
  const chats = [
    template.encode(conversation),
    template.encode(conversation.slice(0, 2).concat({ role: "assistant", content: "3." })),
  ];
  const batch = chatBatch(template, chats);
  const x = batch.x.arraySync() as number[][];
  const y = batch.y.arraySync() as number[][];
  tf.dispose([batch.x, batch.y]);
  const T = chats[0].ids.length - 1;
  assertEquals([x.length, x[0].length], [2, T]);
  assertEquals(x[0], chats[0].ids.slice(0, -1));
  const targets = y[0].filter((t) => t !== IGNORE_TARGET);
  assertEquals(tokenizer.decode(targets), "2 + 1 = 3.<|end|>");
  assertEquals(tokenizer.decode(y[1].filter((t) => t !== IGNORE_TARGET)), "3.<|end|>");
  assert(x[1].slice(chats[1].ids.length - 1).every((id) => id === template.endId)); // padding
});
