/**
 * What every layer shares: named trainable parameters, counted and freed together.
 *
 * A layer lists its own variables and its sub-layers; names are joined with dots, so a model's
 * parameters read like `blocks.0.attention.query.weight`. Checkpoints and optimizers use these
 * names.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Run `build`, a constructor's making of its parts, and return what it returns; if it throws,
 * free every variable made meanwhile, so that a constructor that fails (a part too large, say)
 * leaves memory as it found it.
 */
export function freeOnFailure<T>(build: () => T): T {
  const before = new Set(Object.keys(tf.engine().registeredVariables));
  try {
    return build();
  } catch (error) {
    for (const [name, variable] of Object.entries(tf.engine().registeredVariables)) {
      if (!before.has(name)) variable.dispose();
    }
    throw error;
  }
}

/** Base class of the course's layers. */
export abstract class Module {
  /** This layer's own variables, by name (default none). */
  protected ownParameters(): Record<string, tf.Variable> {
    return {};
  }

  /** This layer's sub-layers, by name (default none). */
  protected submodules(): Record<string, Module> {
    return {};
  }

  /** Every parameter, own and of sub-layers, frozen or not, by dotted name. */
  parameters(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>(Object.entries(this.ownParameters()));
    for (const [name, child] of Object.entries(this.submodules())) {
      for (const [inner, variable] of child.parameters()) out.set(`${name}.${inner}`, variable);
    }
    return out;
  }

  /** The number of numbers in all parameters, frozen or not. */
  parameterCount(): number {
    let count = 0;
    for (const variable of this.parameters().values()) count += variable.size;
    return count;
  }

  /** Free every variable. */
  dispose(): void {
    for (const variable of this.parameters().values()) variable.dispose();
  }
}

/**
 * The parameters of `module` that training updates: all but the frozen ones (a frozen variable
 * has `trainable` false; see {@link setTrainable}).
 */
export function trainableParameters(module: Module): Map<string, tf.Variable> {
  return new Map([...module.parameters()].filter(([, variable]) => variable.trainable));
}

/**
 * Freeze (`false`) or unfreeze (`true`) every parameter of `module`: training leaves a frozen
 * parameter as it is, and computes no gradient for it. Fine-tuning freezes a pretrained model,
 * then unfreezes the parts it trains.
 */
export function setTrainable(module: Module, trainable: boolean): void {
  for (const variable of module.parameters().values()) variable.trainable = trainable;
}
