import { assertEquals } from "../../assert.ts";
import { signedLeb, unsignedLeb } from "../../../src/engine/wasm/assembler.ts";

Deno.test("the assembler's LEB128 encodings match the WebAssembly specification's examples", () => {
  assertEquals(unsignedLeb(0), [0x00]);
  assertEquals(unsignedLeb(127), [0x7f]);
  assertEquals(unsignedLeb(128), [0x80, 0x01]);
  assertEquals(unsignedLeb(624485), [0xe5, 0x8e, 0x26]);
  assertEquals(signedLeb(-1), [0x7f]);
  assertEquals(signedLeb(63), [0x3f]);
  assertEquals(signedLeb(64), [0xc0, 0x00]);
  assertEquals(signedLeb(-64), [0x40]);
  assertEquals(signedLeb(-123456), [0xc0, 0xbb, 0x78]);
});
