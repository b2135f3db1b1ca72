// Command quickstart shows approvedsql end to end with no setup: an
// embedded SQLite database (through the "approved-sqlite" driver) in a
// temporary directory, a policy, signed provisioning keys, a statement
// allowed, one denied (and proof that nothing ran), one sent to review, its
// approval, the same statement passing, an expired key refused, and the
// audit trail with its hash chain verified.
//
//	go run ./examples/quickstart
//
// The Gate's clock is simulated so that the example can jump two hours
// ahead instead of waiting for a key to expire.
package main
