package cel

import (
	"reflect"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// The wrappers below present the Input's slices and maps to cel-go
// without copying them and without allocating on the paths rules use
// most: size(), indexing, `in`, map lookups and comprehensions (through
// traits.Foldable). They live inside the pooled activation and are reset
// for each evaluation. Every other operation (equality with another list,
// concatenation, conversion, iterators) is delegated to cel-go's own
// implementation, built on first use, so the semantics are cel-go's.

// strList is a list(string) over a []string.
type strList struct {
	s   []string
	gen traits.Lister
}

var (
	_ traits.Lister   = (*strList)(nil)
	_ traits.Foldable = (*strList)(nil)
)

func (l *strList) reset(s []string) { l.s, l.gen = s, nil }

func (l *strList) generic() traits.Lister {
	if l.gen == nil {
		l.gen = types.NewStringList(types.DefaultTypeAdapter, l.s)
	}
	return l.gen
}

// ConvertToNative implements ref.Val.
func (l *strList) ConvertToNative(t reflect.Type) (any, error) { return l.generic().ConvertToNative(t) }

// ConvertToType implements ref.Val.
func (l *strList) ConvertToType(t ref.Type) ref.Val { return l.generic().ConvertToType(t) }

// Equal implements ref.Val.
func (l *strList) Equal(o ref.Val) ref.Val { return l.generic().Equal(o) }

// Type implements ref.Val.
func (l *strList) Type() ref.Type { return types.ListType }

// Value implements ref.Val.
func (l *strList) Value() any { return l.generic().Value() }

// Add implements traits.Adder.
func (l *strList) Add(o ref.Val) ref.Val { return l.generic().Add(o) }

// Contains implements traits.Container.
func (l *strList) Contains(e ref.Val) ref.Val {
	s, ok := e.(types.String)
	if !ok {
		return l.generic().Contains(e)
	}
	for i := range l.s {
		if l.s[i] == string(s) {
			return types.True
		}
	}
	return types.False
}

// Get implements traits.Indexer.
func (l *strList) Get(idx ref.Val) ref.Val {
	if i, ok := idx.(types.Int); ok && i >= 0 && int64(i) < int64(len(l.s)) {
		return stringRef(&l.s[i])
	}
	return l.generic().Get(idx)
}

// Iterator implements traits.Iterable.
func (l *strList) Iterator() traits.Iterator { return l.generic().Iterator() }

// Size implements traits.Sizer.
func (l *strList) Size() ref.Val { return types.Int(len(l.s)) }

// Fold implements traits.Foldable.
func (l *strList) Fold(f traits.Folder) {
	for i := range l.s {
		if !f.FoldEntry(i, stringVal(&l.s[i])) {
			return
		}
	}
}

// argList is list(dyn) over the positional arguments.
type argList struct {
	s   []any
	gen traits.Lister
}

var (
	_ traits.Lister   = (*argList)(nil)
	_ traits.Foldable = (*argList)(nil)
)

func (l *argList) reset(s []any) { l.s, l.gen = s, nil }

func (l *argList) generic() traits.Lister {
	if l.gen == nil {
		l.gen = types.NewDynamicList(types.DefaultTypeAdapter, l.s)
	}
	return l.gen
}

// ConvertToNative implements ref.Val.
func (l *argList) ConvertToNative(t reflect.Type) (any, error) { return l.generic().ConvertToNative(t) }

// ConvertToType implements ref.Val.
func (l *argList) ConvertToType(t ref.Type) ref.Val { return l.generic().ConvertToType(t) }

// Equal implements ref.Val.
func (l *argList) Equal(o ref.Val) ref.Val { return l.generic().Equal(o) }

// Type implements ref.Val.
func (l *argList) Type() ref.Type { return types.ListType }

// Value implements ref.Val.
func (l *argList) Value() any { return l.generic().Value() }

// Add implements traits.Adder.
func (l *argList) Add(o ref.Val) ref.Val { return l.generic().Add(o) }

// Contains implements traits.Container.
func (l *argList) Contains(e ref.Val) ref.Val { return l.generic().Contains(e) }

// Get implements traits.Indexer.
func (l *argList) Get(idx ref.Val) ref.Val {
	if i, ok := idx.(types.Int); ok && i >= 0 && int64(i) < int64(len(l.s)) {
		return adaptArg(l.s[i])
	}
	return l.generic().Get(idx)
}

// Iterator implements traits.Iterable.
func (l *argList) Iterator() traits.Iterator { return l.generic().Iterator() }

// Size implements traits.Sizer.
func (l *argList) Size() ref.Val { return types.Int(len(l.s)) }

// Fold implements traits.Foldable.
func (l *argList) Fold(f traits.Folder) {
	for i := range l.s {
		if !f.FoldEntry(i, adaptArg(l.s[i])) {
			return
		}
	}
}

// strMap is map(string, string) over key.labels or source.labels. A value
// read from a Go map is a copy, so lookups keep it in the activation's
// arena, which outlives the evaluation.
type strMap struct {
	m     map[string]string
	gen   traits.Mapper
	arena *[]string
}

var _ traits.Mapper = (*strMap)(nil)

func (m *strMap) reset(mm map[string]string, arena *[]string) { m.m, m.gen, m.arena = mm, nil, arena }

func (m *strMap) generic() traits.Mapper {
	if m.gen == nil {
		m.gen = types.NewStringStringMap(types.DefaultTypeAdapter, m.m)
	}
	return m.gen
}

// keep stores s in the arena and returns it as a types.String.
func (m *strMap) keep(s string) ref.Val {
	if s == "" {
		return types.String("")
	}
	*m.arena = append(*m.arena, s)
	a := *m.arena
	return stringRef(&a[len(a)-1])
}

// ConvertToNative implements ref.Val.
func (m *strMap) ConvertToNative(t reflect.Type) (any, error) { return m.generic().ConvertToNative(t) }

// ConvertToType implements ref.Val.
func (m *strMap) ConvertToType(t ref.Type) ref.Val { return m.generic().ConvertToType(t) }

// Equal implements ref.Val.
func (m *strMap) Equal(o ref.Val) ref.Val { return m.generic().Equal(o) }

// Type implements ref.Val.
func (m *strMap) Type() ref.Type { return types.MapType }

// Value implements ref.Val.
func (m *strMap) Value() any { return m.generic().Value() }

// Contains implements traits.Container.
func (m *strMap) Contains(k ref.Val) ref.Val {
	if s, ok := k.(types.String); ok {
		_, found := m.m[string(s)]
		return types.Bool(found)
	}
	return m.generic().Contains(k)
}

// Find implements traits.Mapper.
func (m *strMap) Find(k ref.Val) (ref.Val, bool) {
	if s, ok := k.(types.String); ok {
		v, found := m.m[string(s)]
		if !found {
			return nil, false
		}
		return m.keep(v), true
	}
	return m.generic().Find(k)
}

// Get implements traits.Indexer.
func (m *strMap) Get(k ref.Val) ref.Val {
	if v, found := m.Find(k); found {
		return v
	}
	return m.generic().Get(k) // the "no such key" error, or cel-go's answer for other key types
}

// Iterator implements traits.Iterable.
func (m *strMap) Iterator() traits.Iterator { return m.generic().Iterator() }

// Size implements traits.Sizer.
func (m *strMap) Size() ref.Val { return types.Int(len(m.m)) }

// argMap is map(string, dyn) over the named arguments.
type argMap struct {
	m   map[string]any
	gen traits.Mapper
}

var _ traits.Mapper = (*argMap)(nil)

func (m *argMap) reset(mm map[string]any) { m.m, m.gen = mm, nil }

func (m *argMap) generic() traits.Mapper {
	if m.gen == nil {
		m.gen = types.NewStringInterfaceMap(types.DefaultTypeAdapter, m.m)
	}
	return m.gen
}

// ConvertToNative implements ref.Val.
func (m *argMap) ConvertToNative(t reflect.Type) (any, error) { return m.generic().ConvertToNative(t) }

// ConvertToType implements ref.Val.
func (m *argMap) ConvertToType(t ref.Type) ref.Val { return m.generic().ConvertToType(t) }

// Equal implements ref.Val.
func (m *argMap) Equal(o ref.Val) ref.Val { return m.generic().Equal(o) }

// Type implements ref.Val.
func (m *argMap) Type() ref.Type { return types.MapType }

// Value implements ref.Val.
func (m *argMap) Value() any { return m.generic().Value() }

// Contains implements traits.Container.
func (m *argMap) Contains(k ref.Val) ref.Val {
	if s, ok := k.(types.String); ok {
		_, found := m.m[string(s)]
		return types.Bool(found)
	}
	return m.generic().Contains(k)
}

// Find implements traits.Mapper.
func (m *argMap) Find(k ref.Val) (ref.Val, bool) {
	if s, ok := k.(types.String); ok {
		v, found := m.m[string(s)]
		if !found {
			return nil, false
		}
		return adaptArg(v), true
	}
	return m.generic().Find(k)
}

// Get implements traits.Indexer.
func (m *argMap) Get(k ref.Val) ref.Val {
	if v, found := m.Find(k); found {
		return v
	}
	return m.generic().Get(k)
}

// Iterator implements traits.Iterable.
func (m *argMap) Iterator() traits.Iterator { return m.generic().Iterator() }

// Size implements traits.Sizer.
func (m *argMap) Size() ref.Val { return types.Int(len(m.m)) }
