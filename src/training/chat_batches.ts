/**
 * Training batches of conversations for a decoder-only model, where only the assistant's
 * tokens are targets.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { IGNORE_TARGET } from "../models/registry.ts";
import type { ChatTemplate, EncodedChat } from "../tokenizers/chat_template.ts";
import type { Batch } from "./batches.ts";

/**
 * A training batch of conversations for a decoder-only model: `x` the ids, `y` the next ids,
 * where only the assistant's tokens are targets (everything else is {@link IGNORE_TARGET}:
 * the model is taught to answer, not to ask). Rows are padded with `<|end|>` to the longest.
 */
export function chatBatch(template: ChatTemplate, chats: readonly EncodedChat[]): Batch {
  const T = Math.max(...chats.map((c) => c.ids.length)) - 1;
  const x = new Int32Array(chats.length * T).fill(template.endId);
  const y = new Int32Array(chats.length * T).fill(IGNORE_TARGET);
  chats.forEach((chat, b) => {
    for (let t = 0; t + 1 < chat.ids.length; t++) {
      x[b * T + t] = chat.ids[t];
      if (chat.assistant[t + 1]) y[b * T + t] = chat.ids[t + 1];
    }
  });
  return {
    x: tf.tensor2d(x, [chats.length, T], "int32"),
    y: tf.tensor2d(y, [chats.length, T], "int32"),
  };
}
