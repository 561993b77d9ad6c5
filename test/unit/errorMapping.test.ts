import { WorkflowUpdateFailedError } from '@temporalio/client';
import { toApiError } from '../../src/api/middleware/errorHandler';
import { BusinessError } from '../../src/domain/errors';

describe('toApiError', () => {
  it('answers an update the server rejected before it ran with a retryable 503', () => {
    const error = toApiError(new WorkflowUpdateFailedError('Workflow Update failed', new Error("Workflow Update is rejected because it wasn't processed by worker")));
    expect({ code: error.code, status: error.status }).toEqual({ code: 'SERVICE_UNAVAILABLE', status: 503 });
  });

  it('keeps business refusals as their own codes', () => {
    const error = toApiError(new BusinessError('PAYMENT_IN_PROGRESS', 'busy'));
    expect({ code: error.code, status: error.status }).toEqual({ code: 'PAYMENT_IN_PROGRESS', status: 409 });
  });
});
