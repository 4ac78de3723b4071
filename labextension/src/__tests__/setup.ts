import { contractViolations } from './fake';

// A request or answer that breaks the contract fails its test, even where a model caught
// the error the fake server threw.
afterEach(() => {
  expect(contractViolations()).toEqual([]);
});
