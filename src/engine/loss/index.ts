// Losses by name: one factory that reports unknown names, as LightGBM's objective factory does.

import { binaryLogistic, softmax } from './classification.js';
import type { Loss, LossOptions } from './loss.js';
import { absoluteError, huber, poisson, squaredError } from './regression.js';

export type { Loss, LossOptions } from './loss.js';
export { huber, poisson, softmax };

export const LOSS_NAMES = ['squared_error', 'absolute_error', 'huber', 'poisson', 'binary_logistic', 'softmax'] as const;

export function createLoss(name: string, options: LossOptions = {}): Loss {
  switch (name) {
    case 'squared_error':
      return squaredError();
    case 'absolute_error':
      return absoluteError();
    case 'huber':
      return huber(options.huberDelta ?? 1);
    case 'poisson':
      return poisson();
    case 'binary_logistic':
      return binaryLogistic();
    case 'softmax':
      if (!options.nClasses || options.nClasses < 2) throw new Error(`softmax needs nClasses >= 2, got ${options.nClasses}`);
      return softmax(options.nClasses);
    default:
      throw new Error(`unknown loss "${name}" (expected one of ${LOSS_NAMES.join(', ')})`);
  }
}
