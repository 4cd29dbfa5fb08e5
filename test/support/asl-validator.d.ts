declare module 'asl-validator' {
  interface ValidationOptions {
    /** Check the JSONPath expressions. @default true */
    checkPaths?: boolean;
    /** Check the ARN syntax of `Resource` values. @default true */
    checkArn?: boolean;
  }

  interface ValidationResult {
    isValid: boolean;
    errors: unknown[];
    errorsText: (separator?: string) => string;
  }

  export default function aslValidator(definition: unknown, options?: ValidationOptions): ValidationResult;
}
