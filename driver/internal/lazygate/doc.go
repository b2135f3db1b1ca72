// Package lazygate holds the Gate of a driver registration: one set in
// code, or else one built on first use from the policy file named by the
// APPROVEDSQL_POLICY environment variable.
package lazygate
