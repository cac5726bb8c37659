import { assertEquals } from "../assert.ts";
import {
  AdamW,
  cmuDictSplit,
  disposeSeq2SeqBatch,
  EncoderDecoder,
  errorRates,
  greedyDecode,
  initCourse,
  seq2seqBatch,
  setSeed,
  SymbolVocabulary,
  trainStep,
} from "../../src/mod.ts";
import { IDS } from "../fixtures.ts";

await initCourse();

Deno.test("a 20-word CMUdict set overfits to 100 % accuracy", () => {
  const words = cmuDictSplit().train.filter((p) => p.word.length <= 6).slice(1000, 1020);
  const letters = SymbolVocabulary.fromSequences(words.map((w) => [...w.word]));
  const phones = SymbolVocabulary.fromSequences(words.map((w) => w.phonemes));
  const examples = words.map((w) => ({
    source: letters.encode([...w.word]),
    target: phones.encode(w.phonemes),
  }));
  setSeed(24);
  const model = new EncoderDecoder({
    sourceVocabSize: letters.size,
    targetVocabSize: phones.size,
    maxLength: 12,
    dModel: 64,
    numHeads: 4,
    encoderLayers: 1,
    decoderLayers: 1,
  });
  const optimizer = new AdamW(model.parameters(), { weightDecay: 0 });
  const batch = seq2seqBatch(examples, IDS);
  for (let step = 0; step < 250; step++) {
    trainStep(() => model.loss(batch.source, batch.targetIn, batch.targetOut), optimizer, {
      learningRate: 3e-3,
      clipNorm: 1,
    });
  }
  disposeSeq2SeqBatch(batch);
  const predicted = greedyDecode(model, examples.map((e) => e.source), {
    startId: 1,
    endId: 2,
    maxLength: 12,
  });
  const { sequenceErrorRate } = errorRates(predicted, examples.map((e) => e.target));
  assertEquals(
    sequenceErrorRate,
    0,
    `${(100 * sequenceErrorRate).toFixed(0)} % of the 20 words wrong`,
  );
  optimizer.dispose();
  model.dispose();
});
