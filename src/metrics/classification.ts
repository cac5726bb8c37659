/**
 * How well a classifier's predicted classes match the actual ones: the confusion matrix, and
 * for a two-class task (spam or not) accuracy, precision, recall and F1.
 *
 * @module
 */

/** Check that `predicted` and `actual` are equally long lists of integer classes in [0, numClasses). */
function checkClasses(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  numClasses: number,
): void {
  if (predicted.length !== actual.length) {
    throw new RangeError(`${predicted.length} predictions for ${actual.length} actual classes`);
  }
  for (const [name, classes] of [["predicted", predicted], ["actual", actual]] as const) {
    for (let i = 0; i < classes.length; i++) {
      const c = classes[i];
      if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
        throw new RangeError(
          `${name}[${i}] is ${c}: expected an integer class in [0, ${numClasses})`,
        );
      }
    }
  }
}

/**
 * The confusion matrix: `matrix[a][p]` counts the examples of actual class `a` predicted as `p`
 * (rows = actual, columns = predicted), so the diagonal holds the right answers.
 */
export function confusionMatrix(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  numClasses: number,
): number[][] {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`numClasses must be a positive integer, got ${numClasses}`);
  }
  checkClasses(predicted, actual, numClasses);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < actual.length; i++) matrix[actual[i]][predicted[i]] += 1;
  return matrix;
}

/** Counts and scores of a two-class classifier, for one class called positive. */
export interface BinaryMetrics {
  /** Share of all examples classified right: (TP + TN) / count. */
  accuracy: number;
  /** Of the examples predicted positive, the share that are: TP / (TP + FP). */
  precision: number;
  /** Of the positive examples, the share found: TP / (TP + FN). */
  recall: number;
  /** Harmonic mean of precision and recall: 2·P·R / (P + R). */
  f1: number;
  /** Positive, predicted positive. */
  truePositives: number;
  /** Negative, predicted positive (for spam: ham sent to the spam folder). */
  falsePositives: number;
  /** Positive, predicted negative (spam let through). */
  falseNegatives: number;
  /** Negative, predicted negative. */
  trueNegatives: number;
  /** Number of examples. */
  count: number;
}

/**
 * Accuracy, precision, recall and F1 of two-class predictions (classes 0 and 1), `positive`
 * being the class of interest (1 = spam). A score whose denominator is 0 is 0: precision when
 * nothing was predicted positive, recall when there are no positives, F1 when both are 0,
 * accuracy when there are no examples.
 */
export function binaryMetrics(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  positive: 0 | 1 = 1,
): BinaryMetrics {
  const matrix = confusionMatrix(predicted, actual, 2);
  const negative = 1 - positive;
  const truePositives = matrix[positive][positive];
  const falsePositives = matrix[negative][positive];
  const falseNegatives = matrix[positive][negative];
  const trueNegatives = matrix[negative][negative];
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const precision = ratio(truePositives, truePositives + falsePositives);
  const recall = ratio(truePositives, truePositives + falseNegatives);
  return {
    accuracy: ratio(truePositives + trueNegatives, actual.length),
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    truePositives,
    falsePositives,
    falseNegatives,
    trueNegatives,
    count: actual.length,
  };
}
