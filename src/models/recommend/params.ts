// Parameter schema pieces the recommendation families share.

import type { JsonObject } from '../../util/json.js';
import { modelWording, resolveParams } from '../../util/params.js';

export const int = (min: number, max: number, def: number, description: string): JsonObject => ({ type: 'integer', minimum: min, maximum: max, default: def, description });
export const num = (min: number, max: number, def: number, description: string): JsonObject => ({ type: 'number', minimum: min, maximum: max, default: def, description });

export const seedParam: JsonObject = { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1, default: 0, description: 'Seed of the random initialisation and order' };

/** How the ranking families read explicit ratings: every rating is an interaction, or its value weighs it. */
export const weightsParam: JsonObject = {
  type: 'string',
  enum: ['binary', 'value'],
  default: 'binary',
  description: 'binary: every interaction counts 1; value: weighted by its rating or weight',
};

export function flatSchema(properties: JsonObject): JsonObject {
  return { type: 'object', additionalProperties: false, properties };
}

/** A family's params checked against its schema with defaults filled (util/params.ts). */
export function resolveFamilyParams(kind: string, schema: JsonObject, params: JsonObject): JsonObject {
  return resolveParams(schema, params, modelWording(kind));
}
