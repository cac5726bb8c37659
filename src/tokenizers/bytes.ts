/**
 * Text ↔ bytes for byte-level tokenizers. A byte sequence is kept as a "byte string": a JS
 * string with one character per byte (code 0–255), so byte sequences can be Map keys and be
 * concatenated cheaply.
 *
 * Lone surrogates: UTF-8 cannot encode half of a surrogate pair, so (as `TextEncoder` does) a
 * lone surrogate is encoded as U+FFFD, the replacement character. Every well-formed string
 * survives encode → decode exactly; a string with a lone surrogate comes back with U+FFFD there.
 *
 * @module
 */

/** UTF-8 bytes of `text` as a byte string. */
export function utf8Bytes(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out += text[i];
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    } else if (c >= 0xd800 && c <= 0xdfff) {
      c = 0xfffd; // a lone surrogate
    }
    if (c < 0x800) {
      out += String.fromCharCode(0xc0 | (c >> 6), 0x80 | (c & 63));
    } else if (c < 0x10000) {
      out += String.fromCharCode(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    } else {
      out += String.fromCharCode(
        0xf0 | (c >> 18),
        0x80 | ((c >> 12) & 63),
        0x80 | ((c >> 6) & 63),
        0x80 | (c & 63),
      );
    }
  }
  return out;
}

// ignoreBOM: keep a leading U+FEFF as the character it is (TextDecoder drops it by default,
// and a text that starts with one, or has one after a special token, would lose it).
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Decode a byte string as UTF-8; invalid sequences become U+FFFD, U+FEFF stays. */
export function utf8Text(bytes: string): string {
  const array = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) array[i] = bytes.charCodeAt(i);
  return decoder.decode(array);
}

/** A byte string as `Uint8Array`-style base64 (for saving vocabularies as JSON). */
export function bytesToBase64(bytes: string): string {
  return btoa(bytes);
}

/** Base64 to a byte string. */
export function base64ToBytes(base64: string): string {
  return atob(base64);
}

/**
 * A byte string shown readably: each complete UTF-8 character as itself (a space as "␣", a
 * newline as "⏎", a tab as "⇥"), each byte that is not part of a complete character as `\xNN`.
 * Byte-level tokens often hold part of a character: " \xf0\x9f" is a space and the first half
 * of an emoji, shown "␣\xf0\x9f".
 */
export function showBytes(bytes: string): string {
  let out = "";
  for (let i = 0; i < bytes.length;) {
    const lead = bytes.charCodeAt(i);
    const length = lead < 0x80
      ? 1
      : lead >= 0xf0 && lead < 0xf8
      ? 4
      : lead >= 0xe0
      ? 3
      : lead >= 0xc2
      ? 2
      : 0;
    const sequence = length > 0 ? bytes.slice(i, i + length) : "";
    const text = sequence.length === length && length > 0 ? utf8Text(sequence) : "\ufffd";
    if (text.includes("\ufffd")) {
      out += `\\x${lead.toString(16).padStart(2, "0")}`;
      i += 1;
    } else {
      out += text === " " ? "␣" : text === "\n" ? "⏎" : text === "\t" ? "⇥" : text;
      i += length;
    }
  }
  return out;
}
