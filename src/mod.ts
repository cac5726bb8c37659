/**
 * The course's shared module. Notebooks import it as `../src/mod.ts`; `deno test` checks it.
 *
 * Layers, lowest first (a layer imports only from layers before it):
 * - `runtime/`: TensorFlow.js set-up, seeded randomness, quick mode;
 * - `display/`: `show()`, plots, heatmaps, tables, tensors, live displays;
 * - `data/`: the data sets, from npm packages.
 *
 * @module
 */

export {
  type BackendName,
  type CourseRuntime,
  initCourse,
  type InitOptions,
} from "./runtime/init.ts";
export { DEFAULT_SEED, Random, rng, setSeed } from "./runtime/random.ts";
export { QUICK_ENV, quickMode } from "./runtime/mode.ts";
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from "./runtime/wasm_kernels.ts";

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
  type SinkOptions,
} from "./display/sink.ts";
export { show, toBundle } from "./display/show.ts";
export { plotDocument } from "./display/dom.ts";
export { svgFromElement, SvgView } from "./display/svg.ts";
export { plot } from "./display/plot.ts";
export { heatmap, type HeatmapOptions } from "./display/heatmap.ts";
export { table, type TableOptions, TableView } from "./display/table.ts";
export { formatTensor, type TensorFormat, TensorView, tensorView } from "./display/tensor.ts";
export { LiveDisplay, Throttle } from "./display/live.ts";
export { ProgressBar, type ProgressOptions } from "./display/progress.ts";
export { LiveLossCurve, type LossCurveOptions, type LossPoint } from "./display/loss_curve.ts";

export { MOBY_DICK_CHAPTERS, mobyDick, mobyDickSplit } from "./data/moby_dick.ts";
export { cmuDict, cmuDictSplit, type Pronunciation } from "./data/cmudict.ts";
export { firstNames, firstNamesSplit, type NameList } from "./data/first_names.ts";
export { holdOutEveryNth, type Split, splitText } from "./data/split.ts";
export { packageDir, readPackageText } from "./data/package_files.ts";
