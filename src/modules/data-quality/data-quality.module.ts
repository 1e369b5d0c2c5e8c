import { Module } from '@nestjs/common';
import { DataQualityController } from './data-quality.controller';
import { DataQualityJob } from './data-quality.job';
import { DataQualityRepository } from './data-quality.repository';
import { DataQualityService } from './data-quality.service';

@Module({
  controllers: [DataQualityController],
  providers: [DataQualityRepository, DataQualityService, DataQualityJob],
  exports: [DataQualityService],
})
export class DataQualityModule {}
