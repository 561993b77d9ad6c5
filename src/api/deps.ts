import type { Knex } from 'knex';
import type { SessionCheck } from '../auth/sessions';
import type { TokenService } from '../auth/tokens';
import type { Logger } from '../logging/logger';
import type { Checkout } from '../orchestration/checkout';
import type { CouponIssuer } from '../orchestration/couponIssuer';
import type { OrderWorkflows } from '../orchestration/orders';

/** Everything the HTTP layer needs, wired by the caller (start-up code or a test). */
export interface AppDeps {
  logger: Logger;
  db: Knex;
  tokens: TokenService;
  /** Whether a token's account still stands (revocation, role changes). */
  sessions: SessionCheck;
  couponIssuer: CouponIssuer;
  orderWorkflows: OrderWorkflows;
  checkout: Checkout;
  /** Reports whether each backing service answers; used by /readyz. */
  checkReadiness(): Promise<Record<string, boolean>>;
  bodyLimit: string;
  /** Origins browsers may call the API from (CORS_ORIGINS); none by default. */
  corsOrigins?: string[];
  /** Check every success body against its documented schema (development and tests). */
  checkResponses?: boolean;
}
