// A run that sends no request at all: one iteration that only sleeps.
import { sleep } from 'k6';

export const options = { vus: 1, iterations: 1, thresholds: { http_req_duration: ['p(95)<500'] } };

export default function () {
  sleep(0.1);
}

export function handleSummary(data) {
  return { 'nothing-handle-summary.json': JSON.stringify(data, null, 2) };
}
