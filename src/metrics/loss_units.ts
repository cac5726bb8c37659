/**
 * A language model's loss read in other units. The cross-entropy is in *nats*: it uses the
 * natural logarithm. In bits (base 2) it is the loss divided by ln 2: for a character-level
 * model, the bits a compressor driven by the model would spend per character. Its *perplexity*
 * is e^loss: the model is as unsure as if it picked among that many equally likely tokens, so a
 * uniform guess over V tokens has perplexity V.
 *
 * @module
 */
import { requireInRange } from "../runtime/checks.ts";

/** A mean cross-entropy in nats as bits per character (per token): `loss / ln 2`. */
export function bitsPerCharacter(loss: number): number {
  requireLoss(loss);
  return loss / Math.LN2;
}

/** The perplexity of a mean cross-entropy in nats: `e^loss`. */
export function perplexity(loss: number): number {
  requireLoss(loss);
  return Math.exp(loss);
}

/** A mean cross-entropy is a finite number ≥ 0. */
function requireLoss(loss: number): void {
  requireInRange("a mean cross-entropy (nats)", loss, 0, Infinity, "[)");
}

/**
 * A mean cross-entropy in nats per token as bits per byte of UTF-8 text: `loss / ln 2` bits per
 * token, spread over the `bytes / tokens` bytes a token stands for on average. Models with
 * different tokenizers compare in bits per byte (a character-level model of ASCII text: bits per
 * character).
 */
export function bitsPerByte(loss: number, tokens: number, bytes: number): number {
  requireInRange("tokens", tokens, 0, Infinity, "()");
  requireInRange("bytes", bytes, 0, Infinity, "()");
  return bitsPerCharacter(loss) * (tokens / bytes);
}
