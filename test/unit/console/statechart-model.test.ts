/**
 * The console's statechart model (orchestrator/console/app/statechart-model.ts), pure: the state
 * tree and arrows drawn from a definition's `machine.toJSON()` as `GET /v1/definitions/:type`
 * returns it, the active states of a state string, and the path a history took.
 */
import { expect } from 'chai';
import {
  activePaths,
  eventLabel,
  pathTaken,
  statechartModel,
  type ChartNode,
} from '../../../orchestrator/console/app/statechart-model.js';
import { describeDefinition } from '../../../orchestrator/engine/index.js';
import { createOrderSaga } from '../../../sagas/order/index.js';
import { forkJoinSaga } from '../../support/shapes/fork-join/index.js';

const pathsOf = (node: ChartNode): string[] => [node.path, ...node.children.flatMap(pathsOf)];
const find = (node: ChartNode, path: string): ChartNode | undefined =>
  node.path === path ? node : node.children.map((c) => find(c, path)).find(Boolean);

describe('console statechart model', () => {
  const order = statechartModel(describeDefinition(createOrderSaga()).definition);
  const forkJoin = statechartModel(describeDefinition(forkJoinSaga).definition);

  it('names states by the paths the saga’s state string uses, compound ones with children', () => {
    const paths = pathsOf(order.root);
    expect(paths).to.include.members(['reserveInventory', 'awaitingApproval', 'completed']);
    expect(find(order.root, 'completed')?.kind).to.equal('final');
    expect(find(order.root, 'reserveInventory')?.description).to.equal('inventory.ReserveItems');
    expect(find(forkJoin.root, 'booking')?.kind).to.equal('parallel');
    expect(find(forkJoin.root, 'booking')?.children.map((c) => c.path)).to.deep.equal([
      'booking.hotel',
      'booking.flight',
    ]);
    expect(find(forkJoin.root, 'booking.hotel')?.initial).to.equal('attempting');
  });

  it('draws transitions between states (targets by #id resolved to paths), root ones listed apart', () => {
    const edge = forkJoin.edges.find(
      (e) => e.source === 'booking.hotel.attempting' && e.event === 'step.bookHotel.succeeded',
    );
    expect(edge).to.include({ target: 'booking.hotel.done', label: 'succeeded' });
    // `#compensating` is an id, not a path: it resolves to the state's path.
    expect(
      forkJoin.edges.some(
        (e) => e.source === 'booking.hotel.attempting' && e.target === 'compensating',
      ),
    ).to.equal(true);
    expect(forkJoin.global).to.deep.include({ event: 'saga.cancel', target: 'compensating' });
    // Every arrow joins two states of the tree, and none is drawn twice.
    const paths = new Set(pathsOf(forkJoin.root));
    for (const e of forkJoin.edges)
      expect(paths.has(e.source) && paths.has(e.target), e.id).to.equal(true);
    expect(new Set(forkJoin.edges.map((e) => e.id)).size).to.equal(forkJoin.edges.length);
  });

  it('labels delayed and done events shortly', () => {
    expect(
      eventLabel(
        'xstate.after.saga.stepTimeout.bookHotel.forkJoin.booking.hotel.attempting',
        'forkJoin.booking.hotel.attempting',
      ),
    ).to.equal('after step deadline');
    expect(
      eventLabel(
        'xstate.after.order.approvalTimeout.order.awaitingApproval',
        'order.awaitingApproval',
      ),
    ).to.equal('after order.approvalTimeout');
    expect(eventLabel('xstate.done.state.forkJoin.booking')).to.equal('done');
    expect(eventLabel('order.approve')).to.equal('order.approve');
  });

  it('makes every region’s leaf and their ancestors active for a parallel state string', () => {
    expect([...activePaths('booking.hotel.attempting,booking.flight.done')]).to.have.members([
      'booking',
      'booking.hotel',
      'booking.hotel.attempting',
      'booking.flight',
      'booking.flight.done',
    ]);
    expect([...activePaths('awaitingApproval')]).to.deep.equal(['awaitingApproval']);
  });

  it('marks the states a history went through and the arrows it took, not the others', () => {
    const history = [
      { kind: 'started', to: 'booking.hotel.attempting,booking.flight.attempting' },
      {
        kind: 'transition',
        from: 'booking.hotel.attempting,booking.flight.attempting',
        to: 'booking.hotel.done,booking.flight.attempting',
      },
    ];
    const taken = pathTaken(history, forkJoin.edges);
    expect([...taken.states]).to.include.members([
      'booking.hotel.done',
      'booking.flight.attempting',
    ]);
    expect(taken.states.has('charge')).to.equal(false);
    const ids = [...taken.edges];
    expect(ids).to.have.length(1);
    expect(ids[0]).to.match(/^booking\.hotel\.attempting->booking\.hotel\.done:/);
  });
});
