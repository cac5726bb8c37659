/**
 * Backpropagation one number at a time: what `tf.grad` does for tensors, small enough to read.
 *
 * A {@link Value} holds a number (`data`), the derivative of a final output with respect to it
 * (`grad`, filled in by {@link Value.backward}), the values it was made from (`parents`), and a
 * backward rule: a closure that passes its own gradient on to its parents by the chain rule.
 * If `out = f(a, b)`, the rule adds `∂f/∂a · out.grad` to `a.grad` and `∂f/∂b · out.grad` to
 * `b.grad`. A value used twice gets a share from each use, which is why the rules add (`+=`).
 *
 * `backward()` runs the rules from the output down, each value after everything that used it
 * (the reverse of a topological order), so a value's gradient is complete before it is passed on.
 *
 * @module
 */
import { describeValue } from "../runtime/checks.ts";

/** How a {@link Value} was made: the operation, its inputs and its backward rule. */
export interface ValueOrigin {
  /** The operation's name, for tables ("+", "·", "tanh", …). */
  op: string;
  /** The values it was made from. */
  parents: readonly Value[];
  /** Add `out`'s share of the gradient to each parent's `grad` (the chain rule). */
  backward: (out: Value) => void;
}

/** A number that remembers how it was made, so that gradients can flow back through it. */
export class Value {
  /** d(output) / d(this value), after the output's {@link Value.backward}; 0 before. */
  grad = 0;
  /** A name for tables ("x", "w", …); empty unless given with {@link Value.named}. */
  label = "";
  /** The operation that made it; empty for an input. */
  readonly op: string;
  /** The values it was made from; none for an input. */
  readonly parents: readonly Value[];
  readonly #backward: (out: Value) => void;

  /** An input (no origin), or the result of an operation (`origin`). */
  constructor(readonly data: number, origin?: ValueOrigin) {
    if (typeof data !== "number" || Number.isNaN(data)) {
      throw new TypeError(`a Value holds a number, got ${describeValue(data)}`);
    }
    this.op = origin?.op ?? "";
    this.parents = origin?.parents ?? [];
    this.#backward = origin?.backward ?? (() => {});
  }

  /** Give it a name for tables; returns the value itself. */
  named(label: string): this {
    this.label = label;
    return this;
  }

  /** `this + other`: the gradient passes through unchanged to both. */
  add(other: Value | number): Value {
    const o = asValue(other);
    return new Value(this.data + o.data, {
      op: "+",
      parents: [this, o],
      backward: (out) => {
        this.grad += out.grad;
        o.grad += out.grad;
      },
    });
  }

  /** `this − other`: the gradient passes through to `this`, and with its sign turned to `other`. */
  sub(other: Value | number): Value {
    const o = asValue(other);
    return new Value(this.data - o.data, {
      op: "−",
      parents: [this, o],
      backward: (out) => {
        this.grad += out.grad;
        o.grad -= out.grad;
      },
    });
  }

  /** `this · other`: each side's gradient is the other side's value times the output's. */
  mul(other: Value | number): Value {
    const o = asValue(other);
    return new Value(this.data * o.data, {
      op: "·",
      parents: [this, o],
      backward: (out) => {
        this.grad += o.data * out.grad; // ∂(a · b)/∂a = b
        o.grad += this.data * out.grad; // ∂(a · b)/∂b = a
      },
    });
  }

  /** `tanh(this)`: d tanh(z) / dz = 1 − tanh(z)². */
  tanh(): Value {
    const t = Math.tanh(this.data);
    return new Value(t, {
      op: "tanh",
      parents: [this],
      backward: (out) => (this.grad += (1 - t * t) * out.grad),
    });
  }

  /** `e^this`: its own derivative. */
  exp(): Value {
    const e = Math.exp(this.data);
    return new Value(e, {
      op: "exp",
      parents: [this],
      backward: (out) => (this.grad += e * out.grad),
    });
  }

  /** `ln(this)`, of a positive value: d ln(z) / dz = 1 / z. */
  log(): Value {
    if (!(this.data > 0)) {
      throw new RangeError(`log needs a positive value, got ${this.data}`);
    }
    return new Value(Math.log(this.data), {
      op: "log",
      parents: [this],
      backward: (out) => (this.grad += out.grad / this.data),
    });
  }

  /** Every value this one was made from, and itself last: each after all of its parents. */
  graph(): Value[] {
    const order: Value[] = [];
    const seen = new Set<Value>([this]);
    // Depth first, without recursion (a long chain of values must not overflow the stack):
    // a value goes into `order` once all its parents have.
    const stack: { value: Value; next: number }[] = [{ value: this, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const parent = top.value.parents[top.next++];
      if (parent === undefined) {
        order.push(top.value);
        stack.pop();
      } else if (!seen.has(parent)) {
        seen.add(parent);
        stack.push({ value: parent, next: 0 });
      }
    }
    return order;
  }

  /**
   * Fill in the `grad` of every value of this one's graph with d(this) / d(value): start from
   * d(this) / d(this) = 1 and run each backward rule, outputs before inputs. Each call starts the
   * gradients from zero.
   */
  backward(): void {
    const order = this.graph();
    for (const value of order) value.grad = 0;
    this.grad = 1;
    for (const value of order.reverse()) value.#backward(value);
  }
}

/** `x` itself, or a new input holding the number `x`. */
function asValue(x: Value | number): Value {
  return x instanceof Value ? x : new Value(x);
}

/**
 * The gradient of `f` at `xs` by central finite differences, `(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h`
 * for each `i`: slow, but needs no backward rule, so it checks those that are written by hand.
 * In float64 with the default `h`, a smooth `f` of moderate size agrees to about 1e-9.
 */
export function numericGradient(
  f: (xs: number[]) => number,
  xs: readonly number[],
  h = 1e-5,
): number[] {
  if (!(h > 0)) throw new RangeError(`numericGradient needs a step h > 0, got ${h}`);
  return xs.map((_, i) => {
    const at = (delta: number) => f(xs.map((x, j) => (j === i ? x + delta : x)));
    return (at(h) - at(-h)) / (2 * h);
  });
}
