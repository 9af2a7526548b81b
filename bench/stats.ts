/** Latencies collected one by one (autocannon's own histogram rounds to whole milliseconds). */
export class Latencies {
  private values = new Float64Array(1 << 16)
  private size = 0

  add(ms: number) {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2)
      grown.set(this.values)
      this.values = grown
    }
    this.values[this.size++] = ms
  }

  get count() {
    return this.size
  }

  /** Nearest-rank percentiles, in milliseconds. */
  percentiles(...ps: number[]): number[] {
    const sorted = this.values.slice(0, this.size).sort()
    return ps.map((p) =>
      this.size ? sorted[Math.min(this.size - 1, Math.max(0, Math.ceil((p / 100) * this.size) - 1))] : NaN
    )
  }
}
