import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers';
import { ReviewSchedulesJob } from './review-schedules.job';
import { CustomerReviewController, ReviewsController } from './reviews.controller';
import { ReviewsRepository } from './reviews.repository';
import { ReviewsService } from './reviews.service';

@Module({
  imports: [CustomersModule],
  controllers: [ReviewsController, CustomerReviewController],
  providers: [ReviewsRepository, ReviewsService, ReviewSchedulesJob],
  exports: [ReviewsService],
})
export class ReviewsModule {}
