import { Module } from '@nestjs/common';
import { CalendarModule } from '../calendar';
import { CustomersModule } from '../customers';
import { UsersModule } from '../users';
import { ComplaintsController } from './complaints.controller';
import { ComplaintsRepository } from './complaints.repository';
import { ComplaintsService } from './complaints.service';
import { EscalationJob } from './escalation.job';

@Module({
  imports: [CalendarModule, CustomersModule, UsersModule],
  controllers: [ComplaintsController],
  providers: [ComplaintsRepository, ComplaintsService, EscalationJob],
  exports: [ComplaintsService],
})
export class ComplaintsModule {}
