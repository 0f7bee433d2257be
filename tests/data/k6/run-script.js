// Short bounded run against a local server only: 2 VUs for 3 s, named requests, checks, thresholds.
import http from 'k6/http';
import { check, group, sleep } from 'k6';

const BASE = 'http://127.0.0.1:18431';

export const options = {
  vus: 2,
  duration: '3s',
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
  thresholds: {
    http_req_duration: ['p(95)<500', 'avg<5'],
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:GET /api/items}': ['p(95)<1000'],
    'http_req_duration{name:GET /api/items/:id}': ['p(95)<1000'],
    'http_req_duration{name:POST /api/orders}': ['p(95)<1000'],
    'http_reqs{name:GET /api/items}': ['count>0'],
    'http_reqs{name:GET /api/items/:id}': ['count>0'],
    'http_reqs{name:POST /api/orders}': ['count>0'],
    'http_req_failed{name:GET /api/items}': ['rate<0.5'],
    'http_req_failed{name:GET /api/items/:id}': ['rate<0.5'],
    'http_req_failed{name:POST /api/orders}': ['rate<0.1'],
  },
};

export default function () {
  group('browse', function () {
    const list = http.get(`${BASE}/api/items`, { tags: { name: 'GET /api/items' } });
    check(list, { 'list is 200': (r) => r.status === 200 });
    const id = (__ITER * 2 + __VU) % 7;
    const item = http.get(`${BASE}/api/items/${id}`, { tags: { name: 'GET /api/items/:id' } });
    check(item, { 'item is 200': (r) => r.status === 200 });
  });
  group('buy', function () {
    const order = http.post(`${BASE}/api/orders`, JSON.stringify({ item: 1 }), {
      headers: { 'Content-Type': 'application/json' },
      tags: { name: 'POST /api/orders' },
    });
    check(order, { 'order is 201': (r) => r.status === 201 });
  });
  sleep(0.1);
}

export function handleSummary(data) {
  return { 'handle-summary.json': JSON.stringify(data, null, 2) };
}
