import { assert, assertEquals } from "../assert.ts";
import { sentenceSequences, splitSentences, WordPieceTokenizer } from "../../src/mod.ts";

Deno.test("sentences: split at sentence ends; long ones cut before a word", () => {
  assertEquals(
    splitSentences('Call me Ishmael. Some years ago—never mind\nhow long! "Who?" he said.'),
    [
      "Call me Ishmael.",
      "Some years ago—never mind how long!",
      '"Who?" he said.',
    ],
  );
  const text = "the whale swam and the whale dove. " + "a whale of a tale and ".repeat(20) + "end.";
  const tokenizer = WordPieceTokenizer.train(text.repeat(30), 60, { minCount: 2 });
  const seqs = sentenceSequences(tokenizer, text);
  const [cls, sep] = [tokenizer.tokenId("[CLS]"), tokenizer.tokenId("[SEP]")];
  assert(seqs.length >= 3, `a long sentence should be cut into pieces, got ${seqs.length}`);
  for (const s of seqs) {
    assert(s.length <= 40 && s[0] === cls && s.at(-1) === sep);
    assert(!tokenizer.tokenText(s[1]).startsWith("##"), "a piece starts inside a word");
  }
});
