import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "../assert.ts";
import {
  CHAT_EXERCISES,
  chatReply,
  ChatTemplate,
  GPT,
  IGNORE_TARGET,
  initCourse,
  readCheckpoint,
  restoreWeights,
  sumChatConfig,
  sumChatTokenizer,
  sumDialogue,
  type Tokenizer,
  yourTurn,
} from "../../src/mod.ts";
import { proveCaught, proveChecks, proveNotebookStubs } from "./prove.ts";
import * as solutions from "../../solutions/11_chat.ts";

await initCourse();

Deno.test("lesson 11's exercises: every check passes on the solution, fails on a wrong answer, and a stub is not done", async () => {
  const before = tf.memory().numTensors;
  const ex = CHAT_EXERCISES;
  const leaked: tf.Tensor[] = []; // what the wrong reply leaks, freed after its proof
  await proveChecks(
    "chatTargets",
    ex.chatTargets,
    solutions.chatTargets,
    (_template, ids) => ids.slice(1), // every next token a target
    () => yourTurn("chatTargets"),
  );
  await proveChecks(
    "replyUntilEnd",
    ex.replyUntilEnd,
    solutions.replyUntilEnd,
    // a reply that leaks a tensor and ends in a written-out <|end|>
    (model, template, messages, maxNewTokens) => {
      leaked.push(tf.tensor1d([maxNewTokens]));
      const reply = solutions.replyUntilEnd(model, template, messages, maxNewTokens);
      return { role: "assistant", content: `${reply.content}<|end|>` };
    },
    () => yourTurn("replyUntilEnd"),
  );
  tf.dispose(leaked);
  await proveChecks(
    "encodeToolChat",
    ex.encodeToolChat,
    solutions.encodeToolChat,
    () => ({ ids: [], assistant: [] }),
    () => yourTurn("encodeToolChat"),
  );
  await proveChecks(
    "parseToolChat",
    ex.parseToolChat,
    solutions.parseToolChat,
    () => [],
    () => yourTurn("parseToolChat"),
  );
  // typical mistakes, each caught by some check
  await proveCaught("targets not shifted", ex.chatTargets, (template, ids) => {
    const right = solutions.chatTargets(template, ids);
    return ids.slice(0, -1).map((id, t) => (right[t] === IGNORE_TARGET ? IGNORE_TARGET : id));
  });
  await proveCaught(
    "the assistant's <|end|> left out",
    ex.chatTargets,
    (template, ids) =>
      solutions.chatTargets(template, ids).map((y) => (y === template.endId ? IGNORE_TARGET : y)),
  );
  await proveCaught(
    "the assistant's role token a target",
    ex.chatTargets,
    (template, ids) =>
      solutions.chatTargets(template, ids).map((y, t) =>
        ids[t + 1] === template.roleId("assistant") ? ids[t + 1] : y
      ),
  );
  await proveCaught(
    "not stopping at <|end|>",
    ex.replyUntilEnd,
    (model, template, messages, maxNewTokens) => {
      const ids = template.encode(messages, { generationPrompt: true }).ids;
      const reply: number[] = [];
      for (let step = 0; step < maxNewTokens; step++) {
        const next = tf.tidy(() =>
          model.forward(tf.tensor2d([ids], undefined, "int32")).slice([0, ids.length - 1, 0], [
            1,
            1,
            -1,
          ]).argMax(-1).dataSync()[0]
        );
        ids.push(next);
        if (next !== template.endId) reply.push(next);
      }
      return { role: "assistant", content: template.tokenizer.decode(reply) };
    },
  );
  await proveCaught(
    "a tool's message trained on",
    ex.encodeToolChat,
    (tokenizer, messages, prompt) =>
      solutions.encodeToolChat(
        tokenizer,
        messages.map((m) => m.role === "tool" ? { ...m, role: "assistant" } : m),
        prompt,
      ),
  );
  await proveCaught(
    "content encoded with its special tokens",
    ex.encodeToolChat,
    (tokenizer, messages, prompt) => {
      // the same tokenizer, but typed role tokens in the text become role tokens
      const forgeable: Tokenizer = Object.create(tokenizer, {
        encode: { value: (text: string) => tokenizer.encode(text, { special: "allow" }) },
      });
      return solutions.encodeToolChat(forgeable, messages, prompt);
    },
  );
  await proveCaught(
    "a tool message parsed as a user's",
    ex.parseToolChat,
    (tokenizer, ids) =>
      solutions.parseToolChat(tokenizer, ids).map((m) =>
        m.role === "tool" ? { ...m, role: "user" } : m
      ),
  );
  await proveCaught(
    "no errors: a stray id skipped",
    ex.parseToolChat,
    (tokenizer, ids) => {
      try {
        return solutions.parseToolChat(tokenizer, ids);
      } catch {
        return [];
      }
    },
  );
  await proveCaught(
    "an error that does not say what was wrong",
    ex.parseToolChat,
    (tokenizer, ids) => {
      try {
        return solutions.parseToolChat(tokenizer, ids);
      } catch {
        throw new Error("cannot parse these ids");
      }
    },
  );
  await proveCaught(
    "an error that names the problem but not where",
    ex.parseToolChat,
    (tokenizer, ids) => {
      try {
        return solutions.parseToolChat(tokenizer, ids);
      } catch {
        throw new Error("expected a role token, or <|end|> before the next role token");
      }
    },
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lesson 11's exercise 2 names the shipped model's slip rightly: 45 + 38 asked second gets 73", async () => {
  const checkpoint = await readCheckpoint(
    new URL("../../data/sum_chat.ckpt", import.meta.url).pathname,
  );
  const tokenizer = sumChatTokenizer();
  const model = new GPT(sumChatConfig(tokenizer.vocabSize));
  try {
    restoreWeights(model, checkpoint);
    const turns = [{ q: { a: 2, b: 1 }, form: 0 }, { q: { a: 45, b: 38 }, form: 1 }];
    const reply = chatReply(model, new ChatTemplate(tokenizer), sumDialogue(0, turns, false));
    assertEquals(reply.content, "45 + 38 = 73.");
    assert(
      CHAT_EXERCISES.replyUntilEnd.checks(solutions.replyUntilEnd).some((c) =>
        c.name.includes("45 + 38") && c.name.includes("73")
      ),
    );
  } finally {
    model.dispose();
  }
});

Deno.test("lesson 11's committed run shows every exercise not done (the notebook holds stubs, not solutions)", async () => {
  await proveNotebookStubs("11_chat.ipynb", CHAT_EXERCISES);
});
