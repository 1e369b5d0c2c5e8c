import { ValidateBy, ValidationOptions } from 'class-validator';
import { summaryProblem } from '../interaction.rules';

/** A text that says what happened (summaryProblem): refused with the reason, naming the field. */
export const IsSubstantive = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isSubstantive',
      validator: {
        validate: (value) => typeof value === 'string' && summaryProblem(value) === undefined,
        defaultMessage: (args) => `${args?.property ?? 'summary'} ${typeof args?.value === 'string' ? summaryProblem(args.value) : 'must be a text'}`,
      },
    },
    options,
  );
