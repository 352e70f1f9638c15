import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../infra/errors.js';

/** The queue holds maxSize messages waiting or in flight; nothing was published. */
export function queueFull(queue: string, maxSize: number, waiting: number): GraphQLError {
  return new GraphQLError(`Queue ${queue} is full (${waiting} of at most ${maxSize} messages); nothing was published`, {
    extensions: { code: ErrorCode.QueueFull, queue, maxSize, waiting },
  });
}

/** `receipts`: the indexes (in the argument) of the receipts whose delivery has ended. */
export function receiptExpired(receipts: number[]): GraphQLError {
  return new GraphQLError(`The visibility of ${receipts.length === 1 ? 'a receipt' : `${receipts.length} receipts`} has ended; nothing was changed and the message will be delivered again`, {
    extensions: { code: ErrorCode.ReceiptExpired, receipts },
  });
}

/** `receipts`: the indexes of the receipts this hub did not issue. */
export function receiptInvalid(receipts: number[]): GraphQLError {
  return new GraphQLError(`${receipts.length === 1 ? 'A receipt is' : `${receipts.length} receipts are`} not a receipt issued by this hub; nothing was changed`, {
    extensions: { code: ErrorCode.ReceiptInvalid, receipts },
  });
}
