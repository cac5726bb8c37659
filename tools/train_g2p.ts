/**
 * `deno task train:g2p`: train lesson 9's encoder-decoder on CMUdict (spelling → pronunciation)
 * and save it as `data/g2p.ckpt` (weights, config, both vocabularies, error rates and the
 * training history in the metadata). Lesson 9 loads it in quick mode.
 *
 * `--steps N` trains fewer steps (the schedule is shortened to match); `--out PATH` writes
 * elsewhere.
 *
 * @module
 */
import {
  EncoderDecoder,
  type ErrorRates,
  G2P_SEED,
  G2P_TEST_WORDS,
  G2P_TRAINING,
  g2pConfig,
  g2pData,
  initCourse,
  pronunciationErrorRates,
  Random,
  setSeed,
  trainSeq2Seq,
} from "../src/mod.ts";
import { logValidation, runSettings, saveRun } from "./training_run.ts";

const { settings, out } = runSettings(G2P_TRAINING, "g2p.ckpt");
const runtime = await initCourse({ seed: G2P_SEED });
const data = g2pData();
setSeed(G2P_SEED);
const model = new EncoderDecoder(g2pConfig(data));
console.log(
  `training ${model.parameterCount().toLocaleString("en-US")} parameters for ${settings.steps} ` +
    `steps on ${runtime.backend} (${data.train.length} words)`,
);
const result = await trainSeq2Seq(
  model,
  data.train,
  data.validation,
  data.phonemes,
  settings,
  new Random(G2P_SEED),
  logValidation,
);
console.log(
  `${result.seconds.toFixed(0)} s, ${(1000 * result.seconds / settings.steps).toFixed(0)} ms/step`,
);
const test = data.test.slice(0, G2P_TEST_WORDS);
const rates: Record<string, ErrorRates> = {};
for (const beamWidth of [1, 4]) {
  const started = performance.now();
  const r = rates[beamWidth === 1 ? "greedy" : `beam${beamWidth}`] = pronunciationErrorRates(
    model,
    data,
    test,
    { beamWidth },
  );
  console.log(
    `${beamWidth === 1 ? "greedy" : `beam ${beamWidth}`}  PER: ${
      (100 * r.tokenErrorRate).toFixed(2)
    }% ` +
      `WER: ${(100 * r.sequenceErrorRate).toFixed(2)}% (${
        ((performance.now() - started) / 1000).toFixed(1)
      } s)`,
  );
}
await saveRun(out, model, {
  kind: "encoder-decoder",
  config: model.config,
  made: "deno task train:g2p",
  seed: G2P_SEED,
  backend: runtime.backend,
  settings,
  result,
  extra: {
    letters: data.letters.toJSON(),
    phonemes: data.phonemes.toJSON(),
    valLoss: result.finalVal,
    ...rates,
  },
});
model.dispose();
