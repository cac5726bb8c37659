/**
 * Solutions to lesson 11's exercises (`src/exercises/chat.ts` checks them; the test suite
 * proves every check passes here and reports "not done" on the notebook's stubs).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type ChatTargets,
  type ChatTemplate,
  type EncodeToolChat,
  END_OF_MESSAGE,
  type GPT,
  IGNORE_TARGET,
  type Message,
  type ParseToolChat,
  type ReplyUntilEnd,
  ROLE_TOKENS,
  type Tokenizer,
  TOOL_ROLE_TOKEN,
  type ToolChatMessage,
  type ToolChatRole,
} from "../src/mod.ts";

/** Exercise 1: keep the role of the message we are in; a target where the next id is the assistant's. */
export const chatTargets: ChatTargets = (template: ChatTemplate, ids: readonly number[]) => {
  const roleIds = new Set(
    (["system", "user", "assistant"] as const).map((r) => template.roleId(r)),
  );
  let inAssistant = false;
  const assistant = ids.map((id) => {
    if (roleIds.has(id)) {
      inAssistant = id === template.roleId("assistant");
      return false; // a role token is never a target
    }
    const own = inAssistant; // content, or the <|end|> that closes the message
    if (id === template.endId) inAssistant = false;
    return own;
  });
  return ids.slice(1).map((next, t) => (assistant[t + 1] ? next : IGNORE_TARGET));
};

/** Exercise 2: one forward pass per new token, the argmax of the last position's logits. */
export const replyUntilEnd: ReplyUntilEnd = (
  model: GPT,
  template: ChatTemplate,
  messages: readonly Message[],
  maxNewTokens: number,
) => {
  const ids = template.encode(messages, { generationPrompt: true }).ids;
  const reply: number[] = [];
  for (let step = 0; step < maxNewTokens; step++) {
    const next = tf.tidy(() => {
      const logits = model.forward(tf.tensor2d([ids], undefined, "int32")); // (1, T, V)
      return logits.slice([0, ids.length - 1, 0], [1, 1, -1]).argMax(-1).dataSync()[0];
    });
    if (next === template.endId) break;
    ids.push(next);
    reply.push(next);
  }
  return { role: "assistant", content: template.tokenizer.decode(reply) };
};

/** The role token of each role of a conversation with tools. */
const TOOL_CHAT_TOKENS: Record<ToolChatRole, string> = { ...ROLE_TOKENS, tool: TOOL_ROLE_TOKEN };

/** The id of special token `token` of `tokenizer`. */
function specialId(tokenizer: Tokenizer, token: string): number {
  const id = tokenizer.specialTokens.get(token);
  if (id === undefined) throw new Error(`the tokenizer has no special token ${token}`);
  return id;
}

/** Exercise 3: role token, content as plain text, <|end|>; only the assistant's are targets. */
export const encodeToolChat: EncodeToolChat = (
  tokenizer: Tokenizer,
  messages: readonly ToolChatMessage[],
  generationPrompt: boolean,
) => {
  const end = specialId(tokenizer, END_OF_MESSAGE);
  const ids: number[] = [];
  const assistant: boolean[] = [];
  for (const { role, content } of messages) {
    const text = tokenizer.encode(content, { special: "as-text" });
    const own = role === "assistant";
    ids.push(specialId(tokenizer, TOOL_CHAT_TOKENS[role]), ...text, end);
    assistant.push(false, ...text.map(() => own), own);
  }
  if (generationPrompt) {
    ids.push(specialId(tokenizer, ROLE_TOKENS.assistant));
    assistant.push(false);
  }
  return { ids, assistant };
};

/** Exercise 4: a role token, then content up to <|end|> (or the end of the ids). */
export const parseToolChat: ParseToolChat = (tokenizer: Tokenizer, ids: readonly number[]) => {
  const end = specialId(tokenizer, END_OF_MESSAGE);
  const roleOf = new Map(
    (Object.keys(TOOL_CHAT_TOKENS) as ToolChatRole[]).map((role) => [
      specialId(tokenizer, TOOL_CHAT_TOKENS[role]),
      role,
    ]),
  );
  const messages: ToolChatMessage[] = [];
  let i = 0;
  while (i < ids.length) {
    const role = roleOf.get(ids[i]);
    if (role === undefined) throw new Error(`expected a role token at position ${i}`);
    let stop = i + 1;
    while (stop < ids.length && ids[stop] !== end) {
      if (roleOf.has(ids[stop])) throw new Error(`message at ${i} has no <|end|> before ${stop}`);
      stop++;
    }
    messages.push({ role, content: tokenizer.decode(ids.slice(i + 1, stop)) });
    i = stop + 1;
  }
  return messages;
};
