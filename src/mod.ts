/**
 * The course's shared module. Notebooks import it as `../src/mod.ts`; `deno test` checks it.
 *
 * The tiers, and inside each, layers lowest first (a file imports only from layers before it):
 *
 * - **foundation** `runtime/`: argument checks, seeded randomness, quick mode.
 * - **engine** `engine/`: all speed machinery behind one facade (`engine/mod.ts`): backend
 *   set-up, WebAssembly kernels, in-place weights, data-parallel threads. It imports nothing of
 *   the core.
 * - **readable core**, read like nanoGPT's `model.py`:
 *   `display/` (`show()`, plots, tables, live displays, claims) · `data/` (data sets from npm) ·
 *   `tokenizers/` · `nn/` (layers: embeddings, positions, attention, norms, blocks) ·
 *   `models/` (GPT, encoder-decoder, encoder-only, and the registry of model kinds) ·
 *   `metrics/` · `training/` (batches, AdamW, schedule, clipping, the loop, checkpoints) ·
 *   `generation/` (sampling and decoding).
 * - **recipes** `recipes/`: one file per training lesson, named like its checkpoint: settings,
 *   the lesson's data and its training call; the generic parts live in the core.
 * - **exercises** `exercises/`: the stub-and-check machinery (`exercise.ts`) and one file of
 *   checks per lesson that has exercises, named like the lesson; solutions in `solutions/`.
 *
 * @module
 */

// foundation
export { DEFAULT_SEED, Random, rng, setSeed } from "./runtime/random.ts";
export { QUICK_ENV, QUICK_TRAINING_STEPS, quickMode } from "./runtime/mode.ts";

// engine
export {
  type BackendName,
  type BatchGradients,
  type CourseRuntime,
  DataParallel,
  fusedKernelsInUse,
  type HostBatch,
  type HostMatrix,
  initCourse,
  type InitOptions,
  type LossOptions,
  type ReplicaJob,
  type ReplicaKind,
  splitRows,
  type TensorBatch,
  toHost,
  toTensors,
  useFusedKernels,
} from "./engine/mod.ts";

// core: display, data, tokenizers
export {
  BundleView,
  DISPLAY,
  type Displayable,
  isDisplayable,
  markdown,
  type MediaBundle,
} from "./display/bundle.ts";
export {
  consoleSink,
  type DisplaySink,
  displaySink,
  setDisplaySink,
  settle,
  type SinkOptions,
} from "./display/sink.ts";
export { show, toBundle } from "./display/show.ts";
export { plotDocument } from "./display/dom.ts";
export { svgFromElement, SvgView } from "./display/svg.ts";
export { svgToPng, withPngCopy } from "./display/raster.ts";
export { plot } from "./display/plot.ts";
export { claim, claimBetween, ClaimError } from "./display/claim.ts";
export { heatmap, type HeatmapOptions } from "./display/heatmap.ts";
export { table, type TableOptions, TableView } from "./display/table.ts";
export { formatTensor, type TensorFormat, TensorView, tensorView } from "./display/tensor.ts";
export { LiveDisplay, Throttle } from "./display/live.ts";
export { ProgressBar, type ProgressOptions } from "./display/progress.ts";
export { LiveLossCurve, type LossCurveOptions, type LossPoint } from "./display/loss_curve.ts";
export {
  type BrowserFunction,
  InteractiveView,
  interactiveView,
  type InteractiveViewOptions,
  VIEW_ATTRIBUTE,
} from "./display/interactive.ts";
export {
  attentionExplorer,
  type AttentionExplorerOptions,
  type AttentionMaps,
} from "./display/attention_explorer.ts";
export { positionsExplorer, type PositionsExplorerOptions } from "./display/positions_explorer.ts";

export { MOBY_DICK_CHAPTERS, mobyDick, mobyDickSplit } from "./data/moby_dick.ts";
export { cmuDict, cmuDictSplit, type Pronunciation } from "./data/cmudict.ts";
export { firstNames, firstNamesSplit, type NameList } from "./data/first_names.ts";
export { holdOutEveryNth, type Split, splitText } from "./data/split.ts";
export {
  type Address,
  type AddressCorpus,
  joinAddresses,
  stateOfTheUnion,
  stateOfTheUnionSplit,
} from "./data/sotu.ts";
export {
  type Email,
  emailText,
  labelBudget,
  spamAssassin,
  type SpamCorpus,
  spamSplit,
} from "./data/spam_assassin.ts";
export { packageDir, readPackageText } from "./data/package_files.ts";

export { splitSentences } from "./data/sentences.ts";
export {
  type EncodeOptions,
  escapeRegExp,
  type SpecialMode,
  Tokenizer,
  type TokenizerJSON,
} from "./tokenizers/tokenizer.ts";
export { showBytes, utf8Bytes, utf8Text } from "./tokenizers/bytes.ts";
export {
  countChunks,
  type LearnedMerges,
  learnMerges,
  type Merge,
  type MergeScore,
  type MergeTraining,
} from "./tokenizers/merge_trainer.ts";
export { CharTokenizer } from "./tokenizers/char.ts";
export {
  UNKNOWN_WORD,
  WORD_PATTERN,
  WordTokenizer,
  type WordTrainOptions,
} from "./tokenizers/word.ts";
export {
  type BpeOptions,
  BpeTokenizer,
  type BpeTrainOptions,
  CHUNK_PATTERN,
} from "./tokenizers/bpe.ts";
export { ByteBpeTokenizer, END_OF_TEXT, GPT2_PATTERN } from "./tokenizers/byte_bpe.ts";
export {
  WORDPIECE_SPECIAL,
  WORDPIECE_WORDS,
  type WordPieceOptions,
  WordPieceTokenizer,
  type WordPieceTrainOptions,
} from "./tokenizers/wordpiece.ts";
export { loadTokenizer, tokenizerFromJSON } from "./tokenizers/load.ts";
export {
  CHAT_SPECIAL_TOKENS,
  type ChatEncodeOptions,
  ChatTemplate,
  type EncodedChat,
  END_OF_MESSAGE,
  type Message,
  type Role,
  ROLE_TOKENS,
} from "./tokenizers/chat_template.ts";
export { END, PAD, START, SymbolVocabulary } from "./tokenizers/symbol_vocabulary.ts";

// core: layers
export { Embedding, type EmbeddingOptions } from "./nn/embedding.ts";
export {
  LearnedPositions,
  sinusoidalEncoding,
  sinusoidalFrequencies,
  sinusoidalShift,
} from "./nn/positional.ts";
export { freeOnFailure, Module, setTrainable, trainableParameters } from "./nn/module.ts";
export { Linear, type LinearOptions } from "./nn/linear.ts";
export { addLoRA, type LoRAOptions, LowRankAdapter, mergeLoRA } from "./nn/lora.ts";
export {
  attentionFormula,
  type AttentionResult,
  causalMask,
  MASKED_SCORE,
  paddingMask,
  scaledDotProductAttention,
} from "./nn/attention.ts";
export {
  type AttentionOptions,
  type AttentionPositions,
  MultiHeadAttention,
  type MultiHeadResult,
} from "./nn/multi_head_attention.ts";
export { dropout, type ForwardOptions, requireDropoutRate } from "./nn/dropout.ts";
export { LayerNorm, layerNorm, layerNormFormula } from "./nn/layer_norm.ts";
export { RMSNorm, rmsNorm, rmsNormFormula } from "./nn/rms_norm.ts";
export { type Activation, FeedForward, gelu, geluFormula, relu } from "./nn/feed_forward.ts";
export { silu, SwiGLU, swigluWidth } from "./nn/swiglu.ts";
export { rotaryFormula, RotaryPositions, rotatePairs } from "./nn/rotary.ts";
export {
  FEED_FORWARDS,
  type FeedForwardKind,
  type FeedForwardNetwork,
  type FeedForwardSettings,
  type Norm,
  type NormKind,
  NORMS,
} from "./nn/block_parts.ts";
export { addAndNorm, type NormPlacement } from "./nn/residual.ts";
export { type BlockConfig, resolveBlockConfig } from "./nn/block_config.ts";
export {
  type BlockContext,
  type BlockParts,
  type BlockResult,
  TransformerBlock,
} from "./nn/transformer_block.ts";
export { LayerCache } from "./nn/kv_cache.ts";
export { crossEntropy, crossEntropyFormula, type CrossEntropyOptions } from "./nn/cross_entropy.ts";

// core: models
export {
  GPT,
  GPTCache,
  type GPTConfig,
  LLAMA_STYLE,
  type PositionKind,
  resolveGPTConfig,
} from "./models/gpt.ts";
export {
  BagOfWords,
  type BagOfWordsBaseline,
  type BagOfWordsOptions,
  LogisticRegression,
  type LogisticRegressionOptions,
  topWords,
  trainBagOfWordsBaseline,
  type WordWeight,
} from "./models/bag_of_words.ts";
export {
  attentionProjections,
  GPTClassifier,
  type GPTClassifierConfig,
  type Pooling,
  resolveGPTClassifierConfig,
} from "./models/gpt_classifier.ts";
export {
  type Encoded,
  EncoderDecoder,
  type EncoderDecoderConfig,
  resolveEncoderDecoderConfig,
} from "./models/encoder_decoder.ts";
export {
  EncoderOnly,
  type EncoderOnlyConfig,
  resolveEncoderOnlyConfig,
} from "./models/encoder_only.ts";
export { countParameters, kvCacheBytesPerToken } from "./models/model_size.ts";
export { REAL_MODELS, type RealModel } from "./models/real_models.ts";
export {
  IGNORE_TARGET,
  MODEL_KINDS,
  type ModelKind,
  type ModelKindEntry,
  type ModelOf,
  replicaJob,
  taskLoss,
  type TrainingTask,
} from "./models/registry.ts";

// core: metrics, training, generation
export { editDistance, type ErrorRates, errorRates } from "./metrics/edit_distance.ts";
export { knownWordShare, vocabularyOf, wordsOf } from "./metrics/known_words.ts";
export { bitsPerByte, bitsPerCharacter, perplexity } from "./metrics/loss_units.ts";
export { type BinaryMetrics, binaryMetrics, confusionMatrix } from "./metrics/classification.ts";
export { numericGradient, Value, type ValueOrigin } from "./training/scalar_autograd.ts";
export { type Batch, disposeBatch, sampleBatch } from "./training/batches.ts";
export {
  AdamW,
  type AdamWOptions,
  checkAdamWOptions,
  type NamedGradients,
} from "./training/adamw.ts";
export { checkSchedule, learningRateAt, type Schedule, withSteps } from "./training/schedule.ts";
export { clipByGlobalNorm, type Clipped, clipScale, globalNorm } from "./training/clip.ts";
export {
  applyGradients,
  type StepOptions,
  type StepResult,
  trainStep,
} from "./training/train_step.ts";
export { disposeBatches, type EvalSet, fixedBatches, meanLoss } from "./training/evaluate.ts";
export {
  checkCheckpointConfig,
  type Checkpoint,
  CHECKPOINT_VERSION,
  type CheckpointHeader,
  type CheckpointInfo,
  type CheckpointValues,
  decodeCheckpoint,
  encodeCheckpoint,
  fnv1a,
  fromVersion2,
  readCheckpoint,
  restoreWeights,
  saveCheckpoint,
} from "./training/checkpoint.ts";
export {
  checkTrainingSettings,
  evaluateLanguageModel,
  type TrainingRecord,
  type TrainingResult,
  type TrainingSettings,
  trainLanguageModel,
  trainLoop,
  trainValidationGap,
  type TrainValidationLosses,
} from "./training/train_loop.ts";
export { type EarlyStop, earlyStopping } from "./training/early_stopping.ts";
export {
  disposeSeq2SeqBatch,
  lengthBucketedBatches,
  padRows,
  type Seq2SeqBatch,
  seq2seqBatch,
  type Seq2SeqExample,
  type Seq2SeqIds,
} from "./training/seq2seq_batches.ts";
export { type Seq2SeqTrainingSettings, trainSeq2Seq } from "./training/seq2seq_loop.ts";
export {
  disposeMlmBatch,
  type MaskAction,
  type MaskedSequence,
  type MaskingOptions,
  maskTokens,
  mlmAccuracy,
  type MlmBatch,
  mlmBatch,
  mlmTrainingBatch,
  trainMaskedLanguageModel,
} from "./training/masked_lm.ts";
export { chatBatch } from "./training/chat_batches.ts";
export {
  argmax,
  checkSamplingOptions,
  filteredDistribution,
  nextTokenDistribution,
  pickNext,
  sampleIndex,
  type SamplingOptions,
} from "./generation/sampling.ts";
export {
  samplingExplorer,
  type SamplingExplorerOptions,
  SamplingExplorerView,
} from "./generation/sampling_explorer.ts";
export { type SamplingState, type SamplingViewData } from "./generation/sampling_client.ts";
export { generate, type GenerateOptions } from "./generation/generate.ts";
export {
  type BeamOptions,
  beamSearch,
  beamSearchMany,
  greedyDecode,
  type Seq2SeqDecodeOptions,
} from "./generation/seq2seq_decode.ts";
export {
  type G2PVocabularies,
  pronounce,
  type PronounceOptions,
  pronunciationErrorRates,
} from "./generation/pronounce.ts";
export {
  type ChatCase,
  chatReply,
  type ChatReplyOptions,
  exactReplyAccuracy,
} from "./generation/chat.ts";

// recipes
export {
  MOBY_GPT_FINAL_EVAL_BATCHES,
  MOBY_GPT_SEED,
  MOBY_GPT_TRAINING,
  mobyGPTConfig,
  OVERFIT_DROPOUT,
  OVERFIT_MORE_DATA,
  OVERFIT_PATIENCE,
  OVERFIT_SEED,
  OVERFIT_SLICE,
  OVERFIT_TRAINING,
  overfitGPTConfig,
  type OverfitRun,
  trainOverfitRun,
} from "./recipes/moby_gpt.ts";
export {
  ABLATION,
  ABLATION_SEEDS,
  type AblationResults,
  type AblationRow,
  type AblationRun,
  modernGPTConfig,
  readAblation,
} from "./recipes/modern_gpt.ts";
export {
  SOTU_GPT_FINAL_EVAL_BATCHES,
  SOTU_GPT_SEED,
  SOTU_GPT_TRAINING,
  SOTU_VOCAB_SIZE,
  sotuGPTConfig,
  type SotuPart,
  sotuTokens,
  trainSotuTokenizer,
} from "./recipes/sotu_gpt.ts";
export {
  EMAIL_GPT_FINAL_EVAL_BATCHES,
  EMAIL_GPT_SEED,
  EMAIL_GPT_TRAINING,
  EMAIL_LM_CHARACTERS,
  emailLanguageText,
  type EmailTokens,
  emailTokens,
} from "./recipes/email_gpt.ts";
export {
  baselineRun,
  budgetEmails,
  classificationBatch,
  type EncodedEmail,
  encodeEmails,
  FINE_TUNE_METHODS,
  type FineTuneMethod,
  fineTuneRun,
  fineTuneSpam,
  predictSpam,
  readSpamGrid,
  scoreSpam,
  SPAM_BEST_METHOD,
  SPAM_BUDGET_SEED,
  SPAM_CONTEXT,
  SPAM_CURVE_EVERY,
  SPAM_LABEL_BUDGETS,
  SPAM_LORA,
  SPAM_POOLING,
  SPAM_SEED,
  spamClassifier,
  type SpamData,
  spamData,
  type SpamGrid,
  type SpamMethod,
  type SpamPredictions,
  type SpamRun,
  spamTraining,
} from "./recipes/spam_classifier.ts";
export {
  G2P_SEED,
  G2P_TEST_WORDS,
  G2P_TRAINING,
  g2pConfig,
  type G2PData,
  g2pData,
  type G2PExample,
} from "./recipes/g2p.ts";
export {
  MLM_MAX_LENGTH,
  MLM_SEED,
  MLM_TRAINING,
  MLM_VOCAB_SIZE,
  mlmConfig,
  type MlmData,
  mlmData,
  mlmEvalBatches,
  mlmMasking,
  sentenceSequences,
  trainMlm,
} from "./recipes/moby_mlm.ts";
export {
  SUM_CHAT_SEED,
  SUM_CHAT_TRAINING,
  SUM_MAX_TURNS,
  SUM_QUESTION_FORMS,
  SUM_SYSTEM_PROMPTS,
  sumAnswerText,
  sumChatCases,
  sumChatConfig,
  sumChatTokenizer,
  sumConversation,
  sumDialogue,
  type SumQuestion,
  type SumQuestionSplit,
  sumQuestionSplit,
  sumQuestionText,
  type SumTurn,
  trainSumChat,
} from "./recipes/sum_chat.ts";

// exercises
export {
  checkExercise,
  type CheckOutcome,
  drawExerciseWeights,
  eachCase,
  everyCase,
  type Exercise,
  type ExerciseCheck,
  ExerciseReport,
  type ExerciseStatus,
  expectAllClose,
  expectClose,
  expectEqual,
  expectRowsClose,
  isNotDone,
  labelled,
  NotDoneError,
  yourTurn,
} from "./exercises/exercise.ts";
export {
  type BroadcastShape,
  type MatMulShape,
  type MeanAndStd,
  type RowLengths,
  SETUP_EXERCISES,
} from "./exercises/setup.ts";
export {
  type CharCodec,
  type CharTokenizerByHand,
  type EncodeChunk,
  type MergesUntilToken,
  TOKENIZATION_EXERCISES,
  type Utf8ByteValues,
} from "./exercises/tokenization.ts";
export {
  type EmbeddingGradient,
  EMBEDDINGS_AND_POSITIONS_EXERCISES,
  type PositionSimilarity,
  type SinusoidalByHand,
  type SinusoidalShiftByHand,
} from "./exercises/embeddings_and_positions.ts";
export {
  ATTENTION_EXERCISES,
  type AttentionArrays,
  type AttentionByHand,
  type CausalMaskByHand,
  type PaddedAttentionByHand,
  type SoftmaxGradient,
} from "./exercises/attention.ts";
export {
  type MHAByLoop,
  type MHACrossShapes,
  type MHAParameters,
  type MHAShapes,
  type MHASplitHeads,
  MULTI_HEAD_ATTENTION_EXERCISES,
} from "./exercises/multi_head_attention.ts";
export {
  type BlockFeedForward,
  type BlockLayerNorm,
  type BlockParameters,
  type BlockWithoutNorm,
  type NormlessStackStds,
  normlessStackStds,
  TRANSFORMER_BLOCK_EXERCISES,
} from "./exercises/transformer_block.ts";
export {
  type CrossEntropyGradient,
  GPT_EXERCISES,
  type GPTParameterCount,
  type LinearBackward,
  type LinearGradients,
  type SigmoidValue,
} from "./exercises/gpt.ts";
export {
  type AdamWByHand,
  type AdamWByHandSettings,
  type BitsAndPerplexity,
  type ClipByHand,
  type LearningRateByHand,
  type LossInBits,
  TRAINING_EXERCISES,
} from "./exercises/training.ts";
export {
  GENERATION_EXERCISES,
  type MinPFilter,
  type SamplerDistribution,
  type TemperatureForConfidence,
  type TokenDraw,
} from "./exercises/generation.ts";
export {
  BEAM_TOY_TABLE,
  type BeamSearchByHand,
  type EditDistanceByHand,
  ENCODER_DECODER_EXERCISES,
  type ErrorRatesByHand,
  type PrefixLogProbs,
  type TeacherForcingBatch,
  type TeacherForcingRows,
} from "./exercises/encoder_decoder.ts";
export {
  type AttentionFamily,
  type AttentionMaskByHand,
  type BlankAccuracy,
  type BlankLoss,
  ENCODER_ONLY_EXERCISES,
  type MaskTokensByHand,
} from "./exercises/encoder_only.ts";
export {
  CHAT_EXERCISES,
  type ChatTargets,
  type EncodeToolChat,
  type ParseToolChat,
  type ReplyUntilEnd,
  TOOL_ROLE_TOKEN,
  type ToolChatMessage,
  type ToolChatRole,
} from "./exercises/chat.ts";
export {
  type KVCacheBytes,
  type LlamaParameters,
  MODERN_LLM_EXERCISES,
  type RMSNormGrad,
  type SwiGLUWidth,
} from "./exercises/modern_llm.ts";
export {
  FINE_TUNING_EXERCISES,
  type LastTokenStates,
  type LoRAParameterCount,
  type MergeAdapter,
  type SpamMetrics,
  type SpamScores,
} from "./exercises/fine_tuning.ts";
