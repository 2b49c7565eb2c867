/** Types for asl-validator 4 (the package ships none), as far as the tests use it. */
declare module "asl-validator" {
  /** Validates an Amazon States Language definition. */
  export default function aslValidator(definition: unknown): {
    isValid: boolean;
    errors: { message?: string }[];
    errorsText: (separator?: string) => string;
  };
}
