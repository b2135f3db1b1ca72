package cel

import (
	"cel.dev/cel-go/common/cost"
)

// sizeEstimator bounds the size of every variable by the Env's Limits, so
// that the static cost estimate of a rule is a true upper bound for every
// input that passes Limits.Check.
type sizeEstimator struct {
	limits Limits
	consts map[string]constant
}

func exact(n uint64) *cost.SizeEstimate { return &cost.SizeEstimate{Min: n, Max: n} }
func upTo(n int) *cost.SizeEstimate     { return &cost.SizeEstimate{Min: 0, Max: uint64(n)} }

// EstimateSize implements cost.Estimator.
func (s sizeEstimator) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	path := n.Path()
	if len(path) == 0 {
		return nil
	}
	l := s.limits
	if c, ok := s.consts[path[0]]; ok {
		if len(path) == 1 {
			return exact(c.size)
		}
		return nil
	}
	switch len(path) {
	case 1:
		switch path[0] {
		case "query.text":
			return upTo(l.MaxTextLength)
		case "query.tables", "query.functions", "query.literals", "key.scopes":
			return upTo(l.MaxListLength)
		case "key.labels", "source.labels":
			return upTo(l.MaxMapSize)
		case "args", "named_args":
			return upTo(l.MaxArgs)
		}
		if id, ok := lookupVar(path[0]); ok && isStringVar(id) {
			return upTo(l.MaxStringLength)
		}
	case 2:
		switch path[0] + "/" + path[1] {
		case "query.literals/@items":
			return upTo(l.MaxTextLength)
		case "query.tables/@items", "query.functions/@items", "key.scopes/@items",
			"key.labels/@keys", "key.labels/@values", "source.labels/@keys", "source.labels/@values",
			"named_args/@keys":
			return upTo(l.MaxStringLength)
		case "args/@items", "named_args/@values":
			// a string, bytes or a list of scalars: the larger bound
			return upTo(max(l.MaxArgLength, l.MaxListLength))
		}
	}
	return nil
}

// EstimateCallCost implements cost.Estimator: the library's models apply.
func (sizeEstimator) EstimateCallCost(function, overloadID string, target *cost.AstNode, args []cost.AstNode) *cost.CallEstimate {
	return nil
}

func isStringVar(id varID) bool {
	for _, v := range vocabulary() {
		if v.id == id {
			return v.typ.String() == "string"
		}
	}
	return false
}
