import { assertEquals } from "../assert.ts";
import { ByteBpeTokenizer, showBytes, utf8Bytes } from "../../src/mod.ts";

const gpt2 = await ByteBpeTokenizer.gpt2();

Deno.test("byte-level: a lone surrogate becomes U+FFFD, as TextEncoder does", () => {
  for (const s of ["a\ud800b", "\udc00", "x\ud83d"]) {
    assertEquals(utf8Bytes(s), String.fromCharCode(...new TextEncoder().encode(s)));
    assertEquals(gpt2.decode(gpt2.encode(s)), s.replace(/[\ud800-\udfff]/g, "\ufffd"));
  }
});

Deno.test("showBytes: whole characters as text, stray bytes as \\xNN, whitespace visible", () => {
  assertEquals(showBytes(" \xf0\x9f"), "␣\\xf0\\x9f");
  assertEquals(showBytes(utf8Bytes("白鯨 🐳\n")), "白鯨␣🐳⏎");
  assertEquals(showBytes("\xe7\x99"), "\\xe7\\x99");
  assertEquals(gpt2.tokenize("Moby 🐳"), ["M", "oby", "␣\\xf0\\x9f", "\\x90", "\\xb3"]);
});
