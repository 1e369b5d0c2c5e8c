import { Body, Controller, Get, HttpCode, Patch, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnyRole, CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { IdParam } from '../../common/http/id-param';
import { CreateTierDto, EvaluateTiersDto, SetCustomerTierDto, TierChangeDto, TierDto, TierEvaluationDto, UpdateTierDto } from './dto/tier.dto';
import { TiersService } from './tiers.service';
import { ApiOkArray } from '../../common/http/openapi-responses';
import { LIMITS, SHOWN } from '../../common/limits';
import { Idempotent } from '../idempotency';

@ApiTags('tiers')
@Controller()
export class TiersController {
  constructor(private readonly tiers: TiersService) {}

  @Get('tiers')
  @AnyRole()
  @ApiOperation({ operationId: 'listTiers', summary: 'Tiers, highest rank first, with cadence, response target and criteria' })
  @ApiOkArray(TierDto, LIMITS.tiers, `Every tier (at most ${LIMITS.tiers}: creating more is 422 LIMIT_REACHED)`)
  listTiers(): Promise<TierDto[]> {
    return this.tiers.list();
  }

  @Post('tiers')
  @Idempotent()
  @Roles('admin')
  @ApiOperation({ operationId: 'createTier', summary: 'Create a tier' })
  @ApiCreatedResponse({ type: TierDto })
  createTier(@Body() dto: CreateTierDto): Promise<TierDto> {
    return this.tiers.create(dto);
  }

  @Patch('tiers/:id')
  @Roles('admin')
  @ApiOperation({ operationId: 'updateTier', summary: 'Change a tier (a new cadence moves its customers\' follow-up dates)' })
  @ApiOkResponse({ type: TierDto })
  updateTier(@IdParam() id: string, @Body() dto: UpdateTierDto): Promise<TierDto> {
    return this.tiers.update(id, dto);
  }

  @Post('tiers/evaluate')
  @HttpCode(200)
  @Roles('admin', 'manager')
  @ApiOperation({ operationId: 'evaluateTiers', summary: 'Apply the tier criteria to your customers (dry run or for real)' })
  @ApiOkResponse({ type: TierEvaluationDto })
  evaluateTiers(@CurrentUser() caller: AuthUser, @Body() dto: EvaluateTiersDto): Promise<TierEvaluationDto> {
    return this.tiers.evaluate(caller, dto.dryRun);
  }

  @Put('customers/:id/tier')
  @Roles('admin', 'manager')
  @ApiOperation({ operationId: 'setCustomerTier', summary: 'Move a customer to a tier, with a reason; returns the tier history' })
  @ApiOkArray(TierChangeDto, SHOWN.tierChanges, `The newest ${SHOWN.tierChanges} tier changes, newest first`)
  setCustomerTier(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: SetCustomerTierDto): Promise<TierChangeDto[]> {
    return this.tiers.setCustomerTier(caller, id, dto);
  }

  @Get('customers/:id/tier-history')
  @Roles('admin', 'manager', 'sales', 'auditor')
  @ApiOperation({ operationId: 'getCustomerTierHistory', summary: 'Every tier change of a customer, newest first' })
  @ApiOkArray(TierChangeDto, SHOWN.tierChanges, `The newest ${SHOWN.tierChanges} tier changes, newest first`)
  getCustomerTierHistory(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<TierChangeDto[]> {
    return this.tiers.history(caller, id);
  }
}
