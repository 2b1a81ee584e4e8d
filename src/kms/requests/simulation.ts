/**
 * Simulation controls for one region (`kms.simulate`): an outage, added latency, a request-rate
 * limit, and how long the transient Creating/Updating states of multi-Region keys last. Failures look
 * as they do to a client of AWS KMS: ThrottlingException ("Rate exceeded"), KMSInternalException or
 * DependencyTimeoutException, all server faults a client may retry.
 */
import { kmsError } from '../errors.js';

/**
 * One region's simulation settings (`kms.simulate({ region, ...settings })`); an absent member
 * keeps its current value.
 */
export interface SimulationSettings {
  /** `true` (KMSInternalException) or the exception every call in the region fails with. */
  outage?: boolean | 'KMSInternalException' | 'DependencyTimeoutException';
  /** Real milliseconds added before each call. */
  latencyMs?: number;
  /** At most `rps` calls per second by the injected clock (a token bucket of `rps` tokens); null removes it. */
  throttle?: { rps: number } | null;
  /** How long (injected-clock ms) a new replica stays Creating and UpdatePrimaryRegion leaves keys Updating. Default 0. */
  transitionMs?: number;
}

/** A region's simulation settings as they are now (`kms.simulation(region)`). */
export interface SimulationState {
  readonly region: string;
  /** false, or the exception every call in the region fails with. */
  readonly outage: false | 'KMSInternalException' | 'DependencyTimeoutException';
  readonly latencyMs: number;
  readonly throttle: { readonly rps: number } | null;
  readonly transitionMs: number;
}

export class RegionSimulation {
  outage: false | 'KMSInternalException' | 'DependencyTimeoutException' = false;
  latencyMs = 0;
  transitionMs = 0;
  #rps = 0;
  #tokens = 0;
  #refilledAt = 0;

  apply(settings: SimulationSettings, now: number): void {
    if (settings.outage !== undefined) this.outage = settings.outage === true ? 'KMSInternalException' : settings.outage;
    if (settings.latencyMs !== undefined) this.latencyMs = Math.max(0, settings.latencyMs);
    if (settings.transitionMs !== undefined) this.transitionMs = Math.max(0, settings.transitionMs);
    if (settings.throttle !== undefined) {
      this.#rps = settings.throttle ? Math.max(0, settings.throttle.rps) : 0;
      this.#tokens = this.#rps;
      this.#refilledAt = now;
    }
  }

  /** The settings now, as plain data. */
  state(region: string): SimulationState {
    return { region, outage: this.outage, latencyMs: this.latencyMs, throttle: this.#rps > 0 ? { rps: this.#rps } : null, transitionMs: this.transitionMs };
  }

  /** Runs before every call: latency, then outage, then the rate limit. */
  async admit(now: () => number): Promise<void> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (this.outage === 'DependencyTimeoutException') {
      throw kmsError('DependencyTimeoutException', 'The system timed out while trying to fulfill the request. You can retry the request.');
    }
    if (this.outage) throw kmsError('KMSInternalException', 'The request was rejected because an internal exception occurred. You can retry the request.');
    if (this.#rps > 0) {
      const t = now();
      this.#tokens = Math.min(this.#rps, this.#tokens + ((t - this.#refilledAt) / 1000) * this.#rps);
      this.#refilledAt = t;
      if (this.#tokens < 1) throw kmsError('ThrottlingException', 'Rate exceeded');
      this.#tokens -= 1;
    }
  }
}
