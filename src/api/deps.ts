import type { Knex } from 'knex';
import type { HashingGate } from '../auth/passwords';
import type { SessionCheck } from '../auth/sessions';
import type { AuthLimits, Tarpit } from './authLimits';
import type { TokenService } from '../auth/tokens';
import type { Logger } from '../logging/logger';
import type { Checkout } from '../orchestration/checkout';
import type { CouponIssuer } from '../orchestration/couponIssuer';
import type { DeliveryReplays } from '../orchestration/deliveries';
import type { OrderWorkflows } from '../orchestration/orders';

/** Everything the HTTP layer needs, wired by the caller (start-up code or a test). */
export interface AppDeps {
  logger: Logger;
  db: Knex;
  tokens: TokenService;
  /** Whether a token's account still stands (revocation, role changes). */
  sessions: SessionCheck;
  /** Rate limits of sign-in and sign-up (per address, per account). */
  authLimits: AuthLimits;
  /** The bound on password hashes running and waiting in this process. */
  hashing: HashingGate;
  /** Holds the 429s of sign-in and sign-up before answering them. */
  refusalTarpit: Tarpit;
  couponIssuer: CouponIssuer;
  orderWorkflows: OrderWorkflows;
  checkout: Checkout;
  /** Ops' replays of one order's delivery to the data platform. */
  deliveryReplays: DeliveryReplays;
  /** Reports whether each backing service answers; used by /readyz. */
  checkReadiness(): Promise<Record<string, boolean>>;
  bodyLimit: string;
  /** How many proxies in front set X-Forwarded-For (TRUST_PROXY_HOPS); 0 by default. */
  trustProxyHops?: number;
  /** Origins browsers may call the API from (CORS_ORIGINS); none by default. */
  corsOrigins?: string[];
  /** Check every success body against its documented schema (development and tests). */
  checkResponses?: boolean;
}
