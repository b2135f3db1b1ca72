package cel

import (
	"strings"
	"testing"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// TestAliases: the values built around pointers equal the values cel-go
// builds by copying, for the edge cases of each helper.
func TestAliases(t *testing.T) {
	long := strings.Repeat("z", 1000)
	for _, s := range []string{"", "a", "é", long} {
		s := s
		if got := stringVal(&s); got != any(types.String(s)) {
			t.Errorf("stringVal(%.10q) = %v", s, got)
		}
		if got := stringRef(&s); got.Equal(types.String(s)) != types.True {
			t.Errorf("stringRef(%.10q) = %v", s, got)
		}
	}
	for _, n := range []int64{0, 1, 255, 256, -1, -256, 1 << 62, -1 << 63} {
		n := n
		if got := intVal(&n); got != any(types.Int(n)) {
			t.Errorf("intVal(%d) = %v", n, got)
		}
	}
	for _, tm := range []time.Time{{}, testNow, testNow.In(time.FixedZone("X", -7200))} {
		tm := tm
		got := timestampVal(&tm).(types.Timestamp)
		if !got.Time.Equal(tm) || got.Time.Location() != tm.Location() {
			t.Errorf("timestampVal(%v) = %v", tm, got)
		}
	}
	for _, c := range []struct {
		in   any
		want ref.Val
	}{
		{nil, types.NullValue},
		{true, types.True},
		{"", types.String("")},
		{"x", types.String("x")},
		{int64(7), types.Int(7)},
		{int64(1 << 40), types.Int(1 << 40)},
		{2.5, types.Double(2.5)},
		{[]byte(nil), types.Bytes(nil)},
		{[]byte("raw"), types.Bytes("raw")},
		{testNow, types.Timestamp{Time: testNow}},
		{7, types.Int(7)},          // through the adapter
		{uint64(3), types.Uint(3)}, // through the adapter
	} {
		got := adaptArg(c.in)
		if got.Type() != c.want.Type() || got.Equal(c.want) != types.True {
			t.Errorf("adaptArg(%#v) = %#v, want %#v", c.in, got, c.want)
		}
	}
}
