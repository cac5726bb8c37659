/**
 * Lesson 11's chat tokenizer and template, and a conversation in it, shared by the tests of the
 * chat template, chat batches and the sum-chat recipe.
 *
 * @module
 */
import { ChatTemplate, type Message, sumChatTokenizer } from "../src/mod.ts";

export const tokenizer = sumChatTokenizer();
export const template = new ChatTemplate(tokenizer);
export const conversation: Message[] = [
  { role: "system", content: "You are a math teacher." },
  { role: "user", content: "what is 2+1" },
  { role: "assistant", content: "2 + 1 = 3." },
];
