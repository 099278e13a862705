/**
 * SM's job controller (`pkg/service/repair/controller.go`): at most one job per node, at most `parallel` jobs
 * (or the plan's max parallel when 0), and the intensity of a job capped by its replicas' maximal intensity.
 * Single-threaded: only the scheduler calls it.
 * @module
 */

export class JobController {
  readonly #busy = new Set<string>();
  #jobs = 0;
  #intensity: number;
  #parallel: number;
  readonly #maxParallel: number;
  readonly #maxHostIntensity: ReadonlyMap<string, number>;

  constructor(options: {
    intensity: number;
    parallel: number;
    maxParallel: number;
    maxHostIntensity: ReadonlyMap<string, number>;
  }) {
    this.#intensity = options.intensity;
    this.#parallel = options.parallel;
    this.#maxParallel = options.maxParallel;
    this.#maxHostIntensity = options.maxHostIntensity;
  }

  get intensity(): number {
    return this.#intensity;
  }

  get parallel(): number {
    return this.#parallel;
  }

  get maxParallel(): number {
    return this.#maxParallel;
  }

  /** The job cap now: `parallel`, or the plan's max when 0. */
  get cap(): number {
    return this.#parallel === 0 ? this.#maxParallel : this.#parallel;
  }

  /** Applies to jobs generated from now on (SM's `repair control`). */
  setIntensity(value: number): void {
    this.#intensity = value;
  }

  setParallel(value: number): void {
    this.#parallel = value;
  }

  /** Jobs running now. */
  get jobs(): number {
    return this.#jobs;
  }

  get busy(): boolean {
    return this.#jobs > 0;
  }

  /** Whether a node is in a job. */
  isBusy(host: string): boolean {
    return this.#busy.has(host);
  }

  /** Whether another job may start now (cap not reached). */
  get hasSlot(): boolean {
    return this.#jobs < this.cap;
  }

  /** Whether every host is free and a slot is available. */
  canBlock(hosts: readonly string[]): boolean {
    if (!this.hasSlot) return false;
    for (const h of hosts) if (this.#busy.has(h)) return false;
    return true;
  }

  /** Blocks the hosts for a job; returns its intensity, or undefined when denied. */
  tryBlock(hosts: readonly string[]): number | undefined {
    if (!this.canBlock(hosts)) return undefined;
    for (const h of hosts) this.#busy.add(h);
    this.#jobs += 1;
    return this.jobIntensity(hosts);
  }

  /** Intensity of a job on these replicas: 0 or above the set's max ⇒ the set's max. */
  jobIntensity(hosts: readonly string[]): number {
    let setMax = Number.POSITIVE_INFINITY;
    for (const h of hosts) setMax = Math.min(setMax, this.#maxHostIntensity.get(h) ?? 1);
    if (!Number.isFinite(setMax)) setMax = 1;
    return this.#intensity === 0 || setMax < this.#intensity ? setMax : this.#intensity;
  }

  unblock(hosts: readonly string[]): void {
    for (const h of hosts) this.#busy.delete(h);
    this.#jobs = Math.max(0, this.#jobs - 1);
  }
}
