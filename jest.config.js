/** Jest runs the TypeScript model tests in `labextension/src/__tests__` (`npm test`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/labextension/src'],
  testMatch: ['**/__tests__/**/*.spec.ts'],
  // requests and answers of the fake server are checked against openapi.yaml
  setupFilesAfterEnv: ['<rootDir>/labextension/src/__tests__/setup.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }]
  }
};
