/**
 * Conformance: optional steps chosen by a guard, and a signal wait with its own deadline, through
 * the service on real Kafka and Redis (participants played by a script).
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { ShapeInput } from '../../../support/shapes/common.js';
import { optionalStepsSaga } from '../../../support/shapes/optional-steps/index.js';
import {
  APPROVAL_TIMED_OUT,
  APPROVE_SIGNAL,
  signalWaitSaga,
} from '../../../support/shapes/signal-wait/index.js';
import { inBothDeliveries, observeEnd } from '../../../support/conformance/observed.js';
import {
  playParticipants,
  refuse,
  succeed,
  type Script,
  type ScriptedParticipants,
} from '../../../support/conformance/scripted-participants.js';
import { eventually } from '../../../support/eventually.js';
import { useSystem } from '../../../support/system.js';

describe('conformance: optional steps and signal waits through the service', function () {
  this.timeout(120_000);
  const sut = useSystem('conformance-guards', {
    definitions: [optionalStepsSaga, signalWaitSaga],
    participants: false,
  });
  let players: ScriptedParticipants;
  before(async function () {
    this.timeout(60_000);
    players = await playParticipants(sut.infra, {
      participants: ['inventory', 'insurance', 'shipping'],
      loadRecord: (id) => sut.system.orchestrator.store.load(id),
    });
  });

  async function start(type: string, name: string, script: Script, input: Partial<ShapeInput>) {
    const id = `${name}-${randomBytes(3).toString('hex')}`;
    players.script(id, script);
    const started = await sut.system.orchestrator.startSaga({
      type,
      id,
      input: { ref: id, ...input },
    });
    if (started.status !== 'started') throw new Error(`${id}: ${started.status}`);
    return id;
  }
  const end = (id: string) =>
    observeEnd(players, id, (i) => sut.system.orchestrator.waitForResult(i, 45_000));
  const allSucceed: Script = {
    reserve: [succeed()],
    insure: [succeed()],
    ship: [succeed()],
  };

  it('the optional step runs only when its guard holds', async () => {
    const insured = await end(
      await start(optionalStepsSaga.type, 'insured', allSucceed, { insured: true }),
    );
    const plain = await end(
      await start(optionalStepsSaga.type, 'plain', allSucceed, { insured: false }),
    );
    expect(insured.end.status).to.equal('completed');
    expect(insured.actions).to.deep.equal([
      'insurance.Insure',
      'inventory.Reserve',
      'shipping.Ship',
    ]);
    expect(plain.end.status).to.equal('completed');
    expect(plain.actions).to.deep.equal(['inventory.Reserve', 'shipping.Ship']);
    expect(plain.end.steps).to.not.have.property('insure');
  });

  it('a failure after the optional step undoes only the steps that ran, last first', async () => {
    const script = { ...allSucceed, ship: [refuse('NO_CARRIER')] };
    const insured = await end(
      await start(optionalStepsSaga.type, 'insured-fails', script, { insured: true }),
    );
    const plain = await end(
      await start(optionalStepsSaga.type, 'plain-fails', script, { insured: false }),
    );
    expect(insured.end).to.deep.include({ status: 'compensated', failure: 'NO_CARRIER' });
    expect(insured.compensations).to.deep.equal(['insurance.CancelInsurance', 'inventory.Release']);
    expect(plain.end).to.deep.include({ status: 'compensated', failure: 'NO_CARRIER' });
    expect(plain.compensations).to.deep.equal(['inventory.Release']);
  });

  it('the optional step refused: the step before it is undone, in one batch or apart', async () => {
    const observed = await inBothDeliveries(async (delivery) => {
      const id = await start(
        optionalStepsSaga.type,
        `insure-refused-${delivery}`,
        {},
        { insured: true },
      );
      const [reserve] = await players.commands(id, ['reserve']);
      if (!reserve) throw new Error('unreachable');
      // A duplicate of the reserve reply rides along: in one batch it is the round's second input.
      await players.send(
        [players.reply(reserve, succeed()), players.reply(reserve, succeed())],
        delivery,
      );
      const [insure] = await players.commands(id, ['insure']);
      if (!insure) throw new Error('unreachable');
      await players.send([players.reply(insure, refuse('UNINSURABLE'))], delivery);
      return end(id);
    });
    expect(observed.end).to.deep.include({ status: 'compensated', failure: 'UNINSURABLE' });
    expect(observed.actions).to.deep.equal(['insurance.Insure', 'inventory.Reserve']);
    expect(observed.compensations).to.deep.equal(['inventory.Release']);
  });

  /** Resolves once the saga waits for the approval signal. */
  const awaitingApproval = (id: string) =>
    eventually(`${id} to wait for approval`, async () => {
      const record = await sut.system.orchestrator.store.load(id);
      return record?.state === 'awaitingApproval' ? record : undefined;
    });

  it('a signal wait: approved within its deadline, the saga goes on; the deadline timer goes', async () => {
    const id = await start(
      signalWaitSaga.type,
      'approved',
      { reserve: [succeed()], ship: [succeed()] },
      { deadlineMs: 60_000 },
    );
    const waiting = await awaitingApproval(id);
    expect(waiting.timers.map((t) => t.timerId)).to.deep.equal(['saga.deadline.approval']);
    const outcome = await sut.system.orchestrator.signal(id, { type: APPROVE_SIGNAL });
    expect(outcome.status).to.equal('applied');
    const observed = await end(id);
    expect(observed.end).to.deep.include({ status: 'completed', timers: 0 });
    expect(observed.actions).to.deep.equal(['inventory.Reserve', 'shipping.Ship']);
  });

  it('a signal wait: no approval within its deadline, the saga undoes and refuses a late one', async () => {
    const id = await start(
      signalWaitSaga.type,
      'not-approved',
      { reserve: [succeed()] },
      {
        deadlineMs: 1_500,
      },
    );
    const observed = await end(id);
    expect(observed.end).to.deep.include({
      status: 'compensated',
      failure: APPROVAL_TIMED_OUT,
      compensated: ['reserve'],
    });
    expect(observed.compensations).to.deep.equal(['inventory.Release']);
    expect(observed.actions).to.deep.equal(['inventory.Reserve']);
    const late = await sut.system.orchestrator.signal(id, { type: APPROVE_SIGNAL });
    expect(late.status).to.equal('not-accepted');
  });

  it('the deadline event cannot be sent as a signal', async () => {
    const id = await start(
      signalWaitSaga.type,
      'forged',
      { reserve: [succeed()] },
      {
        deadlineMs: 60_000,
      },
    );
    await awaitingApproval(id);
    const forged = await sut.system.orchestrator.signal(id, { type: 'saga.deadline.approval' });
    expect(forged.status).to.equal('not-accepted');
    expect((await sut.system.orchestrator.store.load(id))?.state).to.equal('awaitingApproval');
    await sut.system.orchestrator.cancel(id);
    expect((await end(id)).end.status).to.equal('cancelled');
  });
});
