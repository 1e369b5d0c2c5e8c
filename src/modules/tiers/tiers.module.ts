import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers';
import { TiersController } from './tiers.controller';
import { TiersRepository } from './tiers.repository';
import { TiersService } from './tiers.service';

@Module({
  imports: [CustomersModule],
  controllers: [TiersController],
  providers: [TiersRepository, TiersService],
})
export class TiersModule {}
