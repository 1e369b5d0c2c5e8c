export { ApprovalsModule } from './approvals.module';
export { ApprovalsService } from './approvals.service';
export type { ApprovalHandler, StepSpec } from './approvals.service';
export { ApprovalEntity } from './approval.entity';
export { ApprovalDto } from './dto/approval.dto';
