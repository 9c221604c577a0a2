/** A set of listeners called in order with each event; one that throws does not stop the others. */
export class Listeners<T> {
  private readonly set = new Set<(event: T) => void>();

  on(listener: (event: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(event: T): void {
    for (const l of [...this.set]) {
      try {
        l(event);
      } catch {
        // A broken listener must not break the machine that emits.
      }
    }
  }
}
