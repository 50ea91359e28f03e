/** asl-validator 3 ships no types: the one call the deploy tests make. */
declare module 'asl-validator' {
  function validator(
    definition: unknown,
    options?: { checkArn?: boolean; checkPaths?: boolean },
  ): { isValid: boolean; errors: Array<{ message: string; path?: string }> };
  export = validator;
}
