/**
 * Chatting with a decoder-only model: render the conversation with the chat template, add the
 * generation prompt `<|assistant|>`, let the model write until its `<|end|>`, and read the
 * reply back as a message.
 *
 * @module
 */
import type { GPT } from "../models/gpt.ts";
import type { ChatTemplate, Message } from "../tokenizers/chat_template.ts";
import { generate } from "./generate.ts";

/** Options of {@link chatReply}. */
export interface ChatReplyOptions {
  /** Most tokens in the reply (default 40). */
  maxNewTokens?: number;
  /** Sampling temperature (default 0: greedy, the same reply every time). */
  temperature?: number;
}

/** The assistant's next message after `messages`. */
export function chatReply(
  model: GPT,
  template: ChatTemplate,
  messages: readonly Message[],
  options: ChatReplyOptions = {},
): Message {
  const prompt = template.encode(messages, { generationPrompt: true }).ids;
  const written = generate(model, prompt, {
    maxNewTokens: options.maxNewTokens ?? 40,
    temperature: options.temperature ?? 0,
    stopId: template.endId,
  });
  const content = written.at(-1) === template.endId ? written.slice(0, -1) : written;
  return { role: "assistant", content: template.tokenizer.decode(content) };
}

/** A conversation to complete and the reply it should get. */
export interface ChatCase {
  /** The conversation so far (ending with the user's message). */
  messages: Message[];
  /** The right reply. */
  expected: string;
}

/** Greedy replies to every case, and the share that are exactly right. */
export function exactReplyAccuracy(
  model: GPT,
  template: ChatTemplate,
  cases: readonly ChatCase[],
): { accuracy: number; replies: string[] } {
  const replies = cases.map((c) => chatReply(model, template, c.messages).content);
  const right = replies.filter((r, i) => r === cases[i].expected).length;
  return { accuracy: right / cases.length, replies };
}
