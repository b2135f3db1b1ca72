package cel

import (
	celgo "cel.dev/cel-go/cel"
)

// varID identifies one variable of the vocabulary.
type varID int

// The variables of the vocabulary, in the order of the table in doc.go.
const (
	vQueryText varID = iota
	vQueryFingerprint
	vQueryCommand
	vQueryObject
	vQueryReadOnly
	vQueryTables
	vQueryFunctions
	vQueryLiterals
	vQueryHasWhere
	vQueryParams
	vQueryDialect
	vArgs
	vNamedArgs
	vKeyPresent
	vKeyID
	vKeySubject
	vKeyRole
	vKeyScopes
	vKeyLabels
	vKeySession
	vKeyIssuedAt
	vKeyExpiresAt
	vSourceApp
	vSourceService
	vSourceAddress
	vSourceRoute
	vSourceLabels
	vSourceIP
	vTxActive
	vTxReadOnly
	vNow
	vUsageKeyCalls1m
	vUsageKeyCalls1h
	vUsageFingerprintCalls1m
	numVars
)

// variable is one entry of the vocabulary.
type variable struct {
	id   varID
	name string
	typ  *celgo.Type
	doc  string
}

var (
	listOfString      = celgo.ListType(celgo.StringType)
	mapStringToString = celgo.MapType(celgo.StringType, celgo.StringType)
)

// vocabulary returns the declared variables. It is a function, not a
// package variable, so that no state is shared between environments.
func vocabulary() []variable {
	return []variable{
		{vQueryText, "query.text", celgo.StringType, "canonical statement text"},
		{vQueryFingerprint, "query.fingerprint", celgo.StringType, "fingerprint of the canonical text"},
		{vQueryCommand, "query.command", celgo.StringType, "SELECT, INSERT, ... (upper case)"},
		{vQueryObject, "query.object", celgo.StringType, "object kind for DDL (TABLE, INDEX, ROLE, ...), else empty"},
		{vQueryReadOnly, "query.read_only", celgo.BoolType, "false when any part of the statement can write"},
		{vQueryTables, "query.tables", listOfString, "tables, as the server resolves the names"},
		{vQueryFunctions, "query.functions", listOfString, "functions called (folded names)"},
		{vQueryLiterals, "query.literals", listOfString, "literal values replaced in the canonical text, in order"},
		{vQueryHasWhere, "query.has_where", celgo.BoolType, "UPDATE/DELETE with a WHERE clause"},
		{vQueryParams, "query.params", celgo.IntType, "number of bind parameters"},
		{vQueryDialect, "query.dialect", celgo.StringType, "postgres, mysql or sqlite"},
		{vArgs, "args", celgo.ListType(celgo.DynType), "positional arguments after driver conversion"},
		{vNamedArgs, "named_args", celgo.MapType(celgo.StringType, celgo.DynType), "named arguments (sql.Named)"},
		{vKeyPresent, "key.present", celgo.BoolType, "false for an anonymous call"},
		{vKeyID, "key.id", celgo.StringType, "key id"},
		{vKeySubject, "key.subject", celgo.StringType, "who the key was issued to"},
		{vKeyRole, "key.role", celgo.StringType, "role"},
		{vKeyScopes, "key.scopes", listOfString, "scopes"},
		{vKeyLabels, "key.labels", mapStringToString, "labels"},
		{vKeySession, "key.session", celgo.StringType, "session"},
		{vKeyIssuedAt, "key.issued_at", celgo.TimestampType, "when the key was issued"},
		{vKeyExpiresAt, "key.expires_at", celgo.TimestampType, "when the key expires"},
		{vSourceApp, "source.app", celgo.StringType, "calling application"},
		{vSourceService, "source.service", celgo.StringType, "calling service"},
		{vSourceAddress, "source.address", celgo.StringType, "client address, IP or IP:port"},
		{vSourceRoute, "source.route", celgo.StringType, "route or handler"},
		{vSourceLabels, "source.labels", mapStringToString, "labels"},
		{vSourceIP, "source.ip", celgo.StringType, "source.address without a port"},
		{vTxActive, "tx.active", celgo.BoolType, "inside a transaction"},
		{vTxReadOnly, "tx.read_only", celgo.BoolType, "the transaction is read-only"},
		{vNow, "now", celgo.TimestampType, "evaluation time (from the engine's clock)"},
		{vUsageKeyCalls1m, "usage.key_calls_1m", celgo.IntType, "calls by this key in the last minute"},
		{vUsageKeyCalls1h, "usage.key_calls_1h", celgo.IntType, "calls by this key in the last hour"},
		{vUsageFingerprintCalls1m, "usage.fingerprint_calls_1m", celgo.IntType, "calls of this fingerprint in the last minute"},
	}
}

// lookupVar maps a variable name to its id. A switch compiles to a fast
// search without the hashing of a map lookup.
func lookupVar(name string) (varID, bool) {
	switch name {
	case "query.text":
		return vQueryText, true
	case "query.fingerprint":
		return vQueryFingerprint, true
	case "query.command":
		return vQueryCommand, true
	case "query.object":
		return vQueryObject, true
	case "query.read_only":
		return vQueryReadOnly, true
	case "query.tables":
		return vQueryTables, true
	case "query.functions":
		return vQueryFunctions, true
	case "query.literals":
		return vQueryLiterals, true
	case "query.has_where":
		return vQueryHasWhere, true
	case "query.params":
		return vQueryParams, true
	case "query.dialect":
		return vQueryDialect, true
	case "args":
		return vArgs, true
	case "named_args":
		return vNamedArgs, true
	case "key.present":
		return vKeyPresent, true
	case "key.id":
		return vKeyID, true
	case "key.subject":
		return vKeySubject, true
	case "key.role":
		return vKeyRole, true
	case "key.scopes":
		return vKeyScopes, true
	case "key.labels":
		return vKeyLabels, true
	case "key.session":
		return vKeySession, true
	case "key.issued_at":
		return vKeyIssuedAt, true
	case "key.expires_at":
		return vKeyExpiresAt, true
	case "source.app":
		return vSourceApp, true
	case "source.service":
		return vSourceService, true
	case "source.address":
		return vSourceAddress, true
	case "source.route":
		return vSourceRoute, true
	case "source.labels":
		return vSourceLabels, true
	case "source.ip":
		return vSourceIP, true
	case "tx.active":
		return vTxActive, true
	case "tx.read_only":
		return vTxReadOnly, true
	case "now":
		return vNow, true
	case "usage.key_calls_1m":
		return vUsageKeyCalls1m, true
	case "usage.key_calls_1h":
		return vUsageKeyCalls1h, true
	case "usage.fingerprint_calls_1m":
		return vUsageFingerprintCalls1m, true
	}
	return 0, false
}

// reservedRoots are the first segments of the vocabulary's names; a
// constant may not use them, nor shadow a function namespace of the
// extensions.
var reservedRoots = map[string]bool{
	"query": true, "args": true, "named_args": true, "key": true, "source": true,
	"tx": true, "now": true, "usage": true,
	// extension namespaces and global functions that a constant would shadow
	"sets": true, "lists": true, "regex": true, "strings": true, "math": true,
	"ip": true, "cidr": true, "cel": true, "optional": true,
}
