import { requestParts } from '../simulatorKit/requestParts';
import { dataPlatformErrors } from './responses';

/** Request parts read in the data platform's words: a bad one is its 400 VALIDATION_FAILED. */
export const { parse, idempotencyKeyOf } = requestParts(dataPlatformErrors);
