import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers';
import { InteractionsController } from './interactions.controller';
import { InteractionsRepository } from './interactions.repository';
import { InteractionsService } from './interactions.service';

@Module({
  imports: [CustomersModule],
  controllers: [InteractionsController],
  providers: [InteractionsRepository, InteractionsService],
})
export class InteractionsModule {}
