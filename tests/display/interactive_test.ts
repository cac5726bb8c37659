import { parseHTML } from "linkedom";
import { assert, assertEquals } from "../assert.ts";
import { heatmap, initCourse, interactiveView } from "../../src/mod.ts";
import { runView } from "../display_fixtures.ts";

await initCourse();

const fallback = heatmap([[0.5, 0.5]], { title: "first state" });

/** A client that writes what it was given, through its one helper. */
function echoClient(
  root: HTMLElement,
  data: { words: string[] },
  helpers: { shout: (s: string) => string },
): void {
  root.textContent = data.words.map(helpers.shout).join(" ");
}

/** A client that fails. */
function failingClient(): void {
  throw new Error("no luck");
}

Deno.test("interactiveView: the client draws the data with its helpers; the picture gives way", async () => {
  const view = await interactiveView({
    name: "echo view",
    data: { words: ["</script>", "ok"] }, // a closing tag in the data must not end the script
    client: echoClient,
    helpers: { shout: (s: string) => s.toUpperCase() },
    fallback,
  });
  const shipped = /class="course-view-data">(.*?)<\/script>/.exec(view.html)?.[1] ?? "";
  assertEquals(JSON.parse(shipped), { words: ["</script>", "ok"] });
  assertEquals(view.dataBytes, shipped.length);
  assert(!view.html.includes('"</script>"'), "the data's closing tag was not escaped");
  const { view: root } = runView(view.html);
  assertEquals(root.querySelector(".course-view-live")?.textContent, "</SCRIPT> OK");
  assertEquals(root.querySelector(".course-view-picture"), null);
  assertEquals(
    root.querySelector(".course-view-note")?.textContent,
    "echo view, live (data: 0.0 kB)",
  );
  assertEquals(view.bytes, new TextEncoder().encode(view.html).length);
  const bundle = view[Symbol.for("Jupyter.display") as never] as unknown as () => Record<
    string,
    string
  >;
  assertEquals(Object.keys(bundle.call(view)).sort(), ["text/html", "text/plain"]);
});

Deno.test("interactiveView: a failing client keeps the picture and says so", async () => {
  const view = await interactiveView({
    name: "bad view",
    data: {},
    client: failingClient,
    helpers: {},
    fallback,
  });
  const { view: root, errors } = runView(view.html, true);
  assertEquals(errors.map(String), ["Error: no luck"]);
  assert(root.querySelector(".course-view-picture") !== null, "the picture is gone");
  assertEquals(root.querySelector(".course-view-live"), null);
  assertEquals(
    root.querySelector(".course-view-note")?.textContent,
    "The live view failed (Error: no luck); the picture shows its first state.",
  );
});

Deno.test("interactiveView: without currentScript the script finds the latest view not started", async () => {
  const view = await interactiveView({
    name: "echo view",
    data: { words: ["a"] },
    client: echoClient,
    helpers: { shout: (s: string) => s + "!" },
    fallback,
  });
  const { document } = parseHTML(`<html><body>${view.html}${view.html}</body></html>`);
  const scripts = [...document.querySelectorAll("script:not([type])")];
  Object.defineProperty(document, "currentScript", { value: null, configurable: true });
  for (const script of scripts) new Function("document", script.textContent ?? "")(document);
  const live = [...document.querySelectorAll(".course-view-live")].map((el) => el.textContent);
  assertEquals(live, ["a!", "a!"]);
});

Deno.test("interactiveView: its picture needs an SVG with a size", async () => {
  const bad = { ...fallback, svg: "<svg></svg>" } as typeof fallback;
  const failure = await interactiveView({
    name: "v",
    data: {},
    client: failingClient,
    helpers: {},
    fallback: bad,
  }).then(() => undefined, (error: Error) => error.message);
  assert(/needs an SVG with a width and a height/.test(failure ?? ""), `${failure}`);
});
