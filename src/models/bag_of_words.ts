/**
 * The classic spam filter, as a baseline for the transformer classifier: count the words of an
 * email (a bag of words: order is thrown away), and weigh the counts with logistic regression,
 * one weight per word, learnt from labelled emails.
 *
 *   features  x_j = log(1 + count of word j in the text)        (one per vocabulary word)
 *   model     p(spam | x) = σ(w·x + b),  σ(z) = 1 / (1 + e^−z)
 *   loss      mean over emails of −[y log p + (1 − y) log(1 − p)]  +  l2/2 · ‖w‖²
 *
 * Plain numbers (`Float64Array`), no tensors: the whole model is a dot product.
 *
 * @module
 */

// ---- Words and features ----------------------------------------------------------------------

/** How {@link BagOfWords.fit} picks the vocabulary. */
export interface BagOfWordsOptions {
  /** Keep at most this many words, the most frequent (default 5000). */
  maxWords?: number;
  /** Keep only words seen at least this many times in all the texts together (default 2). */
  minCount?: number;
}

/** A word is a run of letters a–z and digits, or one of the characters $ € £ ! on its own. */
const WORD = /[a-z0-9]+|[$€£!]/g;

/** A fixed vocabulary, and the features of a text over it. */
export class BagOfWords {
  /** The vocabulary: feature j counts `vocabulary[j]`. */
  readonly vocabulary: string[];
  readonly #index: Map<string, number>;

  /** A bag of words over a given vocabulary (no repeats). */
  constructor(vocabulary: readonly string[]) {
    this.vocabulary = [...vocabulary];
    this.#index = new Map(this.vocabulary.map((word, j) => [word, j]));
    if (this.#index.size !== this.vocabulary.length) {
      throw new RangeError("the vocabulary repeats a word: expected each word once");
    }
  }

  /** The words of a text, lower-cased, in order: "Win $100 NOW!!" → win $ 100 now ! !. */
  static words(text: string): string[] {
    return text.toLowerCase().match(WORD) ?? [];
  }

  /**
   * Learn a vocabulary from `texts`: the `maxWords` most frequent words (total count over all
   * texts) among those seen at least `minCount` times; equal counts in alphabetical order, so
   * the same texts always give the same vocabulary.
   */
  static fit(texts: readonly string[], options: BagOfWordsOptions = {}): BagOfWords {
    const { maxWords = 5000, minCount = 2 } = options;
    if (!Number.isInteger(maxWords) || maxWords < 1) {
      throw new RangeError(`maxWords must be a positive integer, got ${maxWords}`);
    }
    if (!Number.isInteger(minCount) || minCount < 1) {
      throw new RangeError(`minCount must be a positive integer, got ${minCount}`);
    }
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const word of BagOfWords.words(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    const vocabulary = [...counts]
      .filter(([, count]) => count >= minCount)
      .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, maxWords)
      .map(([word]) => word);
    return new BagOfWords(vocabulary);
  }

  /** The features of a text: x_j = log(1 + how often vocabulary word j occurs in it). */
  features(text: string): Float64Array {
    const x = new Float64Array(this.vocabulary.length);
    for (const word of BagOfWords.words(text)) {
      const j = this.#index.get(word);
      if (j !== undefined) x[j] += 1;
    }
    return x.map(Math.log1p);
  }
}

// ---- Logistic regression ----------------------------------------------------------------------

/** How {@link LogisticRegression.train} trains. */
export interface LogisticRegressionOptions {
  /** Full-batch steps: each sees every example once (default 100). */
  epochs?: number;
  /** Adam's step size (default 0.05). */
  learningRate?: number;
  /** Weight decay: the loss adds l2/2 · ‖w‖², the bias left out (default 1e-4). */
  l2?: number;
}

/** The nonzero entries of a feature vector: a bag of words is mostly zeros. */
interface SparseRow {
  indices: number[];
  values: number[];
}

function sparse(x: Float64Array): SparseRow {
  const row: SparseRow = { indices: [], values: [] };
  x.forEach((value, j) => {
    if (value !== 0) {
      row.indices.push(j);
      row.values.push(value);
    }
  });
  return row;
}

/** σ(z) = 1 / (1 + e^−z), computed without overflow for large |z|. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + e^z), without overflow: the loss of a logit z for label 0. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** Check a training or evaluation set: equal lengths, `dim` features each, labels 0 or 1. */
function checkExamples(x: readonly Float64Array[], y: ArrayLike<number>, dim: number): void {
  if (x.length === 0) throw new RangeError("no examples: expected at least one feature vector");
  if (x.length !== y.length) {
    throw new RangeError(`${x.length} feature vectors for ${y.length} labels`);
  }
  x.forEach((row, i) => {
    if (row.length !== dim) {
      throw new RangeError(`x[${i}] has ${row.length} features, expected ${dim}`);
    }
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`y[${i}] is ${y[i]}: expected 0 or 1`);
  });
}

/** A linear classifier of two classes: p(class 1 | x) = σ(w·x + b). */
export class LogisticRegression {
  /** One weight per feature: positive pushes towards class 1. */
  readonly weights: Float64Array;
  /** The logit of an all-zero feature vector. */
  bias: number;

  /** A model with the given weights and bias. */
  constructor(weights: Float64Array, bias = 0) {
    this.weights = weights;
    this.bias = bias;
  }

  /** The logit w·x + b. */
  logit(x: Float64Array): number {
    if (x.length !== this.weights.length) {
      throw new RangeError(`x has ${x.length} features, expected ${this.weights.length}`);
    }
    let z = this.bias;
    for (let j = 0; j < x.length; j++) z += this.weights[j] * x[j];
    return z;
  }

  /** p(class 1 | x) = σ(w·x + b). */
  probability(x: Float64Array): number {
    return sigmoid(this.logit(x));
  }

  /** The predicted class: 1 when p(class 1 | x) ≥ 0.5, that is when w·x + b ≥ 0. */
  predict(x: Float64Array): 0 | 1 {
    return this.logit(x) >= 0 ? 1 : 0;
  }

  /** Mean binary cross-entropy over the examples, plus l2/2 · ‖w‖² (default l2 = 0). */
  loss(x: readonly Float64Array[], y: ArrayLike<number>, l2 = 0): number {
    checkExamples(x, y, this.weights.length);
    return this.#lossAndGradient(x.map(sparse), y, l2).loss;
  }

  /** The gradient of {@link loss} with respect to the weights and the bias. */
  gradient(
    x: readonly Float64Array[],
    y: ArrayLike<number>,
    l2 = 0,
  ): { weights: Float64Array; bias: number } {
    checkExamples(x, y, this.weights.length);
    const { weights, bias } = this.#lossAndGradient(x.map(sparse), y, l2);
    return { weights, bias };
  }

  /**
   * Loss and gradient in one pass over the nonzero features. With p_i = σ(z_i), z_i = w·x_i + b:
   *   loss = (1/N) Σ_i [softplus(z_i) − y_i z_i] + l2/2 ‖w‖²   (= cross-entropy, written stably)
   *   ∂loss/∂w = (1/N) Σ_i (p_i − y_i) x_i + l2 w,   ∂loss/∂b = (1/N) Σ_i (p_i − y_i)
   */
  #lossAndGradient(
    rows: readonly SparseRow[],
    y: ArrayLike<number>,
    l2: number,
  ): { loss: number; weights: Float64Array; bias: number } {
    const n = rows.length;
    const weights = this.weights.map((w) => l2 * w);
    let loss = (l2 / 2) * this.weights.reduce((sum, w) => sum + w * w, 0);
    let bias = 0;
    rows.forEach(({ indices, values }, i) => {
      let z = this.bias;
      for (let k = 0; k < indices.length; k++) z += this.weights[indices[k]] * values[k];
      loss += (softplus(z) - y[i] * z) / n;
      const error = (sigmoid(z) - y[i]) / n;
      for (let k = 0; k < indices.length; k++) weights[indices[k]] += error * values[k];
      bias += error;
    });
    return { loss, weights, bias };
  }

  /**
   * Fit a model to feature vectors `x` and labels `y` (0 or 1) by full-batch Adam on the mean
   * cross-entropy plus l2/2 · ‖w‖². Starts from zero weights: the loss is convex, so no random
   * start is needed, and the same data always gives the same model.
   */
  static train(
    x: readonly Float64Array[],
    y: ArrayLike<number>,
    options: LogisticRegressionOptions = {},
  ): LogisticRegression {
    const { epochs = 100, learningRate = 0.05, l2 = 1e-4 } = options;
    if (!Number.isInteger(epochs) || epochs < 1) {
      throw new RangeError(`epochs must be a positive integer, got ${epochs}`);
    }
    if (!(learningRate > 0)) {
      throw new RangeError(`learningRate must be positive, got ${learningRate}`);
    }
    if (!(l2 >= 0)) throw new RangeError(`l2 must be ≥ 0, got ${l2}`);
    checkExamples(x, y, x[0]?.length ?? 0);
    const dim = x[0].length;
    const model = new LogisticRegression(new Float64Array(dim));
    const rows = x.map(sparse);
    // Adam: parameter index dim is the bias. m, v = running means of the gradient and its square.
    const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-8];
    const m = new Float64Array(dim + 1);
    const v = new Float64Array(dim + 1);
    for (let t = 1; t <= epochs; t++) {
      const gradient = model.#lossAndGradient(rows, y, l2);
      const stepSize = learningRate * Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t);
      for (let j = 0; j <= dim; j++) {
        const g = j < dim ? gradient.weights[j] : gradient.bias;
        m[j] = beta1 * m[j] + (1 - beta1) * g;
        v[j] = beta2 * v[j] + (1 - beta2) * g * g;
        const step = stepSize * m[j] / (Math.sqrt(v[j]) + epsilon);
        if (j < dim) model.weights[j] -= step;
        else model.bias -= step;
      }
    }
    return model;
  }
}

// ---- What the baseline looks at, and the whole baseline ----------------------------------------

/** A vocabulary word and its weight. */
export interface WordWeight {
  word: string;
  weight: number;
}

/**
 * The `k` words with the largest positive weights (evidence for class 1: spam) and the `k` with
 * the most negative (evidence for class 0: ham), strongest first.
 */
export function topWords(
  bow: BagOfWords,
  model: LogisticRegression,
  k: number,
): { positive: WordWeight[]; negative: WordWeight[] } {
  if (bow.vocabulary.length !== model.weights.length) {
    throw new RangeError(
      `${bow.vocabulary.length} vocabulary words for ${model.weights.length} weights`,
    );
  }
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const words = bow.vocabulary.map((word, j) => ({ word, weight: model.weights[j] }));
  words.sort((a, b) => b.weight - a.weight);
  return {
    positive: words.slice(0, k).filter((w) => w.weight > 0),
    negative: words.slice(-k).reverse().filter((w) => w.weight < 0),
  };
}

/** A trained bag-of-words baseline. */
export interface BagOfWordsBaseline {
  /** The vocabulary, learnt from the training texts. */
  bow: BagOfWords;
  /** The logistic regression over its features. */
  model: LogisticRegression;
  /** The predicted class (1 = spam) of each text. */
  predict(texts: readonly string[]): number[];
}

/**
 * The whole baseline: learn a vocabulary from the training texts, compute their features and
 * train a logistic regression on them.
 */
export function trainBagOfWordsBaseline(
  train: readonly { text: string; label: number }[],
  options: BagOfWordsOptions & LogisticRegressionOptions = {},
): BagOfWordsBaseline {
  const bow = BagOfWords.fit(train.map((e) => e.text), options);
  const model = LogisticRegression.train(
    train.map((e) => bow.features(e.text)),
    train.map((e) => e.label),
    options,
  );
  return {
    bow,
    model,
    predict: (texts) => texts.map((text) => model.predict(bow.features(text))),
  };
}
