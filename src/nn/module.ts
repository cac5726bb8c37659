/**
 * What every layer shares: named trainable parameters, counted and freed together.
 *
 * A layer lists its own variables and its sub-layers; names are joined with dots, so a model's
 * parameters read like `blocks.0.attention.query.weight`. Checkpoints and optimizers use these
 * names.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

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

  /** All trainable variables, own and of sub-layers, by dotted name. */
  parameters(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>(Object.entries(this.ownParameters()));
    for (const [name, child] of Object.entries(this.submodules())) {
      for (const [inner, variable] of child.parameters()) out.set(`${name}.${inner}`, variable);
    }
    return out;
  }

  /** The number of trainable numbers. */
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
