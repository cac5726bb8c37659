import { assertEquals } from "../assert.ts";
import { connectionInfo } from "../../src/display/delivery.ts";

// The confirmation itself needs a running kernel: tests/integration/notebook_outputs_test.ts.
Deno.test("outside a Jupyter kernel there is no connection file to confirm displays with", () => {
  assertEquals(connectionInfo(), undefined);
});
