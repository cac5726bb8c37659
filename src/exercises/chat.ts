/**
 * Lesson 11's exercises (`notebooks/11_chat.ipynb`; solutions in `solutions/11_chat.ts`): the
 * targets of a chat batch read from the ids alone, a reply generated until `<|end|>`, and a
 * fourth role, "tool", encoded and parsed back, each checked against the course's own version.
 * The checks of exercise 2 load the shipped chat model (`data/sum_chat.ckpt`); building it
 * draws from the course-wide generator.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { chatReply } from "../generation/chat.ts";
import { GPT } from "../models/gpt.ts";
import { IGNORE_TARGET } from "../models/registry.ts";
import {
  sumChatCases,
  sumChatConfig,
  sumChatTokenizer,
  sumDialogue,
  sumQuestionSplit,
} from "../recipes/sum_chat.ts";
import { Random } from "../runtime/random.ts";
import { CharTokenizer } from "../tokenizers/char.ts";
import {
  CHAT_SPECIAL_TOKENS,
  ChatTemplate,
  type EncodedChat,
  END_OF_MESSAGE,
  type Message,
  type Role,
  ROLE_TOKENS,
} from "../tokenizers/chat_template.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import { chatBatch } from "../training/chat_batches.ts";
import { checkCheckpointConfig, readCheckpoint, restoreWeights } from "../training/checkpoint.ts";
import { type Exercise, type ExerciseCheck, expectEqual, isNotDone } from "./exercise.ts";

/**
 * The targets of one conversation's training row, from its ids alone: position t's target is
 * `ids[t + 1]` where that token is the assistant's (its content or the `<|end|>` closing its
 * message), `IGNORE_TARGET` elsewhere; `ids.length − 1` targets.
 */
export type ChatTargets = (template: ChatTemplate, ids: readonly number[]) => number[];
/**
 * The assistant's reply to `messages`, written greedily by `model` one token at a time until it
 * writes `<|end|>` (left out of the reply) or has written `maxNewTokens` tokens.
 */
export type ReplyUntilEnd = (
  model: GPT,
  template: ChatTemplate,
  messages: readonly Message[],
  maxNewTokens: number,
) => Message;

/** The role token of the exercises' fourth role: what a tool (a calculator, a search) returned. */
export const TOOL_ROLE_TOKEN = "<|tool|>";
/** The roles of a conversation with tools: the template's three, and "tool". */
export type ToolChatRole = Role | "tool";
/** A message of a conversation with tools. */
export interface ToolChatMessage {
  /** Who says it. */
  role: ToolChatRole;
  /** What is said (plain text). */
  content: string;
}
/**
 * A conversation with tools as ids, the chat template's way, with `<|tool|>` the tool's role
 * token (a special token of `tokenizer`); a tool's message is context, never a target. With
 * `generationPrompt`, the ids end in `<|assistant|>`.
 */
export type EncodeToolChat = (
  tokenizer: Tokenizer,
  messages: readonly ToolChatMessage[],
  generationPrompt: boolean,
) => EncodedChat;
/** Ids of a conversation with tools back to its messages, as `ChatTemplate.parse` reads ids. */
export type ParseToolChat = (tokenizer: Tokenizer, ids: readonly number[]) => ToolChatMessage[];

/** The characters of the wide tokenizer: letters, digits, and what role tokens are typed with. */
const WIDE_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<|> .,?!+=";

/** The tokenizers of the tool exercises: lesson 11's characters, and a wide set (specials in reverse order). */
function toolTokenizers(): { name: string; tokenizer: CharTokenizer }[] {
  const sums = sumChatTokenizer();
  const text = [...Array(sums.vocabSize - sums.specialTokens.size).keys()].map((id) =>
    sums.tokenText(id)
  ).join("");
  return [
    {
      name: "lesson 11's characters",
      tokenizer: CharTokenizer.train(text, [...CHAT_SPECIAL_TOKENS, TOOL_ROLE_TOKEN]),
    },
    {
      name: "letters, with the special tokens in another order",
      tokenizer: CharTokenizer.train(
        WIDE_CHARACTERS,
        [...CHAT_SPECIAL_TOKENS, TOOL_ROLE_TOKEN].reverse(),
      ),
    },
  ];
}

/** Random text of up to `max` characters of `characters`, now and then a typed role token. */
function randomText(random: Random, characters: string, max: number): string {
  const typed = [TOOL_ROLE_TOKEN, END_OF_MESSAGE, ROLE_TOKENS.assistant];
  const pieces = Array.from(
    { length: random.int(max + 1) },
    () => characters[random.int(characters.length)],
  );
  if (characters.includes("<") && random.next() < 0.3) {
    pieces.splice(random.int(pieces.length + 1), 0, typed[random.int(typed.length)]);
  }
  return pieces.join("");
}

/** `count` random conversations of 1 to 6 messages of `roles`. */
function randomConversations(
  random: Random,
  tokenizer: CharTokenizer,
  roles: readonly ToolChatRole[],
  count: number,
): ToolChatMessage[][] {
  const characters = [...Array(tokenizer.vocabSize - tokenizer.specialTokens.size).keys()].map(
    (id) => tokenizer.tokenText(id),
  ).join("");
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + random.int(6) }, () => ({
      role: roles[random.int(roles.length)],
      content: randomText(random, characters, 12),
    })));
}

/** The worked example: a question, a call to the calculator, its result, and the answer. */
const CALCULATOR: readonly ToolChatMessage[] = [
  { role: "system", content: "You are a math teacher." },
  { role: "user", content: "what is 2+1" },
  { role: "assistant", content: "2+1=?" },
  { role: "tool", content: "3" },
  { role: "assistant", content: "2 + 1 = 3." },
];

/** A tool's message read as a user's, for the template (which knows three roles). */
function asUser(m: ToolChatMessage): Message {
  return { role: m.role === "tool" ? "user" : m.role, content: m.content };
}

/**
 * The course's encoding with tools: `ChatTemplate.encode`, message by message, each tool
 * message encoded as a user's with `<|tool|>` for `<|user|>`.
 */
function courseToolEncode(
  tokenizer: Tokenizer,
  messages: readonly ToolChatMessage[],
  generationPrompt: boolean,
): EncodedChat {
  const template = new ChatTemplate(tokenizer);
  const toolId = tokenizer.specialTokens.get(TOOL_ROLE_TOKEN)!;
  const parts = messages.map((m) => {
    const { ids, assistant } = template.encode([asUser(m)]);
    return { ids: m.role === "tool" ? [toolId, ...ids.slice(1)] : ids, assistant };
  });
  const end = template.encode([], { generationPrompt });
  return {
    ids: [...parts.flatMap((p) => p.ids), ...end.ids],
    assistant: [...parts.flatMap((p) => p.assistant), ...end.assistant],
  };
}

/**
 * The course's parse with tools: `ChatTemplate.parse` of the ids with `<|tool|>` read as
 * `<|user|>`, then each message whose role token was `<|tool|>` given back its role.
 */
function courseToolParse(tokenizer: Tokenizer, ids: readonly number[]): ToolChatMessage[] {
  const template = new ChatTemplate(tokenizer);
  const toolId = tokenizer.specialTokens.get(TOOL_ROLE_TOKEN)!;
  const userId = template.roleId("user");
  const roleIds = new Set([
    toolId,
    ...(["system", "user", "assistant"] as const).map((r) => template.roleId(r)),
  ]);
  const starts = ids.filter((id) => roleIds.has(id)); // one role token per message, in order
  return template.parse(ids.map((id) => (id === toolId ? userId : id))).map((m, k) =>
    starts[k] === toolId ? { role: "tool", content: m.content } : m
  );
}

/** An id as its number and its token's text (`IGNORE_TARGET` by name). */
function idText(tokenizer: Tokenizer): (id: unknown) => string {
  return (id) =>
    id === IGNORE_TARGET
      ? "IGNORE_TARGET"
      : typeof id === "number" && Number.isInteger(id) && id >= 0 && id < tokenizer.vocabSize
      ? `${id} (${JSON.stringify(tokenizer.tokenText(id))})`
      : String(id);
}

/** The course's targets of a conversation: the row `chatBatch` makes of it alone. */
function courseTargets(template: ChatTemplate, chat: EncodedChat): number[] {
  const batch = chatBatch(template, [chat]);
  try {
    return (batch.y.arraySync() as number[][])[0];
  } finally {
    tf.dispose([batch.x, batch.y]);
  }
}

/** Run `use` with the shipped chat model (`data/sum_chat.ckpt`) and its template; then free it. */
async function withShippedModel(
  use: (model: GPT, template: ChatTemplate) => void | Promise<void>,
): Promise<void> {
  const checkpoint = await readCheckpoint(new URL("../../data/sum_chat.ckpt", import.meta.url));
  const tokenizer = sumChatTokenizer();
  const model = new GPT(sumChatConfig(tokenizer.vocabSize));
  try {
    checkCheckpointConfig(checkpoint, "gpt", model.config);
    restoreWeights(model, checkpoint);
    await use(model, new ChatTemplate(tokenizer));
  } finally {
    model.dispose();
  }
}

/** Check that `answer` replies to each conversation as `chatReply` does, `maxNewTokens` at most. */
function sameReplies(
  answer: ReplyUntilEnd,
  conversations: readonly Message[][],
  maxNewTokens: number,
): Promise<void> {
  return withShippedModel((model, template) =>
    conversations.forEach((messages) => {
      const expected = chatReply(model, template, messages, { maxNewTokens });
      expectEqual(
        answer(model, template, messages, maxNewTokens),
        expected,
        `reply to ${JSON.stringify(messages.at(-1)!.content)}`,
      );
    })
  );
}

/** For each of `tokenizers`, 30 random conversations that use all four roles, tool included. */
function toolConversations(
  random: Random,
  tokenizers: ReturnType<typeof toolTokenizers>,
) {
  return tokenizers.map(({ name, tokenizer }) => ({
    name,
    tokenizer,
    conversations: randomConversations(
      random,
      tokenizer,
      ["system", "user", "assistant", "tool"],
      30,
    ),
  }));
}

/** Lesson 11's exercises, easiest first. */
export const CHAT_EXERCISES: {
  chatTargets: Exercise<ChatTargets>;
  replyUntilEnd: Exercise<ReplyUntilEnd>;
  encodeToolChat: Exercise<EncodeToolChat>;
  parseToolChat: Exercise<ParseToolChat>;
} = {
  chatTargets: {
    title: "Exercise 1 · targets on the assistant's tokens only",
    checks: (answer) => {
      const sums = new ChatTemplate(sumChatTokenizer());
      const [, wide] = toolTokenizers();
      const wideTemplate = new ChatTemplate(wide.tokenizer);
      const random = new Random(111);
      const split = sumQuestionSplit();
      const hint = "walk the ids keeping the role of the message you are in: a role token " +
        "starts one, <|end|> closes it; ids[t + 1] is a target when it is assistant content " +
        "or the <|end|> of an assistant's message (not its role token); everything else is " +
        "IGNORE_TARGET (−1); ids.length − 1 targets in all";
      const cases: { name: string; template: ChatTemplate; chats: EncodedChat[] }[] = [
        {
          name: "“what is 2+1” and its answer",
          template: sums,
          chats: [sums.encode(sumDialogue(0, [{ q: { a: 2, b: 1 }, form: 0 }]))],
        },
        {
          name: "20 conversations of two questions",
          template: sums,
          chats: split.train.slice(0, 20).map((q, i) =>
            sums.encode(
              sumDialogue(i % 2, [{ q, form: i % 5 }, { q: split.train[i + 20], form: 2 }]),
            )
          ),
        },
        {
          name: "10 conversations waiting for a reply (the generation prompt last)",
          template: sums,
          chats: sumChatCases(split.test.slice(0, 10)).map((c) =>
            sums.encode(c.messages, { generationPrompt: true })
          ),
        },
        {
          name: "30 random conversations, role tokens typed in the text",
          template: wideTemplate,
          chats: randomConversations(random, wide.tokenizer, ["system", "user", "assistant"], 30)
            .map((messages) => wideTemplate.encode(messages.map(asUser))),
        },
      ];
      return cases.map(({ name, template, chats }) => ({
        name: `${name}: chatBatch's targets`,
        hint,
        run: () =>
          chats.forEach((chat, n) =>
            expectEqual(
              answer(template, chat.ids),
              courseTargets(template, chat),
              `conversation ${n}`,
              idText(template.tokenizer),
            )
          ),
      }));
    },
  },
  replyUntilEnd: {
    title: "Exercise 2 · write until <|end|>",
    checks: (answer) => {
      const hint = "encode with { generationPrompt: true }; then again and again: the logits " +
        "of model.forward at the last position (inside tf.tidy), the argmax, appended; stop " +
        "after <|end|> (template.endId) or maxNewTokens tokens; decode the reply without <|end|>";
      const seed = sumDialogue(0, [{ q: { a: 2, b: 1 }, form: 0 }], false);
      const heldOut = sumChatCases(sumQuestionSplit().test.slice(0, 8)).map((c) => c.messages);
      const second = sumDialogue(0, [{ q: { a: 2, b: 1 }, form: 0 }, {
        q: { a: 45, b: 38 },
        form: 1,
      }], false);
      const checks: ExerciseCheck[] = [
        {
          name: "“what is 2+1”: chatReply's reply",
          hint,
          run: () => sameReplies(answer, [seed], 40),
        },
        {
          name: "8 held-out questions: chatReply's replies",
          hint,
          run: () => sameReplies(answer, heldOut, 40),
        },
        {
          name: "45 + 38 asked second, after 2 + 1: chatReply's reply (73, the model's slip)",
          hint,
          run: () => sameReplies(answer, [second], 40),
        },
        {
          name: "at most 4 new tokens, and at most 0: the reply cut short, as chatReply cuts it",
          hint: hint + "; with no <|end|> written, the reply is every token written",
          run: async () => {
            await sameReplies(answer, [seed, ...heldOut.slice(0, 3)], 4);
            await sameReplies(answer, [seed], 0);
          },
        },
        {
          name: "it leaves as many tensors as it found",
          hint: "wrap each step's tensor work in tf.tidy and read the numbers out with " +
            "dataSync() inside it; dispose what you create outside a tidy",
          run: () =>
            withShippedModel((model, template) => {
              const before = tf.memory().numTensors;
              answer(model, template, seed, 40);
              const after = tf.memory().numTensors;
              if (after !== before) {
                throw new RangeError(`${after - before} tensors were left behind`);
              }
            }),
        },
      ];
      return checks;
    },
  },
  encodeToolChat: {
    title: "Exercise 3 · a tool role",
    checks: (answer) => {
      const tokenizers = toolTokenizers();
      const random = new Random(113);
      const hint = "each message is its role token (<|tool|> for a tool: " +
        "tokenizer.specialTokens.get(TOOL_ROLE_TOKEN)), its content as plain text " +
        '(tokenizer.encode(content, { special: "as-text" })) and <|end|>; the generation ' +
        "prompt, <|assistant|>, last";
      const maskHint = "assistant is true at an assistant's content and the <|end|> closing " +
        "it, false elsewhere: a tool's message is context, like a user's";
      const compare = (
        part: "ids" | "assistant",
        tokenizer: Tokenizer,
        conversations: readonly (readonly ToolChatMessage[])[],
      ) =>
        conversations.forEach((messages, n) => {
          const prompt = n % 2 === 1;
          expectEqual(
            answer(tokenizer, messages, prompt)?.[part],
            courseToolEncode(tokenizer, messages, prompt)[part],
            `conversation ${n}${prompt ? " (with the generation prompt)" : ""}`,
            part === "ids" ? idText(tokenizer) : undefined,
          );
        });
      const withTools = toolConversations(random, tokenizers);
      const withoutTools = randomConversations(
        random,
        tokenizers[1].tokenizer,
        ["system", "user", "assistant"],
        20,
      );
      return [
        {
          name: "a question, a call to the calculator, its result and the answer: the ids",
          hint,
          run: () => compare("ids", tokenizers[0].tokenizer, [CALCULATOR]),
        },
        {
          name: "the same conversation: the assistant mask (false on the tool's message)",
          hint: maskHint,
          run: () => compare("assistant", tokenizers[0].tokenizer, [CALCULATOR]),
        },
        {
          name: "20 random conversations without a tool: ChatTemplate.encode's ids and mask",
          hint,
          run: () => {
            compare("ids", tokenizers[1].tokenizer, withoutTools);
            compare("assistant", tokenizers[1].tokenizer, withoutTools);
          },
        },
        ...withTools.map(({ name, tokenizer, conversations }) => ({
          name: `30 random conversations with tools, ${name}: the ids`,
          hint: hint + "; typed role tokens in the text stay characters",
          run: () => compare("ids", tokenizer, conversations),
        })),
        ...withTools.map(({ name, tokenizer, conversations }) => ({
          name: `the same, ${name}: the assistant mask`,
          hint: maskHint,
          run: () => compare("assistant", tokenizer, conversations),
        })),
      ];
    },
  },
  parseToolChat: {
    title: "Exercise 4 · the tool role, parsed back",
    checks: (answer) => {
      const tokenizers = toolTokenizers();
      const random = new Random(114);
      const hint = "at each message: a role token (any of the four; <|tool|> gives role " +
        '"tool"), then content up to <|end|>, decoded with tokenizer.decode; then the next ' +
        "message after the <|end|>";
      const withTools = toolConversations(random, tokenizers);
      const [, wide] = tokenizers;
      const withoutTools = randomConversations(
        random,
        wide.tokenizer,
        ["system", "user", "assistant"],
        20,
      );
      const wideTemplate = new ChatTemplate(wide.tokenizer);
      const roundTrip = (tokenizer: Tokenizer, conversations: readonly ToolChatMessage[][]) =>
        conversations.forEach((messages, n) =>
          expectEqual(
            answer(tokenizer, courseToolEncode(tokenizer, messages, false).ids),
            messages,
            `conversation ${n}`,
          )
        );
      /** Ids of conversations with tools: cut inside their last message, or with the generation prompt. */
      const unfinished = withTools[1].conversations.map((messages, n) => {
        const { ids } = courseToolEncode(wide.tokenizer, messages, n % 2 === 1);
        return n % 2 === 1 ? ids : ids.slice(0, -1 - random.int(2)); // no <|end|> at the end
      });
      const toolId = wide.tokenizer.specialTokens.get(TOOL_ROLE_TOKEN)!;
      const closed = courseToolEncode(wide.tokenizer, CALCULATOR.slice(0, 1), false).ids;
      /** Broken ids, the position where they go wrong, and what the message must say was expected. */
      const bad: { name: string; ids: number[]; at: number; expected: string; says: RegExp }[] = [
        {
          name: "content before any role token",
          ids: wide.tokenizer.encode("hi"),
          at: 0,
          expected: "a role token",
          says: /role/i,
        },
        {
          name: "a role token inside a message",
          ids: [toolId, ...wide.tokenizer.encode("3"), wideTemplate.roleId("assistant")],
          at: 2,
          expected: "<|end|>",
          says: /<\|end\|>|\bend\b/i,
        },
        {
          name: "ids after the last <|end|> that are not a role token",
          ids: [...closed, 0],
          at: closed.length,
          expected: "a role token",
          says: /role/i,
        },
      ];
      return [
        {
          name: "a question, a call to the calculator, its result and the answer: round trip",
          hint,
          run: () => roundTrip(tokenizers[0].tokenizer, [[...CALCULATOR]]),
        },
        {
          name: "20 random conversations without a tool: ChatTemplate.parse's messages",
          hint,
          run: () =>
            withoutTools.forEach((messages, n) => {
              const ids = wideTemplate.encode(messages.map(asUser)).ids;
              expectEqual(
                answer(wide.tokenizer, ids),
                wideTemplate.parse(ids),
                `conversation ${n}`,
              );
            }),
        },
        ...withTools.map(({ name, tokenizer, conversations }) => ({
          name: `30 random conversations with tools, ${name}: round trip`,
          hint: hint + "; typed role tokens in the text are characters, not role tokens",
          run: () => roundTrip(tokenizer, conversations),
        })),
        {
          name: "30 unfinished conversations (a last message without <|end|>, or the " +
            "generation prompt last): the last message as far as it goes",
          hint: "a message whose <|end|> never comes ends with the ids; an <|assistant|> " +
            "with nothing after it is an empty assistant message",
          run: () =>
            unfinished.forEach((ids, n) =>
              expectEqual(
                answer(wide.tokenizer, ids),
                courseToolParse(wide.tokenizer, ids),
                `conversation ${n}`,
              )
            ),
        },
        {
          name: `errors that name the problem, as ChatTemplate.parse's do: ${
            bad.map((b) => b.name).join("; ")
          }`,
          hint: "throw an Error when a message does not start with a role token, or when a " +
            "role token comes before the <|end|> of the message it is in; its message says " +
            "where and what was expected, e.g. `expected a role token at position 0, got " +
            '"h"` or `message at position 0 has no <|end|> before position 2`',
          run: () =>
            bad.forEach(({ name, ids, at, expected, says }) => {
              let parsed: unknown;
              try {
                parsed = answer(wide.tokenizer, ids);
              } catch (error) {
                if (isNotDone(error)) throw error; // a stub: not done, not failed
                const message = error instanceof Error ? error.message : String(error);
                const where = new RegExp(`(^|\\D)${at}(\\D|$)`).test(message);
                if (where && says.test(message)) return; // thrown, and it says what is wrong
                throw new RangeError(
                  `${name}: the error ${JSON.stringify(message)} should name position ${at} ` +
                    `and say that ${expected} was expected there`,
                );
              }
              throw new RangeError(`${name}: no error; got ${JSON.stringify(parsed)}`);
            }),
        },
      ];
    },
  },
};
