import { assert, assertEquals } from "../assert.ts";
import { sumAnswerText, sumConversation, sumDialogue, sumQuestionSplit } from "../../src/mod.ts";
import { conversation } from "../chat_fixtures.ts";

Deno.test("sum questions: 10,000 pairs, test and validation pairs never in training", () => {
  const split = sumQuestionSplit();
  assertEquals([split.train.length, split.validation.length, split.test.length], [9300, 200, 500]);
  const key = (q: { a: number; b: number }) => `${q.a}+${q.b}`;
  const train = new Set(split.train.map(key));
  assert(split.test.every((q) => !train.has(key(q))));
  assert(split.validation.every((q) => !train.has(key(q))));
  assertEquals(new Set([...split.train, ...split.validation, ...split.test].map(key)).size, 10000);
  assertEquals(sumAnswerText({ a: 2, b: 1 }), "2 + 1 = 3.");
  assertEquals(sumConversation({ a: 2, b: 1 }, { system: 0, form: 0 }), conversation);
  // Two turns, the last answer left for the model.
  const dialogue = sumDialogue(
    1,
    [{ q: { a: 2, b: 1 }, form: 0 }, { q: { a: 40, b: 5 }, form: 3 }],
    false,
  );
  assertEquals(dialogue.map((m) => m.role), ["system", "user", "assistant", "user"]);
  assertEquals(dialogue.map((m) => m.content).slice(1), ["what is 2+1", "2 + 1 = 3.", "40+5=?"]);
  assertEquals(dialogue[0].content, "You are a helpful math teacher.");
});
