package cel

import (
	"time"
	"unsafe"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
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

// iface is the runtime layout of a non-empty interface such as ref.Val.
type iface struct {
	tab  unsafe.Pointer
	data unsafe.Pointer
}

// itabOf returns the method table word of v.
func itabOf(v ref.Val) unsafe.Pointer { return (*iface)(unsafe.Pointer(&v)).tab }

// The ref.Val method tables of the aliased value types, computed once.
var (
	stringItab    = itabOf(types.String(""))
	intItab       = itabOf(types.Int(0))
	doubleItab    = itabOf(types.Double(0))
	bytesItab     = itabOf(types.Bytes(nil))
	timestampItab = itabOf(types.Timestamp{})
)

// Layout guards for the types aliased through adaptArg.
var (
	_ [unsafe.Sizeof(types.Double(0)) - unsafe.Sizeof(float64(0))]struct{}
	_ [unsafe.Sizeof(float64(0)) - unsafe.Sizeof(types.Double(0))]struct{}
	_ [unsafe.Sizeof(types.Bytes(nil)) - unsafe.Sizeof([]byte(nil))]struct{}
	_ [unsafe.Sizeof([]byte(nil)) - unsafe.Sizeof(types.Bytes(nil))]struct{}
)

// aliasVal builds a ref.Val with method table tab whose data word is p.
func aliasVal(tab, p unsafe.Pointer) ref.Val {
	var v ref.Val
	i := (*iface)(unsafe.Pointer(&v))
	i.tab, i.data = tab, p
	return v
}

// stringRef returns *p as a types.String ref.Val without copying it.
func stringRef(p *string) ref.Val {
	if *p == "" {
		return types.String("")
	}
	return aliasVal(stringItab, unsafe.Pointer(p))
}

// adaptArg converts one argument (a driver.Value) to a CEL value. The
// common types reuse the heap object the interface already points to
// (an interface holding a string points to a string header, which is the
// layout of types.String, and so on); the others go through cel-go's
// adapter.
func adaptArg(v any) ref.Val {
	data := (*eface)(unsafe.Pointer(&v)).data
	switch x := v.(type) {
	case nil:
		return types.NullValue
	case bool:
		return types.Bool(x)
	case string:
		return aliasVal(stringItab, data)
	case int64:
		return aliasVal(intItab, data)
	case float64:
		return aliasVal(doubleItab, data)
	case []byte:
		return aliasVal(bytesItab, data)
	case time.Time:
		return aliasVal(timestampItab, data)
	}
	return types.DefaultTypeAdapter.NativeToValue(v)
}
