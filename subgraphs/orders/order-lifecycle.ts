export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

/**
 * PENDING → CONFIRMED → SHIPPED → DELIVERED, with PAID on the way (from PENDING or CONFIRMED,
 * before SHIPPED) and CANCELLED possible before SHIPPED.
 */
export function nextStatuses(status: OrderStatus): readonly OrderStatus[] {
  switch (status) {
    case 'PENDING':
      return ['CONFIRMED', 'PAID', 'CANCELLED'];
    case 'CONFIRMED':
      return ['PAID', 'SHIPPED', 'CANCELLED'];
    case 'PAID':
      return ['SHIPPED', 'CANCELLED'];
    case 'SHIPPED':
      return ['DELIVERED'];
    case 'DELIVERED':
    case 'CANCELLED':
      return [];
    default: {
      const unknown: never = status;
      throw new Error(`unknown order status ${String(unknown)}`);
    }
  }
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return nextStatuses(from).includes(to);
}
