/**
 * Good rows on their way to the store: grouped in batches (BatchWriteItem takes 25), with up to
 * `window` batches in flight, so the engine always has work and memory holds at most
 * `window × batchSize` rows. A visit is never in two flights at once: a later row of a visit waits
 * for the flight carrying the earlier one, so the later row is always the one that stays.
 */
export class WriteWindow<T> {
  private batch = new Map<string, T>();
  private batchRows = 0;
  private readonly flights = new Set<Promise<void>>();
  private readonly keysInFlight = new Map<string, Promise<void>>();
  private failure: { error: unknown } | undefined;
  /** Rows accepted and stored (a visit repeated in the file counts each time). */
  written = 0;

  constructor(
    private readonly write: (rows: T[]) => Promise<void>,
    private readonly batchSize = 25,
    private readonly window = 16,
  ) {}

  /** Adds a row under its visit key; waits when the window is full. Throws a failed write. */
  async add(key: string, row: T): Promise<void> {
    const busy = this.keysInFlight.get(key);
    if (busy) await busy;
    this.batch.delete(key);
    this.batch.set(key, row);
    this.batchRows += 1;
    if (this.batch.size >= this.batchSize) await this.dispatch();
  }

  /** Writes what is left and waits for every flight; throws the first failed write. */
  async finish(): Promise<void> {
    if (this.batch.size > 0) await this.dispatch();
    await this.settle();
    if (this.failure) throw this.failure.error;
  }

  /** Waits for the flights in the air, whatever their outcome (nothing may outlive the read). */
  async settle(): Promise<void> {
    await Promise.all(this.flights);
  }

  private async dispatch(): Promise<void> {
    while (this.flights.size >= this.window && !this.failure) await Promise.race(this.flights);
    if (this.failure) throw this.failure.error;
    const keys = [...this.batch.keys()];
    const rows = [...this.batch.values()];
    const count = this.batchRows;
    this.batch = new Map();
    this.batchRows = 0;
    const flight: Promise<void> = this.write(rows)
      .then(
        () => {
          this.written += count;
        },
        (error: unknown) => {
          this.failure ??= { error };
        },
      )
      .finally(() => {
        this.flights.delete(flight);
        for (const key of keys) if (this.keysInFlight.get(key) === flight) this.keysInFlight.delete(key);
      });
    this.flights.add(flight);
    for (const key of keys) this.keysInFlight.set(key, flight);
  }
}
