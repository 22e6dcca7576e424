// Worker-thread entry of a parallel search: receives the objective payload once, then runs jobs.

import { serveJobs } from '../search/pool.js';
import { cvRunner, type ObjectivePayload } from './search-objective.js';

serveJobs(async (data) => cvRunner(data as ObjectivePayload));
