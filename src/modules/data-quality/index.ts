export { DataQualityModule } from './data-quality.module';
export { DataQualityService } from './data-quality.service';
