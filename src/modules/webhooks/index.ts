export { WebhooksModule } from './webhooks.module';
export { WebhookDeliveryWorker } from './webhook-delivery.worker';
