export { ComplaintsModule } from './complaints.module';
export { ComplaintsService } from './complaints.service';
export { COMPLAINT_CHANNELS, type ComplaintCategory, type ComplaintMood, type ComplaintSeverity } from './complaint.entity';
export { ComplaintDto, CreateComplaintDto, ReportUpwardDto } from './dto/complaint.dto';
export { mayReportUpward, TOPIC_MAX_LENGTH } from './report-upward.rules';
export { reportedTopic } from './complaints.service';
