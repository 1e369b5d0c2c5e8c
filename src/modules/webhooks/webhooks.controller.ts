import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { IdParam } from '../../common/http/id-param';
import { PageQueryDto } from '../../common/pagination';
import { Idempotent, IDEMPOTENT_REPLAY_HEADERS } from '../idempotency';
import { CreatedWebhookDto, CreateWebhookDto, GrantWebhookPiiDto, RevokeWebhookPiiDto, UpdateWebhookDto, WebhookDeliveryDto, WebhookDeliveryPageDto, WebhookDto, WebhookListDto } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

const REFUSED = { type: ProblemDto, description: 'WEBHOOK_URL_REFUSED: not https, or the host is loopback, link-local or private' };

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Roles('admin')
  @Idempotent()
  @ApiOperation({ operationId: 'createWebhook', summary: 'Subscribe an endpoint to events; the answer shows the signing secret, once' })
  @ApiCreatedResponse({ type: CreatedWebhookDto, headers: IDEMPOTENT_REPLAY_HEADERS })
  @ApiUnprocessableEntityResponse(REFUSED)
  createWebhook(@CurrentUser() caller: AuthUser, @Body() dto: CreateWebhookDto): Promise<CreatedWebhookDto> {
    return this.webhooks.create(caller, dto);
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ operationId: 'listWebhooks', summary: 'Every webhook endpoint (at most 100), with why the service disabled one' })
  @ApiOkResponse({ type: WebhookListDto })
  listWebhooks(): Promise<WebhookListDto> {
    return this.webhooks.list();
  }

  @Get(':id')
  @Roles('admin')
  @ApiOperation({ operationId: 'getWebhook', summary: 'One webhook endpoint' })
  @ApiOkResponse({ type: WebhookDto })
  getWebhook(@IdParam() id: string): Promise<WebhookDto> {
    return this.webhooks.get(id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ operationId: 'updateWebhook', summary: 'Change the URL, events, description; active: true re-enables a disabled endpoint' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiUnprocessableEntityResponse(REFUSED)
  updateWebhook(@IdParam() id: string, @Body() dto: UpdateWebhookDto): Promise<WebhookDto> {
    return this.webhooks.update(id, dto);
  }

  @Post(':id/pii-grant')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    operationId: 'grantWebhookPii',
    summary: 'Let an endpoint receive unmasked personal data of changes from now on (audited with the reason as webhook.pii_grant)',
  })
  @ApiOkResponse({ type: WebhookDto })
  grantWebhookPii(@IdParam() id: string, @Body() dto: GrantWebhookPiiDto): Promise<WebhookDto> {
    return this.webhooks.grantPii(id, dto);
  }

  @Post(':id/pii-revoke')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ operationId: 'revokeWebhookPii', summary: 'Mask personal data again in every delivery from now on, redeliveries included (audited as webhook.pii_revoke)' })
  @ApiOkResponse({ type: WebhookDto })
  revokeWebhookPii(@IdParam() id: string, @Body() dto: RevokeWebhookPiiDto): Promise<WebhookDto> {
    return this.webhooks.revokePii(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ operationId: 'deleteWebhook', summary: 'Remove an endpoint and its pending deliveries' })
  @ApiNoContentResponse({ description: 'Deleted' })
  deleteWebhook(@IdParam() id: string): Promise<void> {
    return this.webhooks.remove(id);
  }

  @Get(':id/deliveries')
  @Roles('admin')
  @ApiOperation({ operationId: 'listWebhookDeliveries', summary: 'Deliveries of an endpoint, newest first, with their latest attempts (status, duration, response excerpt)' })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  listWebhookDeliveries(@IdParam() id: string, @Query() query: PageQueryDto): Promise<WebhookDeliveryPageDto> {
    return this.webhooks.deliveries(id, query);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ operationId: 'redeliverWebhookDelivery', summary: 'Send one delivery again (due now, with a fresh 24 hours of retries)' })
  @ApiOkResponse({ type: WebhookDeliveryDto })
  @ApiParam({ name: 'deliveryId', schema: { type: 'string', format: 'uuid', maxLength: 36 } })
  redeliverWebhookDelivery(@IdParam() id: string, @IdParam('deliveryId') deliveryId: string): Promise<WebhookDeliveryDto> {
    return this.webhooks.redeliver(id, deliveryId);
  }
}
