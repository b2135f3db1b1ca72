// Command combogen writes conn_combos.go for package driver: one type per
// combination of the optional interfaces a wrapped connection may
// advertise, so that the wrapper advertises exactly those of the inner
// connection. Run through go generate in package driver.
package main
