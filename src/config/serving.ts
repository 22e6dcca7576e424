// The serving settings a model carries (`model.serving` in soma.yaml, the seeds' key) and
// `soma serve`'s serve.yaml repeats (`serving:` for every model, `models.<name>:` for one): one
// schema for both, so a key means the same thing wherever it is written.

import { parse as parseYaml } from 'yaml';
import { isJsonObject, type JsonObject, type JsonValue } from '../util/json.js';

export const SERVING_PROPERTIES: JsonObject = {
  batch_size: { type: 'integer', minimum: 1, description: 'Most rows one predictor call takes when concurrent requests are batched (1: no batching); default 32' },
  max_latency_ms: { type: 'number', minimum: 0, maximum: 10000, description: 'Longest a partial batch waits for more concurrent requests (never when the server is idle); default 2' },
  cache_size: { type: 'integer', minimum: 0, description: 'Prediction cache entries per served version (0: no cache); default 0' },
  max_queue: { type: 'integer', minimum: 1, description: 'Requests that may wait for a batch per served version; more are answered 503 with Retry-After; default 1024' },
  log_sample: { type: 'number', minimum: 0, maximum: 1, description: 'Share of requests written to the prediction log; default 1 (all)' },
};

/** `model.serving` of a resolved config as a version stores it (config.yaml); {} when absent or unreadable as YAML. */
export function servingOfConfigYaml(text: string): Record<string, JsonValue> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return {};
  }
  const model = isJsonObject(doc) ? doc['model'] : undefined;
  const serving = isJsonObject(model) ? model['serving'] : undefined;
  return isJsonObject(serving) ? serving : {};
}
