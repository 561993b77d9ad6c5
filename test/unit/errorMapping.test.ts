import { WorkflowUpdateFailedError } from '@temporalio/client';
import { statusOf } from '../../src/api/errors';
import { toApiError } from '../../src/api/middleware/errorHandler';
import { CodedError } from '../../src/domain/errors';

describe('toApiError', () => {
  it('answers an update the server rejected before it ran with a retryable 503', () => {
    const error = toApiError(new WorkflowUpdateFailedError('Workflow Update failed', new Error("Workflow Update is rejected because it wasn't processed by worker")));
    expect({ code: error.code, status: statusOf[error.code] }).toEqual({ code: 'SERVICE_UNAVAILABLE', status: 503 });
  });

  it('keeps business refusals as their own codes', () => {
    const error = toApiError(new CodedError('PAYMENT_IN_PROGRESS', 'busy'));
    expect({ code: error.code, status: statusOf[error.code] }).toEqual({ code: 'PAYMENT_IN_PROGRESS', status: 409 });
  });
});
