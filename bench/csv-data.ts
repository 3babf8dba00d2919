/**
 * A k6 `--out csv` file of a given size, shaped like the real output of our scenarios
 * (results-samples/k6-csv/k6-plain.csv.gz, k6 v2.2.0): the 19-column header of the default system tags;
 * per request the nine built-in HTTP metrics with k6's system tag cells, per iteration `data_sent`,
 * `data_received`, `iteration_duration`, `iterations`; `vus` and `vus_max` every second; the scenario's
 * tags (`level`, `target`, `run_id`) in `extra_tags` in a random order per row, as Go's map iteration
 * writes them; `timestamp` in whole Unix seconds (the default `timeFormat`), values printed like `%f`.
 * Latencies are log-normal, 1% of requests fail with a 500 (`error_code` 1500). Deterministic (seeded),
 * so every run of the benchmark reads the same bytes.
 */
import { closeSync, openSync } from 'node:fs';
import { gaussian, mulberry32 } from '../analysis/stats/random.ts';
import { LineWriter, pick } from './ndjson-data.ts';

export interface GeneratedCsv {
  readonly bytes: number;
  readonly requests: number;
}

export const K6_CSV_HEADER =
  'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata';


export function generateCsv(file: string, targetBytes: number, options: { rate?: number; seed?: number } = {}): GeneratedCsv {
  const { rate = 100, seed = 1 } = options;
  const random = mulberry32(seed);
  const fd = openSync(file, 'w');
  const out = new LineWriter(fd);
  const emit = (line: string): void => out.line(line);
  let requests = 0;
  const runId = '20261124T010000Z-3f9c2a';
  const extra = [`level=${rate}`, 'target=127.0.0.1:18080', `run_id=${runId}`];
  // Go randomises map iteration per range loop, so each row has one of the 3! orders.
  const extraTags = (): string => {
    const order = [...extra];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order.join('&');
  };
  /** `cells` are the 14 system tag cells from `check` to `url`. */
  const row = (metric: string, second: number, value: number, cells: string): void => {
    emit(`${metric},${second},${value.toFixed(6)},${cells},${extraTags()},`);
  };

  emit(K6_CSV_HEADER);
  const start = 1_795_000_000; // 2026-11-19, in s
  const stepMs = 1000 / rate;
  let nowMs = start * 1000;
  let nextSecond = start;
  try {
    while (out.bytes < targetBytes) {
      const second = Math.floor(nowMs / 1000);
      if (second >= nextSecond) {
        const empty = ',,,,,,,,,,,,,';
        row('vus', nextSecond, 5 + Math.floor(random() * 3), empty);
        row('vus_max', nextSecond, 20, empty);
        nextSecond += 1;
      }
      const endpoint = pick(random());
      const failed = random() < 0.01;
      const url = `http://127.0.0.1:18080${endpoint.path}`;
      // check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url
      const http = `,,${failed ? '1500' : ''},${failed ? 'false' : 'true'},,${endpoint.method},${url},HTTP/1.1,constant,,${failed ? '500' : '200'},,,${url}`;
      const iteration = ',,,,,,,,constant,,,,,';
      const waiting = endpoint.medianMs * Math.exp(0.5 * gaussian(random));
      const blocked = random() < 0.02 ? 0.2 + random() : 0.002 + random() * 0.01;
      const sending = 0.01 + random() * 0.03;
      const receiving = 0.02 + random() * 0.05;
      const duration = sending + waiting + receiving;
      row('http_reqs', second, 1, http);
      row('http_req_duration', second, duration, http);
      row('http_req_blocked', second, blocked, http);
      row('http_req_connecting', second, blocked > 0.1 ? blocked * 0.6 : 0, http);
      row('http_req_tls_handshaking', second, 0, http);
      row('http_req_sending', second, sending, http);
      row('http_req_waiting', second, waiting, http);
      row('http_req_receiving', second, receiving, http);
      row('http_req_failed', second, failed ? 1 : 0, http);
      row('data_sent', second, endpoint.method === 'POST' ? 164 : 96, iteration);
      row('data_received', second, 180 + Math.floor(random() * 60), iteration);
      row('iteration_duration', second, duration + blocked + 0.05, iteration);
      row('iterations', second, 1, iteration);
      requests += 1;
      nowMs += stepMs;
    }
    out.flush();
  } finally {
    closeSync(fd);
  }
  return { bytes: out.bytes, requests };
}
