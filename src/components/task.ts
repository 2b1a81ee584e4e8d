/**
 * `ActionController`: the one place a component's async work runs (house-style rule 7). It keeps
 * the state a template renders (initial, pending, complete, error), hands each run an AbortSignal,
 * and aborts the previous run when a new one starts or the host leaves the page, so that a slow
 * answer can never overwrite a newer one.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * What a run is doing; `as const` values rather than an enum (house style rule 3).
 *
 * @example
 * ```ts
 * if (controller.status === TaskStatus.ERROR) console.log(describeError(controller.error));
 * ```
 */
export const TaskStatus = {
  INITIAL: 'initial',
  PENDING: 'pending',
  COMPLETE: 'complete',
  ERROR: 'error',
} as const;

export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** Templates for each status, as `@lit/task`'s `render` takes them. */
export interface TaskRenderers<R, T> {
  initial?: () => T;
  pending?: () => T;
  complete?: (value: R) => T;
  error?: (error: unknown) => T;
}

/**
 * Runs `work` on demand and re-renders its host on every state change.
 *
 * @example
 * ```ts
 * class Demo extends LitElement {
 *   readonly #load = new ActionController(this, (signal, id: string) => fetchThing(id, signal));
 *   override render() {
 *     return html`<button @click=${() => this.#load.run('a')}>Load</button>
 *       ${this.#load.render({ pending: () => 'loading…', complete: (v) => String(v), error: (e) => String(e) })}`;
 *   }
 * }
 * ```
 */
export class ActionController<A extends unknown[], R> implements ReactiveController {
  status: TaskStatus = TaskStatus.INITIAL;
  value: R | undefined;
  error: unknown;
  readonly #host: ReactiveControllerHost;
  readonly #work: (signal: AbortSignal, ...args: A) => Promise<R>;
  #abort: AbortController | undefined;

  constructor(host: ReactiveControllerHost, work: (signal: AbortSignal, ...args: A) => Promise<R>) {
    this.#host = host;
    this.#work = work;
    host.addController(this);
  }

  get pending(): boolean {
    return this.status === TaskStatus.PENDING;
  }

  /**
   * Starts a run (aborting the one in flight). Resolves with the value, or with undefined when the
   * run failed or was superseded: failures are state to render, not exceptions for the caller.
   */
  async run(...args: A): Promise<R | undefined> {
    this.#abort?.abort(new DOMException('superseded by a newer run', 'AbortError'));
    const abort = new AbortController();
    this.#abort = abort;
    this.status = TaskStatus.PENDING;
    this.error = undefined;
    this.#host.requestUpdate();
    try {
      const value = await this.#work(abort.signal, ...args);
      if (this.#abort !== abort) return undefined;
      this.status = TaskStatus.COMPLETE;
      this.value = value;
      return value;
    } catch (error) {
      if (this.#abort !== abort) return undefined;
      this.status = TaskStatus.ERROR;
      this.error = error;
      return undefined;
    } finally {
      if (this.#abort === abort) {
        this.#abort = undefined;
        this.#host.requestUpdate();
      }
    }
  }

  /** Aborts the run in flight, if any; its state returns to what it was before the run. */
  abort(reason?: unknown): void {
    const abort = this.#abort;
    if (!abort) return;
    this.#abort = undefined;
    abort.abort(reason);
    this.status = TaskStatus.ERROR;
    this.error = reason instanceof Error ? reason : new DOMException('aborted', 'AbortError');
    this.#host.requestUpdate();
  }

  /** Back to the initial state (a form was reset). */
  reset(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    this.status = TaskStatus.INITIAL;
    this.value = undefined;
    this.error = undefined;
    this.#host.requestUpdate();
  }

  render<T>(renderers: TaskRenderers<R, T>): T | undefined {
    switch (this.status) {
      case TaskStatus.PENDING:
        return renderers.pending?.();
      case TaskStatus.COMPLETE:
        return renderers.complete?.(this.value as R);
      case TaskStatus.ERROR:
        return renderers.error?.(this.error);
      default:
        return renderers.initial?.();
    }
  }

  hostDisconnected(): void {
    this.#abort?.abort(new DOMException('the element left the page', 'AbortError'));
    this.#abort = undefined;
  }
}
