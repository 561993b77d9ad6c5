/**
 * Resources are stopped in the reverse order they were started (API before worker
 * before Temporal before PostgreSQL), each step bounded so one stuck part cannot keep
 * the process from exiting.
 */
export class ShutdownStack {
  private readonly steps: { name: string; stop: () => Promise<unknown> }[] = [];

  push(name: string, stop: () => Promise<unknown>): void {
    this.steps.push({ name, stop });
  }

  async run(onStep: (name: string, error?: unknown) => void, timeoutMs = 20_000): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          step.stop(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`did not stop within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        onStep(step.name);
      } catch (error) {
        onStep(step.name, error);
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
