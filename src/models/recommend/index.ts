// The recommendation families, for models/index.ts to register with the others.

import type { EstimatorSpec } from '../estimator.js';
import { alsSpec } from './als.js';
import { biasesSpec } from './biases.js';
import { contentSpec } from './content.js';
import { hybridSpec } from './hybrid.js';
import { itemKnnSpec } from './item_knn.js';
import { mfSpec } from './mf.js';
import { popularitySpec } from './popularity.js';

export const recommendationSpecs: EstimatorSpec[] = [popularitySpec, biasesSpec, mfSpec, alsSpec, itemKnnSpec, contentSpec, hybridSpec];
export { isRecommender, type InteractionData, type Recommender } from './recommender.js';
