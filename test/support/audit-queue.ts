import { AuditQueueFlusher } from '../../src/modules/audit';
import type { TestApp } from './test-app';

/**
 * Chains the reads (pii.read) waiting in audit_queue, as the idle flusher would within
 * AUDIT_QUEUE_FLUSH_MS (test apps do not start it), for tests that read audit_log directly.
 * The API's own audit queries chain them first by themselves.
 */
export function chainQueuedReads(t: Pick<TestApp, 'app'>): Promise<number> {
  return t.app.get(AuditQueueFlusher).flush();
}
