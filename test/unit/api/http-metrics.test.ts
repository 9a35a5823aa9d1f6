import { expect } from 'chai';
import { routeLabel } from '../../../src/api/middleware/http-metrics.js';

describe('http metrics: route labels stay few and carry no ids', () => {
  it('labels routes by pattern, the board as one route, the page files as static', () => {
    expect(routeLabel('/v1/batches/3f2a', '', '/v1/batches/:batch_id', 200)).to.equal(
      '/v1/batches/:batch_id',
    );
    expect(routeLabel('/admin/queues/api/queues?x=1', '/admin/queues', ['/a', '/b'], 200)).to.equal(
      '/admin/queues',
    );
    expect(routeLabel('/app.js', '', undefined, 200)).to.equal('static');
    expect(routeLabel('/nope/123', '', undefined, 404)).to.equal('unmatched');
  });
});
