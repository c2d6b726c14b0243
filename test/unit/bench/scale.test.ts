/**
 * The scale bench's arithmetic (bench/scale): CPU per component between two readings, the median
 * per orchestrator count over interleaved rounds, and the results file naming every count.
 */
import os from 'node:os';
import { expect } from 'chai';
import {
  cpuBetween,
  type CpuReading,
  type ProcessGroups,
} from '../../../bench/scale/cpu-accounts.js';
import {
  median,
  renderScaleMarkdown,
  summarize,
  type ScaleResults,
} from '../../../bench/scale/render.js';
import type { RoundResult } from '../../../bench/scale/round.js';

const groups: ProcessGroups = {
  orchestrators: [11, 12],
  participants: [21],
  kafka: [31, 32, 33],
  redis: [41],
};

function reading(at: number, byPid: Record<number, number>, driverMs: number): CpuReading {
  return {
    at,
    byPid: new Map(Object.entries(byPid).map(([pid, ms]) => [Number(pid), ms])),
    driverMs,
    machineBusyMs: at / 2,
    machineTotalMs: at,
  };
}

function round(orchestrators: number, index: number, sagasPerSec: number): RoundResult {
  const perSaga = 1000 / sagasPerSec;
  return {
    round: index,
    orchestrators,
    sagasPerSec,
    sagasEnded: sagasPerSec * 20,
    seconds: 20,
    cpuMsPerSaga: {
      orchestrators: perSaga / 4,
      participants: perSaga / 4,
      kafka: perSaga / 4,
      redis: perSaga / 8,
      driver: perSaga / 8,
      total: perSaga,
    },
    marginalCpuMsPerSaga: perSaga * 0.8,
    idleCpuPercent: { orchestrators: 1, participants: 2, kafka: 10, redis: 1, driver: 3 },
    orchestratorCpuPercents: Array.from({ length: orchestrators }, () => 30 / orchestrators),
    machineBusyPercent: 200,
    oursPercent: 100,
    loadAverage1m: 4 + index,
    endedByEvent: { SagaCompleted: sagasPerSec * 30 },
    startedAt: '2026-12-02T12:00:00.000Z',
  };
}

describe('scale bench', () => {
  it('sums each component’s CPU between two readings; a process gone counts nothing', () => {
    const start = reading(
      1_000,
      { 11: 100, 12: 200, 21: 50, 31: 10, 32: 10, 33: 10, 41: 5 },
      1_000,
    );
    // 2 s later; kafka 33 has exited (absent from the second reading).
    const end = reading(3_000, { 11: 500, 12: 400, 21: 150, 31: 110, 32: 60, 41: 25 }, 1_040);
    const window = cpuBetween(start, end, groups);
    expect(window.seconds).to.equal(2);
    expect(window.ms).to.deep.equal({
      orchestrators: 600,
      participants: 100,
      kafka: 150,
      redis: 20,
      driver: 40,
    });
    // 400 ms over 2 s is 20 % of a core; 200 ms is 10 %.
    expect(window.orchestratorPercents).to.deep.equal([20, 10]);
    expect(window.machineBusyPercent).to.equal(os.cpus().length * 50);
  });

  it('takes the median of odd and even counts, leaving out rounds without sagas', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([Number.NaN, 5])).to.equal(5);
    expect(median([])).to.be.NaN;
  });

  it('summarizes the interleaved rounds per count and renders every count and round', () => {
    const results: ScaleResults = {
      startedAt: '2026-12-02T12:00:00.000Z',
      endedAt: '2026-12-02T12:10:00.000Z',
      commit: 'abc1234',
      machine: { cpuModel: 'test', cores: 2, memoryGb: 8 },
      settings: {
        counts: [1, 2],
        rounds: 3,
        inFlight: 200,
        warmupSeconds: 10,
        measureSeconds: 20,
        partitions: 12,
        storeShards: 16,
      },
      topology: 'test topology',
      rounds: [
        round(1, 1, 40),
        round(2, 1, 50),
        round(1, 2, 10),
        round(2, 2, 70),
        round(1, 3, 30),
        round(2, 3, 60),
      ],
    };
    const [one, two] = summarize(results);
    expect(one?.sagasPerSec).to.equal(30);
    expect(one?.roundsSagasPerSec).to.deep.equal([40, 10, 30]);
    expect(two?.sagasPerSec).to.equal(60);
    expect(two?.cpuMsPerSaga.total).to.be.closeTo(1000 / 60, 1e-9);
    expect(two?.orchestratorCpuPercent).to.equal(15);
    expect(two?.loadAverage1m).to.equal(6);
    const markdown = renderScaleMarkdown(results);
    expect(markdown).to.match(/\|\s+1 \|\s+30\.0 \|\s+40\.0, 10\.0, 30\.0 \|\s+1\.00× \|/u);
    expect(markdown).to.match(/\|\s+2 \|\s+60\.0 \|\s+50\.0, 70\.0, 60\.0 \|\s+2\.00× \|/u);
    expect(markdown.match(/SagaCompleted/g)).to.have.length(6);
  });
});
