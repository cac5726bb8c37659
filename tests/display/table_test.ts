import { assert, assertEquals } from "../assert.ts";
import { table } from "../../src/mod.ts";

Deno.test("table: aligned text, escaped HTML, visible newlines, row limit", () => {
  const view = table([{ token: "the", count: 12345, p: 0.5 }, { token: "\n", count: 7, p: 0.25 }, {
    token: "<b>",
    count: 1,
    p: 0.125,
  }], { maxRows: 2, digits: 2 });
  assertEquals(
    view.text(),
    [
      "token  count   p",
      "-----  ------  ----",
      "the    12,345  0.50",
      "\\n     7       0.25",
      "… 1 more rows",
    ].join(
      "\n",
    ),
  );
  assertEquals(table([{ seed: 1337 }]).text(), "seed\n----\n1337");
  const html = table([{ token: "<b>" }]).html();
  assert(html.includes("<td>&#60;b&#62;</td>"), html);
});
