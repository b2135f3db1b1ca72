package cel

import (
	"time"
	"unsafe"

	"cel.dev/cel-go/common/types"
)

// Boxing a non-empty string, an int64 of 256 or more, or a time.Time into
// an interface value allocates a copy on the heap. The activation hands
// cel-go one such interface per variable read, so a plain conversion would
// cost an allocation per read. The helpers below instead build the
// interface around a pointer to the field that already holds the value
// (inside the caller's Input or the shared sqlnorm.Statement): the type
// word is the cel-go value type and the data word points at the field.
//
// This is sound because each cel-go value type used here has exactly the
// memory layout of the Go type of the field (types.String is a string,
// types.Int an int64, types.Timestamp a struct holding only a time.Time),
// interface values are never written through, and the fields are not
// modified while Eval runs (documented on Input). The result of a rule is
// a bool, so no such interface outlives the evaluation.

// eface is the runtime layout of an empty interface.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// Layout guards: these fail to compile if a cel-go value type stops having
// the layout of the Go type the helpers alias.
var (
	_ [unsafe.Sizeof(types.String("")) - unsafe.Sizeof("")]struct{}
	_ [unsafe.Sizeof("") - unsafe.Sizeof(types.String(""))]struct{}
	_ [unsafe.Sizeof(types.Int(0)) - unsafe.Sizeof(int64(0))]struct{}
	_ [unsafe.Sizeof(int64(0)) - unsafe.Sizeof(types.Int(0))]struct{}
	_ [unsafe.Sizeof(types.Timestamp{}) - unsafe.Sizeof(time.Time{})]struct{}
	_ [unsafe.Sizeof(time.Time{}) - unsafe.Sizeof(types.Timestamp{})]struct{}
)

// typeWord returns the type word of v's dynamic type.
func typeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

// The type words of the aliased value types, computed once.
var (
	stringType    = typeWord(types.String(""))
	intType       = typeWord(types.Int(0))
	timestampType = typeWord(types.Timestamp{})
)

// alias builds an interface of dynamic type typ whose data word is p.
func alias(typ, p unsafe.Pointer) any {
	var v any
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = typ, p
	return v
}

// stringVal returns *p as a types.String without copying it.
func stringVal(p *string) any {
	if *p == "" {
		return types.String("") // boxed without allocation
	}
	return alias(stringType, unsafe.Pointer(p))
}

// intVal returns *p as a types.Int without copying it.
func intVal(p *int64) any {
	if uint64(*p) < 256 {
		return types.Int(*p) // small values are boxed without allocation
	}
	return alias(intType, unsafe.Pointer(p))
}

// timestampVal returns *p as a types.Timestamp without copying it.
func timestampVal(p *time.Time) any {
	return alias(timestampType, unsafe.Pointer(p))
}
