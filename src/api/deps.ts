import type { Knex } from 'knex';
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
  couponIssuer: CouponIssuer;
  orderWorkflows: OrderWorkflows;
  checkout: Checkout;
  /** Reports whether each backing service answers; used by /readyz. */
  checkReadiness(): Promise<Record<string, boolean>>;
  bodyLimit: string;
  /** Check every success body against its documented schema (development and tests). */
  checkResponses?: boolean;
}
