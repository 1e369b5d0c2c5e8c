/**
 * Every stable error code the API answers with, and its HTTP status. Clients branch on `code`,
 * never on `title` or `detail`. Adding a code here is the only way to make it mappable.
 */
export const ERROR_CATALOG = {
  // platform
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  INVALID_CURSOR: { status: 400, title: 'The cursor is not one this list returned' },
  MALFORMED_REQUEST: { status: 400, title: 'The request could not be read' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  INVALID_CREDENTIALS: { status: 401, title: 'Wrong username or password' },
  FORBIDDEN: { status: 403, title: 'Not allowed' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  CONFLICT: { status: 409, title: 'Conflict with the current state' },
  VERSION_CONFLICT: { status: 412, title: 'The record was changed by someone else' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  UNPROCESSABLE: { status: 422, title: 'The request cannot be carried out' },
  LIMIT_REACHED: { status: 422, title: 'There can be no more of these: a limit the contract states is reached' },
  PRECONDITION_REQUIRED: { status: 428, title: 'Send the version you read (If-Match or version)' },
  TOO_MANY_ATTEMPTS: { status: 429, title: 'Too many attempts' },
  RATE_LIMITED: { status: 429, title: 'Too many requests: retry after the time in Retry-After' },
  REFERENCE_NOT_FOUND: { status: 422, title: 'A referenced record does not exist' },
  IN_USE: { status: 409, title: 'The record is still referenced by other records' },
  INTERNAL_ERROR: { status: 500, title: 'Internal error' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  BUSY: { status: 503, title: 'The service is busy: retry shortly (see Retry-After)' },
  DATABASE_UNAVAILABLE: { status: 503, title: 'The database is unavailable: retry shortly (see Retry-After)' },
  SHUTTING_DOWN: { status: 503, title: 'This instance is shutting down: retry (another instance will answer)' },
  // users and departments
  USERNAME_TAKEN: { status: 409, title: 'The username is taken' },
  DEPARTMENT_NAME_TAKEN: { status: 409, title: 'A department with this name exists' },
  DEPARTMENT_NOT_FOUND: { status: 422, title: 'The department does not exist' },
  USER_INACTIVE: { status: 409, title: 'The user is deactivated' },
  CANNOT_DEACTIVATE_SELF: { status: 422, title: 'You cannot deactivate yourself' },
  // customers, contacts, interactions
  CUSTOMER_DUPLICATE: { status: 409, title: 'The customer already exists' },
  REASON_REQUIRED: { status: 422, title: 'A reason is required for this change' },
  OWNER_INVALID: { status: 422, title: 'The owner cannot be assigned' },
  OWNER_CHANGE_NEEDS_TRANSFER: { status: 422, title: 'The owner changes only through a transfer' },
  PRIMARY_CONTACT_REQUIRED: { status: 422, title: 'Name the new primary contact' },
  CONTACT_ALREADY_LEFT: { status: 409, title: 'The contact has already left' },
  LAST_REACHABLE_CONTACT: { status: 422, title: 'The customer would have no active contact with a mobile number' },
  CUSTOMER_NOT_ARCHIVED: { status: 409, title: 'The customer is not in the archive' },
  NOT_AUTHOR: { status: 403, title: 'Only the author may correct an interaction record' },
  // tags and tiers
  TAG_NAME_TAKEN: { status: 409, title: 'The name is taken in this group' },
  TAG_GROUP_NOT_EMPTY: { status: 409, title: 'The tag group still has tags' },
  TAG_GROUP_CONFLICT: { status: 409, title: 'Customers carry several tags of this group' },
  CUSTOMER_ARCHIVED: { status: 409, title: 'The customer is in the archive: reactivate it first' },
  CUSTOMER_MERGED: { status: 410, title: 'The customer was merged into another one' },
  DELETE_NEEDS_APPROVAL: { status: 405, title: 'Customers are deleted through an approved request' },
  // approvals, transfers, exports
  SELF_APPROVAL: { status: 403, title: 'You cannot decide your own request' },
  NOT_YOUR_STEP: { status: 403, title: 'This step is for someone else to decide' },
  APPROVAL_DECIDED: { status: 409, title: 'The approval or its step is already decided' },
  SAME_APPROVER: { status: 403, title: 'You decided another step of this request' },
  NO_INDEPENDENT_APPROVER: { status: 422, title: 'No different person can decide each step of this request' },
  REQUEST_PENDING: { status: 409, title: 'A pending request already names this customer' },
  TRANSFER_REFUSED: { status: 422, title: 'None of the customers can be transferred' },
  TARGET_INVALID: { status: 422, title: 'The target user cannot take customers' },
  EXPORT_NOT_READY: { status: 409, title: 'The export is not approved' },
  EXPORT_EXPIRED: { status: 410, title: 'The export\'s download window has passed' },
  EXPORT_REQUESTER_CHANGED: { status: 409, title: 'The requester\'s role or department changed since the export was requested' },
  // complaints
  INVALID_TRANSITION: { status: 409, title: 'The flow (of a complaint or request) does not allow this step now' },
  REQUEST_ALREADY_ESCALATED: { status: 409, title: 'The request was already escalated into a complaint' },
  // opportunities and attachments
  FINAL_AMOUNT_REQUIRED: { status: 422, title: 'Winning an opportunity needs its final amount' },
  // idempotent writes
  WEBHOOK_URL_REFUSED: { status: 422, title: 'The webhook URL is not allowed: https only, and no loopback, link-local or private address' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used with a different request' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, title: 'A request with this Idempotency-Key is still being processed: retry shortly' },
  // audit
  AUDIT_READS_BUSY: { status: 503, title: 'Too many audit exports or verifications are running' },
  AUDIT_CHAIN_EMPTY: { status: 409, title: 'The audit log has no entry to sign yet' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export function problemType(code: ErrorCode): string {
  return `https://crm.example.com/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}
