// k6 load test of the checkout API: 20 virtual users for 10.5 minutes against a server on 127.0.0.1.
// Run: k6 run --summary-export summary.json -e BASE=http://127.0.0.1:8042 checkout.js
import http from 'k6/http';
import { check, sleep } from 'k6';

const BASE = __ENV.BASE || 'http://127.0.0.1:8042';

export const options = {
  vus: 20,
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  duration: __ENV.DURATION || '630s',
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:GET /api/cart}': ['p(95)<300'],
    'http_req_duration{name:POST /api/checkout}': ['p(95)<500'],
    'http_req_failed{name:GET /api/cart}': ['rate<0.01'],
    'http_req_failed{name:POST /api/checkout}': ['rate<0.01'],
    'http_reqs{name:GET /api/cart}': ['count>0'],
    'http_reqs{name:POST /api/checkout}': ['count>0'],
  },
};

export default function () {
  const cart = http.get(`${BASE}/api/cart`, { tags: { name: 'GET /api/cart' } });
  check(cart, { 'cart is 200': (r) => r.status === 200 });
  const order = JSON.stringify({
    lines: [{ sku: 'book', quantity: 2 }, { sku: 'pen', quantity: 1 }],
    discount_percent: 10,
    tax_basis_points: 2000,
  });
  const res = http.post(`${BASE}/api/checkout`, order, {
    headers: { 'Content-Type': 'application/json' },
    tags: { name: 'POST /api/checkout' },
  });
  check(res, { 'checkout is 200': (r) => r.status === 200 });
  sleep(1);
}
