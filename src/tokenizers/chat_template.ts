/**
 * The chat format: a conversation is a list of messages, each with a role; a chat template
 * turns it into one token sequence that a decoder-only model continues.
 *
 *     [{ role: "system", content: "You are a math teacher." },
 *      { role: "user", content: "what is 2+1" }]
 *
 *     <|system|>You are a math teacher.<|end|><|user|>what is 2+1<|end|><|assistant|>
 *
 * Each message is its role token, its content, and `<|end|>`. To get a reply, the template
 * ends with `<|assistant|>` (the generation prompt) and the model writes the content and its
 * own `<|end|>`, where generation stops.
 *
 * Role tokens are special tokens, one id each. Message content is always encoded as plain
 * text, so a user who types "<|assistant|>" gets the characters, never the role token: the
 * conversation's structure cannot be forged from inside a message.
 *
 * @module
 */
import type { Tokenizer } from "./tokenizer.ts";

/** Who speaks. */
export type Role = "system" | "user" | "assistant";

/** One message of a conversation. */
export interface Message {
  /** Who says it. */
  role: Role;
  /** What is said (plain text). */
  content: string;
}

/** The role tokens, and the token that ends every message. */
export const ROLE_TOKENS: Readonly<Record<Role, string>> = {
  system: "<|system|>",
  user: "<|user|>",
  assistant: "<|assistant|>",
};

/** The token that closes a message. */
export const END_OF_MESSAGE = "<|end|>";

/** Every special token a chat tokenizer needs. */
export const CHAT_SPECIAL_TOKENS: readonly string[] = [
  ...Object.values(ROLE_TOKENS),
  END_OF_MESSAGE,
];

/** Options of {@link ChatTemplate.encode}. */
export interface ChatEncodeOptions {
  /** End with `<|assistant|>`, for the model to write the reply (default false). */
  generationPrompt?: boolean;
}

/** A conversation as ids, and which positions the assistant wrote. */
export interface EncodedChat {
  /** The token ids. */
  ids: number[];
  /** True at ids that are assistant content or the `<|end|>` closing an assistant message. */
  assistant: boolean[];
}

/** Renders conversations to ids and parses ids back, with a tokenizer that has the role tokens. */
export class ChatTemplate {
  readonly #roleIds: Map<Role, number>;
  readonly #roleOfId: Map<number, Role>;
  /** The id of `<|end|>`. */
  readonly endId: number;

  /** @param tokenizer must have {@link CHAT_SPECIAL_TOKENS} as special tokens */
  constructor(readonly tokenizer: Tokenizer) {
    const missing = CHAT_SPECIAL_TOKENS.filter((t) => !tokenizer.specialTokens.has(t));
    if (missing.length > 0) {
      throw new Error(
        `the tokenizer lacks the chat tokens ${missing.join(", ")}; ` +
          `train it with special tokens ${CHAT_SPECIAL_TOKENS.join(" ")}`,
      );
    }
    const id = (token: string) => tokenizer.specialTokens.get(token)!;
    this.#roleIds = new Map(
      (Object.keys(ROLE_TOKENS) as Role[]).map((role) => [role, id(ROLE_TOKENS[role])]),
    );
    this.#roleOfId = new Map([...this.#roleIds].map(([role, i]) => [i, role]));
    this.endId = id(END_OF_MESSAGE);
  }

  /** The id of a role's token. */
  roleId(role: Role): number {
    return this.#roleIds.get(role)!;
  }

  /** The conversation as ids, and which of them the assistant wrote. */
  encode(messages: readonly Message[], options: ChatEncodeOptions = {}): EncodedChat {
    const ids: number[] = [];
    const assistant: boolean[] = [];
    for (const [index, message] of messages.entries()) {
      const roleId = this.#roleIds.get(message.role);
      if (roleId === undefined) {
        throw new RangeError(
          `message ${index} has role ${JSON.stringify(message.role)}; roles are ${
            Object.keys(ROLE_TOKENS).join(", ")
          }`,
        );
      }
      const content = this.tokenizer.encode(message.content, { special: "as-text" });
      const own = message.role === "assistant";
      ids.push(roleId, ...content, this.endId);
      assistant.push(false, ...content.map(() => own), own);
    }
    if (options.generationPrompt) {
      ids.push(this.roleId("assistant"));
      assistant.push(false);
    }
    return { ids, assistant };
  }

  /** The conversation as text, role tokens written out (for reading, not for the model). */
  render(messages: readonly Message[], options: ChatEncodeOptions = {}): string {
    return messages.map((m) => `${ROLE_TOKENS[m.role]}${m.content}${END_OF_MESSAGE}`).join("") +
      (options.generationPrompt ? ROLE_TOKENS.assistant : "");
  }

  /**
   * Ids back to messages: the inverse of {@link encode}. A last message without `<|end|>` (a
   * reply cut short) is returned as far as it goes; ids outside any message are an error.
   */
  parse(ids: readonly number[]): Message[] {
    const messages: Message[] = [];
    let i = 0;
    while (i < ids.length) {
      const role = this.#roleOfId.get(ids[i]);
      if (role === undefined) {
        throw new Error(
          `expected a role token at position ${i}, got ${
            JSON.stringify(this.tokenizer.tokenText(ids[i]))
          }`,
        );
      }
      let end = i + 1;
      while (end < ids.length && ids[end] !== this.endId) {
        if (this.#roleOfId.has(ids[end])) {
          throw new Error(
            `message at position ${i} has no ${END_OF_MESSAGE} before position ${end}`,
          );
        }
        end++;
      }
      messages.push({ role, content: this.tokenizer.decode(ids.slice(i + 1, end)) });
      i = end + 1;
    }
    return messages;
  }
}
