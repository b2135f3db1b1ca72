// Command policytest runs a policy's test file, as `approvalctl test` does:
//
//	go run ./examples/policytest                        # policy.yaml, policy_cases.yaml
//	go run ./examples/policytest POLICY CASES
//
// The directory is also the example of unit-testing a policy in Go:
// policy_test.go runs the same cases with approvaltest.RunFile, and checks
// with approvaltest and go-sqlmock that what the policy allows reaches the
// database with the right arguments while what it denies never does.
package main
