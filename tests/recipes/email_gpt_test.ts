import { assertEquals, assertThrows } from "../assert.ts";
import {
  ByteBpeTokenizer,
  type Email,
  EMAIL_GPT_TRAINING,
  EMAIL_LM_CHARACTERS,
  emailLanguageText,
  emailTokens,
} from "../../src/mod.ts";

const email = (id: string, text: string): Email => ({ id, group: "easy-ham-1", label: 0, text });

Deno.test("emailLanguageText: each email's first EMAIL_LM_CHARACTERS characters, joined by blank lines", () => {
  assertEquals(EMAIL_LM_CHARACTERS, 2000);
  const long = "é🙂".repeat(1500); // 3,000 characters, 4,500 UTF-16 units
  const text = emailLanguageText([email("1", "Subject: hi\n\nbody"), email("2", long)]);
  const [first, second] = [text.slice(0, 17), text.slice(19)];
  assertEquals(first, "Subject: hi\n\nbody");
  assertEquals(text.slice(17, 19), "\n\n");
  assertEquals(Array.from(second).length, EMAIL_LM_CHARACTERS); // cut between characters
  assertEquals(second, "é🙂".repeat(1000));
});

Deno.test("emailTokens: the joined text's ids (decoding gives the text back) and its UTF-8 bytes", () => {
  const emails = [email("1", "Subject: money\n\nFree money now"), email("2", "Subject: re: ß")];
  const tokenizer = ByteBpeTokenizer.train("Subject: money free money now", 270);
  const { tokens, bytes } = emailTokens(tokenizer, emails);
  const text = emailLanguageText(emails);
  assertEquals(tokenizer.decode(Array.from(tokens)), text);
  assertEquals(bytes, new TextEncoder().encode(text).length);
  assertEquals(bytes, text.length + 1); // ß is two bytes
  assertThrows(() => emailTokens(tokenizer, []), /at least one email/);
});

Deno.test("EMAIL_GPT_TRAINING: its schedule spans the run (warm-up, then decay to the last step)", () => {
  const { steps, schedule } = EMAIL_GPT_TRAINING;
  assertEquals(schedule.total, steps);
  assertEquals(schedule.warmup < steps && schedule.min < schedule.max, true);
});
