export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

/** PENDING → CONFIRMED → SHIPPED → DELIVERED, with CANCELLED possible before SHIPPED. */
export function nextStatuses(status: OrderStatus): readonly OrderStatus[] {
  switch (status) {
    case 'PENDING':
      return ['CONFIRMED', 'CANCELLED'];
    case 'CONFIRMED':
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
