/**
 * A CPU profile of the current process for a chosen window, through the inspector's Profiler
 * (the same sampler as `node --cpu-prof`, but started and stopped around the measurement only,
 * so start-up and warm-up do not dilute it). The result is a `.cpuprofile` file that Chrome
 * DevTools and speedscope open; `summarizeProfile` turns it into a table.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

export class CpuProfiler {
  private session: Session | undefined;

  /** Starts sampling every `intervalUs` microseconds. */
  async start(intervalUs = 1000): Promise<void> {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    this.session = session;
  }

  /** Stops sampling and writes the profile to `file`. */
  async stop(file: string): Promise<void> {
    const session = this.session;
    if (!session) throw new Error('the profiler was not started');
    const { profile } = await session.post('Profiler.stop');
    await session.post('Profiler.disable');
    session.disconnect();
    this.session = undefined;
    await writeFile(file, JSON.stringify(profile));
  }
}
