/** What workflows and stock activities say to each other. */
export interface StockItem {
  optionId: string;
  quantity: number;
}

export interface ReserveStockInput {
  orderId: string;
  items: StockItem[];
}

export interface StockMoveResult {
  orderId: string;
  /** The order's reservation after the call. */
  state: 'RESERVED' | 'CONFIRMED' | 'RELEASED' | 'RETURNED' | 'NONE';
  /** False when the call found the move already done (a retry): nothing changed. */
  changed: boolean;
  items: StockItem[];
}
