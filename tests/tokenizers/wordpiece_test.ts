import { assertEquals } from "../assert.ts";
import { mobyDick, WordPieceTokenizer } from "../../src/mod.ts";

Deno.test("WordPiece: greedy longest match with ## pieces, [UNK], special tokens", () => {
  const wp = new WordPieceTokenizer([
    "play",
    "p",
    "##ing",
    "##ed",
    "##l",
    "##a",
    "##y",
    "the",
    "!",
    "un",
    "##believ",
    "##able",
  ]);
  assertEquals(wp.tokenize("Playing the played!"), ["play", "##ing", "the", "play", "##ed", "!"]);
  assertEquals(wp.tokenize("unbelievable"), ["un", "##believ", "##able"]);
  assertEquals(wp.tokenize("xylophone"), ["[UNK]"]);
  assertEquals(wp.tokenize("[CLS] play [SEP]", { special: "allow" }), ["[CLS]", "play", "[SEP]"]);
  assertEquals(wp.decode(wp.encode("playing the game!")), "playing the [UNK] !");
  assertEquals(wp.encode(""), []);
});

Deno.test("WordPiece trained on Moby Dick: 'playing' → 'play', '##ing'", () => {
  const wp = WordPieceTokenizer.train(mobyDick(), 4000);
  assertEquals(wp.vocabSize, 4000);
  assertEquals(wp.tokenize("playing"), ["play", "##ing"]);
  assertEquals(wp.tokenize("The whale"), ["the", "whale"]);
});
